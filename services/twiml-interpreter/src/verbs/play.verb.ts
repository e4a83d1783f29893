import { type PlayVerb as PlayNode } from '@parley/twiml';
import { type CallContext } from '../runtime/ports';
import { CONTINUE, type Verb, type VerbOutcome } from './verb';

/** `<Play>`: an audio file (URL relative to the document) or DTMF `digits`, `loop` times. */
export class PlayVerb implements Verb<PlayNode> {
  async execute(node: PlayNode, ctx: CallContext): Promise<VerbOutcome> {
    await ctx.line.answer();
    const { digits, loop } = node.attributes;
    if (digits !== undefined && digits !== '') {
      // Twilio's `w` waits half a second; media's digits source speaks the same alphabet.
      await ctx.media.play({ kind: 'digits', digits: digits.slice(0, 64) }, 1, ctx.signal);
      return CONTINUE;
    }
    if (node.url === undefined) return CONTINUE;
    const url = ctx.resolveUrl(node.url);
    if (url === null) {
      ctx.warn(11100, `Play: cannot resolve the URL ${node.url}`);
      return CONTINUE;
    }
    const finished = await ctx.media.play({ kind: 'url', url }, loop, ctx.signal);
    if (finished.reason === 'failed') {
      // Twilio logs the failed fetch and goes on with the document.
      ctx.warn(finished.errorCode === 12300 ? 12300 : 11200, `Play: ${url} could not be played`);
    }
    return CONTINUE;
  }

  abort(): Promise<void> {
    return Promise.resolve();
  }
}
