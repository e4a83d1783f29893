import {
  OPUS_FRAME_SAMPLES,
  OPUS_SAMPLE_RATE,
  OpusDecoder,
  OpusEncoder,
  opusHeapBytes,
} from './opus';

// Signal helpers, the same as the media service's audio/pcm.ts and audio/tones.ts (a
// package cannot import a service), reduced to what these tests use.

const SAMPLE_RATE = OPUS_SAMPLE_RATE;
const FRAME_SAMPLES = OPUS_FRAME_SAMPLES;

function msToSamples(ms: number, rate = SAMPLE_RATE): number {
  return Math.round((ms * rate) / 1000);
}

/** Root mean square of a block, in sample units (0..32768). */
function rms(samples: Int16Array): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (const s of samples) sum += s * s;
  return Math.sqrt(sum / samples.length);
}

/** Raised-cosine fade in place over the first or last `fadeSamples` samples. */
function applyFade(samples: Int16Array, direction: 'in' | 'out', fadeSamples: number): void {
  const n = Math.min(fadeSamples, samples.length);
  for (let i = 0; i < n; i++) {
    const gain = 0.5 - 0.5 * Math.cos((Math.PI * (i + 0.5)) / n);
    const index = direction === 'in' ? i : samples.length - 1 - i;
    samples[index] = Math.round((samples[index] as number) * gain);
  }
}

/** 20 ms frames; full frames are views, a trailing partial frame is zero-padded. */
function* framesOf(pcm: Int16Array): Generator<Int16Array, void, undefined> {
  let offset = 0;
  for (; offset + FRAME_SAMPLES <= pcm.length; offset += FRAME_SAMPLES) {
    yield pcm.subarray(offset, offset + FRAME_SAMPLES);
  }
  if (offset < pcm.length) {
    const last = new Int16Array(FRAME_SAMPLES);
    last.set(pcm.subarray(offset));
    yield last;
  }
}

function concatInt16(chunks: readonly Int16Array[]): Int16Array {
  const out = new Int16Array(chunks.reduce((n, chunk) => n + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** A sinusoid of `durationMs` at 48 kHz, faded in and out over 5 ms. */
function generateTone(
  frequencyHz: number,
  durationMs: number,
  options: { amplitude?: number } = {},
): Int16Array {
  const amplitude = (options.amplitude ?? 0.3) * 32767;
  const out = new Int16Array(msToSamples(durationMs));
  const step = (2 * Math.PI * frequencyHz) / SAMPLE_RATE;
  for (let i = 0; i < out.length; i++) out[i] = Math.round(Math.sin(step * i) * amplitude);
  const fade = msToSamples(5);
  applyFade(out, 'in', fade);
  applyFade(out, 'out', fade);
  return out;
}

/** Power of one frequency in a block (generalised Goertzel), about (A/2)^2 for amplitude A. */
function goertzel(samples: ArrayLike<number>, frequencyHz: number, sampleRate: number): number {
  const n = samples.length;
  if (n <= 0) return 0;
  const coeff = 2 * Math.cos((2 * Math.PI * frequencyHz) / sampleRate);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const s0 = (samples[i] as number) + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return (s1 * s1 + s2 * s2 - coeff * s1 * s2) / (n * n);
}

/** Amplitude (sample units) of a sinusoid at `frequencyHz` in the block. */
function toneAmplitude(samples: ArrayLike<number>, frequencyHz: number): number {
  return 2 * Math.sqrt(goertzel(samples, frequencyHz, SAMPLE_RATE));
}

/**
 * The strongest frequency in a block: a Hann-windowed Goertzel scan in 5 Hz steps, then a
 * 0.25 Hz refinement around the peak (at most one second, from the middle of the block).
 */
function dominantFrequency(
  samples: ArrayLike<number>,
  sampleRate = SAMPLE_RATE,
  options: { minHz?: number; maxHz?: number } = {},
): number {
  const minHz = options.minHz ?? 50;
  const maxHz = Math.min(options.maxHz ?? 8000, sampleRate / 2 - 1);
  const limit = Math.min(samples.length, sampleRate);
  const offset = Math.floor((samples.length - limit) / 2);
  const windowed = new Float64Array(limit);
  for (let i = 0; i < limit; i++) {
    const hann = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / Math.max(1, limit - 1));
    windowed[i] = (samples[offset + i] as number) * hann;
  }
  const scan = (from: number, to: number, step: number): number => {
    let best = from;
    let bestPower = -1;
    for (let f = from; f <= to; f += step) {
      const p = goertzel(windowed, f, sampleRate);
      if (p > bestPower) {
        bestPower = p;
        best = f;
      }
    }
    return best;
  };
  const coarse = scan(minHz, maxHz, 5);
  return scan(Math.max(minHz, coarse - 5), Math.min(maxHz, coarse + 5), 0.25);
}

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
