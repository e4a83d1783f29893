export const TICK_MS = 20;

export interface MediaClockOptions {
  /** Monotonic milliseconds. */
  now?: () => number;
  /** Ticks run back to back to catch up after a stall, at most; beyond, the clock skips. */
  maxCatchUp?: number;
  /** Told when the clock had to skip ticks (the event loop stalled too long). */
  onSkip?: (skipped: number) => void;
}

/**
 * One drift-free 20 ms clock for every leg of the process. Tick k is due at
 * epoch + k * 20 ms; each wake-up runs every tick that is due, so a late timer never
 * stretches a prompt (a 2 s prompt takes 2 s) and one timer serves all legs. Tick
 * numbers follow real time, also across pauses, so they can drive RTP timestamps.
 */
export class MediaClock {
  private readonly now: () => number;
  private readonly maxCatchUp: number;
  private readonly epoch: number;
  private readonly listeners = new Set<(tick: number) => void>();
  private timer: NodeJS.Timeout | null = null;
  private nextTick = 0;

  constructor(private readonly options: MediaClockOptions = {}) {
    this.now = options.now ?? (() => performance.now());
    this.maxCatchUp = options.maxCatchUp ?? 10;
    this.epoch = this.now();
  }

  /** The tick now running or last run. */
  get tick(): number {
    return Math.floor((this.now() - this.epoch) / TICK_MS);
  }

  get running(): boolean {
    return this.timer !== null;
  }

  /** Runs `listener` every 20 ms while subscribed; returns the unsubscribe function. */
  subscribe(listener: (tick: number) => void): () => void {
    this.listeners.add(listener);
    if (!this.timer) {
      this.nextTick = this.tick + 1;
      this.schedule();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    const due = this.epoch + this.nextTick * TICK_MS;
    this.timer = setTimeout(() => this.run(), Math.max(0, due - this.now()));
  }

  private run(): void {
    const due = this.tick;
    if (due - this.nextTick >= this.maxCatchUp) {
      this.options.onSkip?.(due - this.nextTick);
      this.nextTick = due;
    }
    for (; this.nextTick <= due; this.nextTick++) {
      for (const listener of this.listeners) listener(this.nextTick);
      if (!this.timer) return; // the last listener left
    }
    this.schedule();
  }
}
