import {
  dominantFrequency,
  FRAME_SAMPLES,
  framesOf,
  generateTone,
  linearToMuLaw,
  MULAW_TABLE,
  rms,
} from '../audio';
import { MULAW_CHUNK_BYTES, MulawStreamDecoder, MulawStreamEncoder } from './mulaw-transcoder';

function muLawToPcm(bytes: Uint8Array): Int16Array {
  return Int16Array.from(bytes, (b) => MULAW_TABLE[b] as number);
}

describe('mu-law for Media Streams', () => {
  it('turns 48 kHz frames into 20 ms chunks of 8 kHz mu-law that keep the tone', () => {
    const encoder = new MulawStreamEncoder();
    const chunks: Uint8Array[] = [];
    for (const frame of framesOf(generateTone(440, 1000))) chunks.push(...encoder.encode(frame));
    // The resampler holds back a few samples of look-ahead: at most one chunk short.
    expect(chunks.length).toBeGreaterThanOrEqual(49);
    expect(chunks.length).toBeLessThanOrEqual(50);
    expect(chunks.every((c) => c.length === MULAW_CHUNK_BYTES)).toBe(true);
    const pcm = muLawToPcm(Buffer.concat(chunks));
    expect(dominantFrequency(pcm, 8000)).toBeCloseTo(440, 0);
    // 0.3 of full scale: about 0.3 / sqrt(2) RMS, kept within mu-law's precision.
    expect(rms(pcm.subarray(800)) / 32767).toBeCloseTo(0.3 / Math.SQRT2, 1);
  });

  it('does not alias what 8 kHz cannot carry (a 5 kHz tone comes out near silent)', () => {
    const encoder = new MulawStreamEncoder();
    const chunks: Uint8Array[] = [];
    for (const frame of framesOf(generateTone(5000, 500))) chunks.push(...encoder.encode(frame));
    const pcm = muLawToPcm(Buffer.concat(chunks));
    expect(rms(pcm.subarray(800)) / 32767).toBeLessThan(0.01);
  });

  it('turns the server’s mu-law of any length into 20 ms frames at 48 kHz', () => {
    const tone8k = generateTone(660, 1000, { sampleRate: 8000 });
    // mu-law the way a server writes it: straight from 8 kHz PCM.
    const mulaw = Uint8Array.from(tone8k, (s) => linearToMuLaw(s));
    const decoder = new MulawStreamDecoder();
    const frames: Int16Array[] = [];
    // Odd sizes: a payload need not be 20 ms.
    for (let offset = 0; offset < mulaw.length; offset += 333) {
      frames.push(...decoder.decode(mulaw.subarray(offset, offset + 333)));
    }
    expect(frames.every((f) => f.length === FRAME_SAMPLES)).toBe(true);
    expect(frames.length).toBeGreaterThanOrEqual(49);
    const pcm = Int16Array.from(frames.flatMap((f) => Array.from(f)));
    expect(dominantFrequency(pcm, 48_000, { maxHz: 4000 })).toBeCloseTo(660, 0);
    decoder.reset();
    expect(decoder.decode(mulaw.subarray(0, 100))).toEqual([]);
  });
});
