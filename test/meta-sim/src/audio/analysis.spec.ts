import {
  activeMs,
  analyse,
  dominantFrequency,
  goertzelPower,
  rmsDbfs,
  SILENCE_DBFS,
} from './analysis';
import { generateDualTone, generateTone, SAMPLE_RATE, ToneGenerator } from './tone';

describe('audio analysis', () => {
  it.each([50, 350, 440, 660, 1000, 1633, 3400])('finds a %i Hz tone within 0.5 Hz', (hz) => {
    expect(Math.abs((dominantFrequency(generateTone(hz, 1000)) ?? 0) - hz)).toBeLessThan(0.5);
  });

  it('finds the stronger of two tones and ignores silence', () => {
    const mixed = generateTone(440, 500, { amplitude: 0.5 });
    const weak = generateTone(1200, 500, { amplitude: 0.05 });
    for (let i = 0; i < mixed.length; i += 1) mixed[i] = (mixed[i] ?? 0) + (weak[i] ?? 0);
    expect(Math.round(dominantFrequency(mixed) ?? 0)).toBe(440);
    expect(dominantFrequency(new Int16Array(48_000))).toBeNull();
  });

  it('measures RMS level: a full-scale sine is -3 dBFS, silence is the floor', () => {
    expect(rmsDbfs(generateTone(1000, 100, { amplitude: 1 }))).toBeCloseTo(-3.01, 1);
    expect(rmsDbfs(generateTone(1000, 100, { amplitude: 0.1 }))).toBeCloseTo(-23.01, 1);
    expect(rmsDbfs(new Int16Array(960))).toBe(SILENCE_DBFS);
    expect(rmsDbfs(new Int16Array(0))).toBe(SILENCE_DBFS);
  });

  it('Goertzel sees the DTMF pair of a key and not the others', () => {
    const five = generateDualTone(770, 1336, 100);
    const on = Math.min(goertzelPower(five, 770), goertzelPower(five, 1336));
    const off = Math.max(
      goertzelPower(five, 697),
      goertzelPower(five, 1209),
      goertzelPower(five, 852),
    );
    expect(on / off).toBeGreaterThan(100);
  });

  it('counts active 20 ms frames and analyses windows', () => {
    const pcm = new Int16Array(SAMPLE_RATE * 2);
    pcm.set(generateTone(500, 600), SAMPLE_RATE / 2);
    expect(activeMs(pcm)).toBe(600);
    const window = analyse(pcm, { fromMs: 500, toMs: 1100 });
    expect(window.durationMs).toBe(600);
    expect(Math.round(window.dominantFrequencyHz ?? 0)).toBe(500);
    expect(analyse(pcm, { fromMs: 1500 }).dominantFrequencyHz).toBeNull();
  });

  it('a tone generator joins frames without phase jumps', () => {
    const generator = new ToneGenerator(440);
    const joined = new Int16Array(960 * 50);
    for (let f = 0; f < 50; f += 1) joined.set(generator.next(960), f * 960);
    const reference = generateTone(440, 1000);
    let maxDiff = 0;
    for (let i = 0; i < joined.length; i += 1)
      maxDiff = Math.max(maxDiff, Math.abs((joined[i] ?? 0) - (reference[i] ?? 0)));
    expect(maxDiff).toBeLessThanOrEqual(2);
    expect(() => new ToneGenerator(30_000)).toThrow(RangeError);
  });
});
