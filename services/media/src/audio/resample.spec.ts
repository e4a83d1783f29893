import { rms } from './pcm';
import { Resampler, resample } from './resample';
import { dominantFrequency, generateTone, toneAmplitude } from './tones';

function tone(freq: number, ms: number, rate: number, amplitude = 0.5): Int16Array {
  return generateTone(freq, ms, { sampleRate: rate, amplitude, fadeMs: 0 });
}

/** Middle of a block, away from the edges where fades and filter start-up live. */
function middle(samples: Int16Array, fraction = 0.6): Int16Array {
  const n = Math.floor(samples.length * fraction);
  const start = Math.floor((samples.length - n) / 2);
  return samples.subarray(start, start + n);
}

describe('resample', () => {
  it.each([
    [22_050, 48_000],
    [8000, 48_000],
    [44_100, 48_000],
    [48_000, 16_000],
    [48_000, 8000],
    [11_025, 48_000],
    [16_000, 44_100],
  ])('converts %i Hz to %i Hz with the right length and pitch', (from, to) => {
    const input = tone(440, 500, from);
    const output = resample(input, from, to);
    expect(output.length).toBe(Math.ceil((input.length * to) / from));
    expect(dominantFrequency(middle(output), to)).toBeCloseTo(440, 0);
    // Gain is unity in the pass band.
    const inAmp = toneAmplitude(middle(input), 440, from);
    const outAmp = toneAmplitude(middle(output), 440, to);
    expect(outAmp / inAmp).toBeGreaterThan(0.97);
    expect(outAmp / inAmp).toBeLessThan(1.03);
  });

  it('is time-aligned: a click stays at the same instant', () => {
    const input = new Int16Array(22_050);
    input[11_025] = 20_000; // at 0.5 s
    const output = resample(input, 22_050, 48_000);
    let peak = 0;
    for (let i = 1; i < output.length; i++) {
      if (Math.abs(output[i] as number) > Math.abs(output[peak] as number)) peak = i;
    }
    expect(Math.abs(peak - 24_000)).toBeLessThanOrEqual(1);
  });

  it('does not alias when downsampling: a 12 kHz tone disappears at 16 kHz', () => {
    const input = tone(12_000, 500, 48_000);
    const output = resample(input, 48_000, 16_000);
    // 12 kHz would fold to 4 kHz without the anti-aliasing filter.
    expect(rms(middle(output))).toBeLessThan(rms(input) * 0.001);
  });

  it('does not image when upsampling: 22.05 kHz -> 48 kHz leaves nothing above 11 kHz', () => {
    const input = tone(5000, 500, 22_050);
    const output = middle(resample(input, 22_050, 48_000));
    const wanted = toneAmplitude(output, 5000, 48_000);
    // The first image of 5 kHz sits at 22050 - 5000 = 17050 Hz.
    const image = toneAmplitude(output, 17_050, 48_000);
    expect(image / wanted).toBeLessThan(0.001);
  });

  it('streams: chunk by chunk gives exactly the whole-buffer result', () => {
    const input = tone(1000, 300, 22_050);
    const whole = resample(input, 22_050, 48_000);
    const streaming = new Resampler(22_050, 48_000);
    const parts: Int16Array[] = [];
    for (let i = 0; i < input.length; i += 441)
      parts.push(streaming.process(input.subarray(i, i + 441)));
    parts.push(streaming.flush());
    const joined = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
    let offset = 0;
    for (const p of parts) {
      joined.set(p, offset);
      offset += p.length;
    }
    expect(joined).toEqual(whole);
  });

  it('has no discontinuities between 20 ms chunks (no clicks)', () => {
    const input = tone(300, 1000, 48_000, 0.8);
    const r = new Resampler(48_000, 16_000, 'fast');
    const out = new Int16Array(r.maxOutput(input.length) + 16);
    let written = 0;
    for (let i = 0; i < input.length; i += 960) {
      written += r.processInto(input.subarray(i, i + 960), out, written);
    }
    const samples = middle(out.subarray(0, written), 0.9);
    // A 300 Hz sine at 16 kHz moves at most 2*pi*300/16000*A per sample.
    const maxStep = 2 * Math.PI * (300 / 16_000) * 0.8 * 32767 * 1.05;
    let largest = 0;
    for (let i = 1; i < samples.length; i++) {
      largest = Math.max(largest, Math.abs((samples[i] as number) - (samples[i - 1] as number)));
    }
    expect(largest).toBeLessThan(maxStep);
    expect(largest).toBeGreaterThan(maxStep * 0.8);
  });

  it('passes audio through unchanged at equal rates', () => {
    const input = tone(440, 100, 48_000);
    expect(resample(input, 48_000, 48_000)).toEqual(input);
    const r = new Resampler(16_000, 16_000);
    expect(r.process(input)).toEqual(input);
  });

  it('scales float input', () => {
    const floats = Float32Array.from(
      { length: 4410 },
      (_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / 44_100),
    );
    const r = new Resampler(44_100, 48_000);
    const out = r.process(floats, 32_768);
    const all = new Int16Array(out.length + 4000);
    all.set(out);
    all.set(r.flush(), out.length);
    expect(toneAmplitude(middle(all.subarray(0, 4800)), 440)).toBeGreaterThan(15_500);
  });

  it('refuses nonsense rates', () => {
    expect(() => new Resampler(0, 48_000)).toThrow(RangeError);
    expect(() => new Resampler(44_100.5, 48_000)).toThrow(RangeError);
  });
});
