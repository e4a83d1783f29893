import { abortReason } from './errors';

/**
 * One-shot rendezvous by key: a verb registers what it waits for (a play's end, a
 * recording's end) *before* it sends the command, so an event that arrives quickly is
 * never lost, then awaits it. Aborting the signal rejects the wait.
 */
export class Waiters<T> {
  private readonly pending = new Map<string, { resolve: (value: T) => void; value?: T }>();
  private readonly early = new Map<string, T>();

  /** Starts waiting for `key`; the returned promise settles on `deliver` or abort. */
  expect(key: string, signal: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const arrived = this.early.get(key);
      if (arrived !== undefined) {
        this.early.delete(key);
        return resolve(arrived);
      }
      if (signal.aborted) return reject(abortReason(signal));
      const onAbort = () => {
        this.pending.delete(key);
        reject(abortReason(signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.pending.set(key, {
        resolve: (value) => {
          signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
      });
    });
  }

  /** Hands `value` to whoever waits for `key`; returns false when nobody does. */
  deliver(key: string, value: T): boolean {
    const waiter = this.pending.get(key);
    if (!waiter) return false;
    this.pending.delete(key);
    waiter.resolve(value);
    return true;
  }
}

/**
 * The keys a caller pressed, in order. Gather reads them one at a time with a timeout;
 * digits pressed while no Gather listens are dropped when the next Gather starts, as
 * Twilio does not carry them over.
 */
export class DigitBuffer {
  private readonly digits: string[] = [];
  private waiter: ((digit: string) => void) | undefined;
  private readonly listeners = new Set<(digit: string) => void>();

  push(digit: string): void {
    for (const listener of this.listeners) listener(digit);
    if (this.waiter) {
      const waiter = this.waiter;
      this.waiter = undefined;
      waiter(digit);
    } else {
      this.digits.push(digit);
    }
  }

  clear(): void {
    this.digits.length = 0;
  }

  /** True when a key was pressed and not read yet. */
  get hasPending(): boolean {
    return this.digits.length > 0;
  }

  /** Called for every key as it is pressed (barge-in), until the returned function runs. */
  onPress(listener: (digit: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The next key, or null when none comes within `timeoutMs`. */
  next(timeoutMs: number, signal: AbortSignal): Promise<string | null> {
    const queued = this.digits.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise<string | null>((resolve, reject) => {
      if (signal.aborted) return reject(abortReason(signal));
      const finish = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.waiter = undefined;
      };
      const timer = setTimeout(() => {
        finish();
        resolve(null);
      }, timeoutMs);
      const onAbort = () => {
        finish();
        reject(abortReason(signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiter = (digit) => {
        finish();
        resolve(digit);
      };
    });
  }
}
