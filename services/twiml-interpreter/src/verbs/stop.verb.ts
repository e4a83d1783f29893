import { type StopVerb as StopNode } from '@parley/twiml';
import { type CallContext } from '../runtime/ports';
import { CONTINUE, type Verb, type VerbOutcome } from './verb';

/** `<Stop><Stream name>`: ends the listen-only streams a `<Start>` named so. */
export class StopVerb implements Verb<StopNode> {
  async execute(node: StopNode, ctx: CallContext): Promise<VerbOutcome> {
    for (const noun of node.nouns) {
      if (noun.kind !== 'Stream') {
        ctx.warn(13750, `Stop: ${noun.kind} is not supported by Parley yet; skipped`);
        continue;
      }
      const { name } = noun.attributes;
      if (name === undefined || name === '') {
        ctx.warn(12200, 'Stop: a Stream to stop needs its name');
        continue;
      }
      if ((await ctx.streams.stopStreams(name)) === 0) {
        ctx.warn(12200, `Stop: no running stream is named ${name}`);
      }
    }
    return CONTINUE;
  }

  abort(): Promise<void> {
    return Promise.resolve();
  }
}
