import { type CallStatus, isTerminalCallStatus } from '@parley/contracts';
import { abortReason } from './errors';
import { type ChildCallState } from './ports';

/** One status report of a child call (from `calls.v1.call.status-changed` or the dial reply). */
export interface ChildStatusReport {
  status: CallStatus;
  /** The transition's sequence; null for the dial reply, which never overrides an event. */
  sequence: number | null;
  durationSec: number | null;
  errorCode: number | null;
}

/**
 * What a `<Dial>` knows of its child call. Status events may arrive before the dial's reply
 * and out of order (core NATS, several publishers), so the highest sequence wins and a
 * terminal state is final; waiters are woken on every change.
 */
export class ChildCallTracker {
  private current: ChildCallState = {
    status: 'queued',
    answered: false,
    durationSec: null,
    errorCode: null,
  };
  private sequence = -1;
  private readonly waiters = new Set<() => void>();

  get state(): ChildCallState {
    return this.current;
  }

  report(report: ChildStatusReport): void {
    if (isTerminalCallStatus(this.current.status)) return;
    if (report.sequence === null) {
      // The dial's reply: only news when no event said anything yet.
      if (this.sequence >= 0) return;
    } else {
      if (report.sequence <= this.sequence) return;
      this.sequence = report.sequence;
    }
    this.current = {
      status: report.status,
      answered: this.current.answered || report.status === 'in-progress',
      durationSec: report.durationSec,
      errorCode: report.errorCode,
    };
    for (const wake of [...this.waiters]) wake();
  }

  until(done: (state: ChildCallState) => boolean, signal: AbortSignal): Promise<ChildCallState> {
    return new Promise((resolve, reject) => {
      if (done(this.current)) return resolve(this.current);
      if (signal.aborted) return reject(abortReason(signal));
      const check = () => {
        if (!done(this.current)) return;
        cleanup();
        resolve(this.current);
      };
      const onAbort = () => {
        cleanup();
        reject(abortReason(signal));
      };
      const cleanup = () => {
        this.waiters.delete(check);
        signal.removeEventListener('abort', onAbort);
      };
      this.waiters.add(check);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
