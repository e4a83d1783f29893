import { FRAME_SAMPLES, rms } from './pcm';
import { RINGBACK_TONES, ringbackCycle, ringbackFrames, ringbackSpec } from './ringback';
import { toneAmplitude } from './tones';

/** On/off pattern of a cycle in 20 ms frames: true where the tone sounds. */
function pattern(cycle: Int16Array): boolean[] {
  const out: boolean[] = [];
  for (let i = 0; i < cycle.length; i += FRAME_SAMPLES)
    out.push(rms(cycle, i, i + FRAME_SAMPLES) > 500);
  return out;
}

/** Lengths of the runs of a pattern, in ms. */
function runs(p: boolean[]): number[] {
  const out: number[] = [];
  let current = p[0];
  let length = 0;
  for (const v of p) {
    if (v === current) length += 20;
    else {
      out.push(length);
      current = v;
      length = 20;
    }
  }
  out.push(length);
  return out;
}

describe('ringback', () => {
  it.each(['us', 'gb', 'de', 'fr', 'it', 'es', 'nl', 'br', 'in', 'jp', 'au'])(
    '%s follows its E.180 cadence and frequencies',
    (country) => {
      const spec = RINGBACK_TONES[country];
      expect(spec).toBeDefined();
      const cycle = ringbackCycle(country);
      expect(cycle.length % FRAME_SAMPLES).toBe(0);
      // Fades take a few ms of the first and last frame of each burst: allow one frame.
      const measured = runs(pattern(cycle));
      const expected = spec?.cadenceMs ?? [];
      expect(measured).toHaveLength(expected.length);
      measured.forEach((ms, i) =>
        expect(Math.abs(ms - (expected[i] as number))).toBeLessThanOrEqual(20),
      );
      const burst = cycle.subarray(4800, 4800 + 9600); // 100-300 ms: inside the first burst
      for (const f of spec?.frequencies ?? [])
        expect(toneAmplitude(burst, f)).toBeGreaterThan(1500);
      expect(toneAmplitude(burst, 1000)).toBeLessThan(200);
    },
  );

  it('plays the US tone for unknown countries and accepts uk for gb', () => {
    expect(ringbackSpec('zz').country).toBe('us');
    expect(ringbackSpec('UK').country).toBe('gb');
    expect(ringbackCycle('zz')).toBe(ringbackCycle('us'));
  });

  it('repeats endlessly in 20 ms frames', () => {
    const frames = ringbackFrames('de');
    const cycleFrames = ringbackCycle('de').length / FRAME_SAMPLES;
    const first = frames.next().value;
    for (let i = 1; i < cycleFrames; i++) frames.next();
    const again = frames.next().value;
    expect(first?.length).toBe(FRAME_SAMPLES);
    expect(again).toEqual(first);
  });
});
