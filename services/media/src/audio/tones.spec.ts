import { FRAME_SAMPLES, rms, toDbfs } from './pcm';
import {
  beep,
  beepFrames,
  dominantFrequency,
  generateTone,
  goertzel,
  toneAmplitude,
} from './tones';

describe('tones', () => {
  it('generates a tone of the asked frequency, length and level', () => {
    const tone = generateTone(1234, 500, { amplitude: 0.5 });
    expect(tone.length).toBe(24_000);
    expect(dominantFrequency(tone)).toBeCloseTo(1234, 0);
    expect(toneAmplitude(tone.subarray(4800, 19_200), 1234)).toBeCloseTo(0.5 * 32767, -2);
  });

  it('sums dual tones and ramps both ends (no click)', () => {
    const tone = generateTone([440, 480], 200, { amplitude: 0.2, fadeMs: 5 });
    expect(Math.abs(tone[0] as number)).toBeLessThan(100);
    expect(Math.abs(tone[tone.length - 1] as number)).toBeLessThan(100);
    const body = tone.subarray(480, tone.length - 480);
    expect(toneAmplitude(body, 440)).toBeGreaterThan(6000);
    expect(toneAmplitude(body, 480)).toBeGreaterThan(6000);
    expect(toneAmplitude(body, 1000)).toBeLessThan(100);
  });

  it('modulates the amplitude for E.180 "f1*f2" tones', () => {
    const tone = generateTone(400, 400, { modulationHz: 25, fadeMs: 0 });
    // 25 Hz modulation: the 20 ms envelope swings between loud and quiet.
    const levels = [0, 1, 2, 3, 4].map((i) => rms(tone, i * 960, i * 960 + 480));
    expect(Math.max(...levels) / Math.min(...levels)).toBeGreaterThan(2);
    expect(dominantFrequency(tone)).toBeCloseTo(400, 0);
  });

  it('beeps at 1000 Hz for 250 ms, about -13 dBFS, in whole 20 ms frames', () => {
    const b = beep();
    expect(b.length).toBe(12_000);
    expect(dominantFrequency(b)).toBeCloseTo(1000, 0);
    expect(toDbfs(rms(b))).toBeGreaterThan(-15);
    expect(toDbfs(rms(b))).toBeLessThan(-10);
    const frames = beepFrames({ frequencyHz: 800, durationMs: 500 });
    expect(frames).toHaveLength(25);
    expect(frames.every((f) => f.length === FRAME_SAMPLES)).toBe(true);
  });

  it('goertzel picks one frequency out of a mixture', () => {
    const mix = generateTone([697, 1209], 100, { amplitude: 0.3, fadeMs: 0 });
    expect(goertzel(mix, 697)).toBeGreaterThan(goertzel(mix, 770) * 50);
    expect(goertzel(mix, 1209)).toBeGreaterThan(goertzel(mix, 1336) * 50);
  });
});
