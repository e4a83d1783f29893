import { ssmlPlainText, type SayVerb as SayNode } from '@parley/twiml';
import { type CallContext } from '../runtime/ports';
import { CONTINUE, type Verb, type VerbOutcome } from './verb';

/** `<Say>`: text to speech on the call, `loop` times (0: until the call ends). */
export class SayVerb implements Verb<SayNode> {
  async execute(node: SayNode, ctx: CallContext): Promise<VerbOutcome> {
    await ctx.line.answer();
    // The TTS engine takes plain words; SSML markup is reduced to its text.
    const text = ssmlPlainText(node.content).replace(/\s+/g, ' ').trim().slice(0, 4096);
    if (text === '') return CONTINUE;
    const finished = await ctx.media.play(
      {
        kind: 'say',
        text,
        voice: node.attributes.voice.slice(0, 64),
        language: node.attributes.language.slice(0, 16),
      },
      node.attributes.loop,
      ctx.signal,
    );
    if (finished.reason === 'failed') {
      ctx.warn(finished.errorCode === 12300 ? 12300 : 11200, 'Say: the speech could not be played');
    }
    return CONTINUE;
  }

  abort(): Promise<void> {
    // The prompt is stopped by the media port when the signal fires.
    return Promise.resolve();
  }
}
