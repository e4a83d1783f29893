import { MediaClock } from './media-clock';

describe('MediaClock', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  function clock(maxCatchUp = 10) {
    let now = 0;
    const skips: number[] = [];
    const c = new MediaClock({ now: () => now, maxCatchUp, onSkip: (n) => skips.push(n) });
    return {
      c,
      skips,
      /** Moves the clock and fires timers due by then. */
      run: (ms: number) => {
        now += ms;
        jest.advanceTimersByTime(ms);
      },
      /** Time passes while the event loop is blocked; then the late timer finally fires. */
      stall: (ms: number) => {
        now += ms;
        jest.advanceTimersByTime(20);
      },
    };
  }

  it('ticks every 20 ms, numbered by real time', () => {
    const { c, run } = clock();
    const ticks: number[] = [];
    c.subscribe((t) => ticks.push(t));
    run(100);
    expect(ticks).toEqual([1, 2, 3, 4, 5]);
  });

  it('runs every missed tick after a short stall, so prompts keep their length', () => {
    const { c, run, stall } = clock();
    const ticks: number[] = [];
    c.subscribe((t) => ticks.push(t));
    run(20);
    stall(90);
    expect(ticks).toEqual([1, 2, 3, 4, 5]);
  });

  it('skips ahead after a long stall instead of bursting', () => {
    const { c, run, stall, skips } = clock(5);
    const ticks: number[] = [];
    c.subscribe((t) => ticks.push(t));
    run(20);
    stall(400);
    expect(skips).toEqual([19]);
    expect(ticks).toEqual([1, 21]);
  });

  it('stops when the last listener leaves and resumes on real time', () => {
    const { c, run } = clock();
    const ticks: number[] = [];
    const off = c.subscribe((t) => ticks.push(t));
    run(40);
    off();
    expect(c.running).toBe(false);
    run(200);
    c.subscribe((t) => ticks.push(t));
    run(20);
    expect(ticks).toEqual([1, 2, 13]);
  });
});
