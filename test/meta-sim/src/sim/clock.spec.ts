import { parseDuration, SimClock } from './clock';

describe('SimClock', () => {
  it('runs on real time plus an offset that only moves forward', () => {
    const clock = new SimClock();
    const before = Date.now();
    clock.advance(25 * 3_600_000);
    expect(clock.now()).toBeGreaterThanOrEqual(before + 25 * 3_600_000);
    expect(clock.offset).toBe(25 * 3_600_000);
    expect(() => clock.advance(-1)).toThrow(RangeError);
    clock.reset();
    expect(clock.offset).toBe(0);
  });

  it.each([
    ['25h', 25 * 3_600_000],
    ['7d', 7 * 86_400_000],
    ['1d2h', 26 * 3_600_000],
    ['90m', 5_400_000],
    ['1500ms', 1500],
    ['1w', 604_800_000],
    ['2500', 2500],
  ])('parses %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', 'soon', '5 hours', '1h garbage'])('refuses %j', (text) => {
    expect(() => parseDuration(text)).toThrow(RangeError);
  });
});
