import { isErrorCode, ParleyError } from '@parley/contracts';
import { type ConnectVerb as ConnectNode } from '@parley/twiml';
import { type CallContext } from '../runtime/ports';
import { streamRequestOf } from './stream-noun';
import { CONTINUE, type Verb, type VerbOutcome } from './verb';

/**
 * `<Connect><Stream>`: a bidirectional Media Stream (a voice agent answers the caller).
 * The verb lasts as long as the WebSocket: when the server closes it (or it fails, with
 * its 319xx code on the timeline), `action` is requested, or the document goes on. Other
 * `<Connect>` nouns are not supported yet (13750).
 */
export class ConnectVerb implements Verb<ConnectNode> {
  async execute(node: ConnectNode, ctx: CallContext): Promise<VerbOutcome> {
    const { noun } = node;
    if (noun.kind !== 'Stream') {
      ctx.warn(13750, `Connect: ${noun.kind} is not supported by Parley yet; skipped`);
      return CONTINUE;
    }
    const built = streamRequestOf(noun, true, (url) => ctx.resolveUrl(url));
    if (!built.ok) {
      ctx.warn(built.code, `Connect: ${built.reason}`);
      return this.after(node, ctx);
    }
    await ctx.line.answer();
    try {
      const ended = await ctx.streams.connectStream(built.request, ctx.signal);
      if (ended.errorCode !== null && isErrorCode(ended.errorCode)) {
        ctx.warn(ended.errorCode, `Connect: stream ${ended.streamSid} ended (${ended.reason})`);
      }
    } catch (error) {
      // Refused before it opened (a URL that is not ws/wss, 31920): reported, and the
      // document goes on as after any failed stream.
      if (!(error instanceof ParleyError)) throw error;
      ctx.warn(error.code, `Connect: ${error.message}`);
    }
    return this.after(node, ctx);
  }

  abort(): Promise<void> {
    return Promise.resolve();
  }

  private after(node: ConnectNode, ctx: CallContext): VerbOutcome {
    const { action, method } = node.attributes;
    if (action === undefined) return CONTINUE;
    const request = ctx.request(action, method);
    if (request === null) {
      ctx.warn(11100, `Connect: cannot resolve the action URL ${action}`);
      return CONTINUE;
    }
    return { next: 'fetch', via: 'action', request };
  }
}
