import { decodeMulaw, encodeMulaw, linearToMulaw, mulawRms, mulawToLinear } from './mulaw';

describe('mu-law', () => {
  it('encodes silence as 0xff and round-trips within its quantisation step', () => {
    expect(linearToMulaw(0)).toBe(0xff);
    for (const s of [-32768, -20000, -1000, -10, 10, 1000, 8000, 20000, 32767]) {
      const back = mulawToLinear(linearToMulaw(s));
      expect(Math.abs(back - s)).toBeLessThanOrEqual(Math.max(8, Math.abs(s) * 0.07));
      expect(Math.sign(back)).toBe(Math.sign(s));
    }
  });

  it('measures loudness', () => {
    const loud = encodeMulaw(Int16Array.from({ length: 160 }, (_, i) => (i % 2 ? 8000 : -8000)));
    expect(mulawRms(loud)).toBeGreaterThan(7000);
    expect(mulawRms(Buffer.alloc(160, 0xff))).toBe(0);
    expect(Array.from(decodeMulaw(Buffer.from([0xff, 0x7f])))).toEqual([0, 0]);
  });
});
