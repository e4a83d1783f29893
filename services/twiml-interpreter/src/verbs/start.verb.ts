import { ParleyError } from '@parley/contracts';
import { type StartVerb as StartNode } from '@parley/twiml';
import { type CallContext } from '../runtime/ports';
import { streamRequestOf } from './stream-noun';
import { CONTINUE, type Verb, type VerbOutcome } from './verb';

/**
 * `<Start><Stream>`: listen-only Media Streams that fork the call's audio while the rest
 * of the document runs (until `<Stop><Stream name>` or the end of the call). Other nouns
 * (`<Siprec>`, `<Transcription>`, `<Recording>`) are not supported yet (13750).
 */
export class StartVerb implements Verb<StartNode> {
  async execute(node: StartNode, ctx: CallContext): Promise<VerbOutcome> {
    for (const noun of node.nouns) {
      if (noun.kind !== 'Stream') {
        ctx.warn(13750, `Start: ${noun.kind} is not supported by Parley yet; skipped`);
        continue;
      }
      const built = streamRequestOf(noun, false, (url) => ctx.resolveUrl(url));
      if (!built.ok) {
        ctx.warn(built.code, `Start: ${built.reason}`);
        continue;
      }
      await ctx.line.answer();
      try {
        await ctx.streams.startStream(built.request);
      } catch (error) {
        if (!(error instanceof ParleyError)) throw error;
        ctx.warn(error.code, `Start: ${error.message}`);
      }
    }
    return CONTINUE;
  }

  abort(): Promise<void> {
    return Promise.resolve();
  }
}
