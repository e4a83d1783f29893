import { opusHeapBytes } from '@parley/opus';
import { FRAME_SAMPLES, ToneGenerator } from '../audio/tone';
import { OpusFrameDecoder, OpusFrameEncoder } from './opus';

describe('OpusFrameEncoder and OpusFrameDecoder', () => {
  it('keep the first codecs working after hundreds more are created (wasm heap growth)', () => {
    const encoders: OpusFrameEncoder[] = [];
    const decoders: OpusFrameDecoder[] = [];
    const pair = (): [OpusFrameEncoder, OpusFrameDecoder] => {
      const encoder = new OpusFrameEncoder();
      const decoder = new OpusFrameDecoder();
      encoders.push(encoder);
      decoders.push(decoder);
      return [encoder, decoder];
    };
    try {
      const [firstEncoder, firstDecoder] = pair();
      const tone = new ToneGenerator(440);
      expect(firstDecoder.decode(firstEncoder.encode(tone.next(FRAME_SAMPLES)))).toHaveLength(
        FRAME_SAMPLES,
      );
      const heap = opusHeapBytes();
      for (let i = 0; i < 300; i += 1) pair();
      expect(opusHeapBytes()).toBeGreaterThan(heap);

      let decoded: Int16Array | null = null;
      expect(() => {
        decoded = firstDecoder.decode(firstEncoder.encode(tone.next(FRAME_SAMPLES)));
      }).not.toThrow();
      expect(decoded).toHaveLength(FRAME_SAMPLES);
    } finally {
      for (const encoder of encoders) encoder.close();
      for (const decoder of decoders) decoder.close();
    }
  });
});
