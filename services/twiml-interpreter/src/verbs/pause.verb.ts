import { type PauseVerb as PauseNode } from '@parley/twiml';
import { type CallContext } from '../runtime/ports';
import { CONTINUE, type Verb, type VerbOutcome } from './verb';

/** `<Pause>`: silence on an open line for `length` seconds. */
export class PauseVerb implements Verb<PauseNode> {
  async execute(node: PauseNode, ctx: CallContext): Promise<VerbOutcome> {
    await ctx.line.answer();
    // Played as media silence (not a timer) so the leg keeps sending packets and the
    // pause ends exactly where the audio does.
    await ctx.media.play(
      { kind: 'silence', durationMs: Math.min(node.attributes.length, 3_600) * 1000 },
      1,
      ctx.signal,
    );
    return CONTINUE;
  }

  abort(): Promise<void> {
    return Promise.resolve();
  }
}
