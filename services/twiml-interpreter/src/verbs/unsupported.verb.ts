import { type DialVerb as DialNode, type Verb as TwimlVerb } from '@parley/twiml';
import { type CallContext } from '../runtime/ports';
import { CONTINUE, type Verb, type VerbOutcome } from './verb';

/**
 * A verb Parley parses but does not route yet (`<Enqueue>`, `<Connect>`, `<Pay>`...):
 * Twilio's 13750 is reported, loudly, and the document goes on, so a call never falls
 * silent on it.
 */
export class UnsupportedVerb implements Verb<TwimlVerb> {
  execute(node: TwimlVerb, ctx: CallContext): Promise<VerbOutcome> {
    ctx.warn(13750, `${node.kind} is not supported by Parley yet; skipped`);
    return Promise.resolve(CONTINUE);
  }

  abort(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * `<Dial>` until bridging lands: no noun can be reached, so the verb ends as a failed dial
 * (13215, the error Twilio gives a noun it cannot dial): its `action` receives
 * `DialCallStatus=failed`, or the document continues when there is none.
 */
export class UnsupportedDialVerb implements Verb<DialNode> {
  execute(node: DialNode, ctx: CallContext): Promise<VerbOutcome> {
    const nouns = node.nouns.map((n) => n.kind).join(', ');
    ctx.warn(13215, `Dial: ${nouns} cannot be dialed by Parley yet; the dial failed`);
    if (node.attributes.action === undefined) return Promise.resolve(CONTINUE);
    const request = ctx.request(node.attributes.action, node.attributes.method, {
      DialCallStatus: 'failed',
    });
    return Promise.resolve(request === null ? CONTINUE : { next: 'fetch', via: 'action', request });
  }

  abort(): Promise<void> {
    return Promise.resolve();
  }
}
