import {
  dominantFrequency,
  FRAME_SAMPLES,
  framesOf,
  generateTone,
  linearToMuLaw,
  MULAW_TABLE,
  rms,
} from '../audio';
import { StreamAudioDecoder, StreamAudioEncoder } from './stream-audio';

function muLawToPcm(bytes: Uint8Array): Int16Array {
  return Int16Array.from(bytes, (b) => MULAW_TABLE[b] as number);
}

describe('mu-law for Media Streams', () => {
  it('turns 48 kHz frames into 20 ms chunks of 8 kHz mu-law that keep the tone', () => {
    const encoder = new StreamAudioEncoder();
    const chunks: Uint8Array[] = [];
    for (const frame of framesOf(generateTone(440, 1000))) chunks.push(...encoder.encode(frame));
    // The resampler holds back a few samples of look-ahead: at most one chunk short.
    expect(chunks.length).toBeGreaterThanOrEqual(49);
    expect(chunks.length).toBeLessThanOrEqual(50);
    expect(chunks.every((c) => c.length === 160)).toBe(true);
    const pcm = muLawToPcm(Buffer.concat(chunks));
    expect(dominantFrequency(pcm, 8000)).toBeCloseTo(440, 0);
    // 0.3 of full scale: about 0.3 / sqrt(2) RMS, kept within mu-law's precision.
    expect(rms(pcm.subarray(800)) / 32767).toBeCloseTo(0.3 / Math.SQRT2, 1);
  });

  it('does not alias what 8 kHz cannot carry (a 5 kHz tone comes out near silent)', () => {
    const encoder = new StreamAudioEncoder();
    const chunks: Uint8Array[] = [];
    for (const frame of framesOf(generateTone(5000, 500))) chunks.push(...encoder.encode(frame));
    const pcm = muLawToPcm(Buffer.concat(chunks));
    expect(rms(pcm.subarray(800)) / 32767).toBeLessThan(0.01);
  });

  it('turns the server’s mu-law of any length into 20 ms frames at 48 kHz', () => {
    const tone8k = generateTone(660, 1000, { sampleRate: 8000 });
    // mu-law the way a server writes it: straight from 8 kHz PCM.
    const mulaw = Uint8Array.from(tone8k, (s) => linearToMuLaw(s));
    const decoder = new StreamAudioDecoder();
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

  it('wideband opt-in: 16 kHz little-endian PCM keeps what mu-law at 8 kHz drops', () => {
    const encoder = new StreamAudioEncoder('l16-16k');
    const chunks: Uint8Array[] = [];
    for (const frame of framesOf(generateTone(5000, 500))) chunks.push(...encoder.encode(frame));
    expect(chunks.every((c) => c.length === 640)).toBe(true);
    const bytes = Buffer.concat(chunks);
    const pcm = new Int16Array(bytes.length / 2);
    for (let i = 0; i < pcm.length; i++) pcm[i] = bytes.readInt16LE(2 * i);
    expect(dominantFrequency(pcm.subarray(1600), 16_000)).toBeCloseTo(5000, 0);

    // And back, from payloads split at odd byte offsets.
    const decoder = new StreamAudioDecoder('l16-16k');
    const frames: Int16Array[] = [];
    for (let offset = 0; offset < bytes.length; offset += 333) {
      frames.push(...decoder.decode(bytes.subarray(offset, offset + 333)));
    }
    const back = Int16Array.from(frames.flatMap((f) => Array.from(f)));
    expect(dominantFrequency(back.subarray(4800), 48_000)).toBeCloseTo(5000, 0);
  });
});
