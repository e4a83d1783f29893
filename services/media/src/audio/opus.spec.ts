import { OpusDecoder, OpusEncoder, opusHeapBytes } from './opus';
import { FRAME_SAMPLES, concatInt16, framesOf, rms } from './pcm';
import { dominantFrequency, generateTone, toneAmplitude } from './tones';

/** Encodes then decodes a signal frame by frame; returns the decoded audio and packets. */
function roundTrip(
  pcm: Int16Array,
  encoder: OpusEncoder,
  decoder: OpusDecoder,
  lose: (index: number) => boolean = () => false,
): { audio: Int16Array; packets: Buffer[] } {
  const out: Int16Array[] = [];
  const packets: Buffer[] = [];
  let index = 0;
  for (const frame of framesOf(pcm)) {
    const packet = encoder.encode(frame);
    packets.push(packet);
    out.push(lose(index) ? decoder.decode(null) : decoder.decode(packet));
    index++;
  }
  return { audio: concatInt16(out), packets };
}

describe('Opus', () => {
  const created: Array<OpusEncoder | OpusDecoder> = [];
  const encoder = (...args: ConstructorParameters<typeof OpusEncoder>): OpusEncoder => {
    const e = new OpusEncoder(...args);
    created.push(e);
    return e;
  };
  const decoder = (): OpusDecoder => {
    const d = new OpusDecoder();
    created.push(d);
    return d;
  };
  afterEach(() => {
    for (const codec of created.splice(0)) codec.delete();
  });

  it('keeps a 440 Hz tone at 440 Hz through encode and decode', () => {
    const input = generateTone(440, 1000, { amplitude: 0.4 });
    const { audio, packets } = roundTrip(input, encoder(), decoder());
    expect(audio.length).toBe(input.length);
    const steady = audio.subarray(9600, 43_200);
    expect(dominantFrequency(steady)).toBeCloseTo(440, 0);
    expect(
      toneAmplitude(steady, 440) / toneAmplitude(input.subarray(9600, 43_200), 440),
    ).toBeGreaterThan(0.8);
    // ~20 kbit/s: about 50 bytes per 20 ms packet, far below raw PCM's 1920.
    const average = packets.reduce((n, p) => n + p.length, 0) / packets.length;
    expect(average).toBeGreaterThan(20);
    expect(average).toBeLessThan(90);
  });

  it('follows the configured bitrate', () => {
    const input = generateTone(440, 1000, { amplitude: 0.4 });
    const sizeAt = (bitrate: number): number => {
      const { packets } = roundTrip(input, encoder({ bitrate }), decoder());
      return packets.slice(10).reduce((n, p) => n + p.length, 0) / (packets.length - 10);
    };
    expect(sizeAt(32_000)).toBeGreaterThan(sizeAt(12_000) * 1.5);
  });

  it('conceals a lost packet with 20 ms of plausible audio instead of a hole', () => {
    const input = generateTone(440, 1000, { amplitude: 0.4 });
    const { audio } = roundTrip(input, encoder(), decoder(), (i) => i === 25);
    const concealed = audio.subarray(25 * FRAME_SAMPLES, 26 * FRAME_SAMPLES);
    expect(concealed.length).toBe(FRAME_SAMPLES);
    expect(rms(concealed)).toBeGreaterThan(rms(input) * 0.3);
    expect(dominantFrequency(concealed, 48_000, { minHz: 200, maxHz: 1000 })).toBeGreaterThan(400);
    expect(dominantFrequency(concealed, 48_000, { minHz: 200, maxHz: 1000 })).toBeLessThan(480);
    // And the stream carries on normally afterwards.
    expect(dominantFrequency(audio.subarray(30 * FRAME_SAMPLES, 45 * FRAME_SAMPLES))).toBeCloseTo(
      440,
      0,
    );
  });

  it('decodes into a caller buffer without allocating', () => {
    const e = encoder();
    const d = decoder();
    const out = new Int16Array(FRAME_SAMPLES);
    const frames = [...framesOf(generateTone(440, 400, { amplitude: 0.4 }))];
    const decoded: Int16Array[] = [];
    frames.forEach((frame, i) => {
      expect(d.decodeInto(i === 10 ? null : e.encode(frame), out)).toBe(FRAME_SAMPLES);
      decoded.push(out.slice());
    });
    expect(dominantFrequency(concatInt16(decoded).subarray(4800))).toBeCloseTo(440, 0);
    expect(() => d.decodeInto(e.encode(frames[0] as Int16Array), new Int16Array(100))).toThrow(
      RangeError,
    );
  });

  it('conceals with silence before the first packet', () => {
    const concealed = decoder().decode(null);
    expect(concealed).toEqual(new Int16Array(FRAME_SAMPLES));
  });

  it('keeps working codecs when many more are created (wasm heap growth)', () => {
    const first = encoder();
    const firstDecoder = decoder();
    const frame = generateTone(440, 20);
    const before = firstDecoder.decode(first.encode(frame));
    const heap = opusHeapBytes();
    for (let i = 0; i < 400; i++) encoder();
    expect(opusHeapBytes()).toBeGreaterThan(heap);
    const after = firstDecoder.decode(first.encode(frame));
    expect(before.length).toBe(FRAME_SAMPLES);
    expect(after.length).toBe(FRAME_SAMPLES);
  });

  it('refuses frames of a size Opus cannot code, and use after delete', () => {
    const e = encoder();
    expect(() => e.encode(new Int16Array(1000))).toThrow(RangeError);
    expect(() => e.setBitrate(1000)).toThrow(RangeError);
    e.delete();
    e.delete(); // idempotent
    expect(e.deleted).toBe(true);
    expect(() => e.encode(new Int16Array(FRAME_SAMPLES))).toThrow(/after delete/);
  });

  it('rejects a corrupt packet with an OpusError', () => {
    const d = decoder();
    // TOC code 3 with a frame count of 0 is invalid (RFC 6716 3.2.5).
    expect(() => d.decode(Buffer.from([0xfb, 0x00]))).toThrow(/opus error/);
  });
});
