import { type Verb as TwimlVerb } from '@parley/twiml';
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
