import { type ErrorCode } from '@parley/contracts';

/**
 * The session stopped while a verb waited: the caller hung up, new TwiML replaced the
 * document, the service is shutting down, or another replica took the call over (`moved`).
 */
export class SessionAbortedError extends Error {
  constructor(readonly reason: 'caller-hangup' | 'redirected' | 'shutdown' | 'moved') {
    super(`session aborted: ${reason}`);
    this.name = 'SessionAbortedError';
  }
}

/** A TwiML document could not be fetched or run; the call ends with `code`. */
export class TwimlFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TwimlFailure';
  }
}

/** Throws the signal's reason when it is aborted. */
export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw abortReason(signal);
}

export function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new SessionAbortedError('shutdown');
}

/** Waits `ms`, or rejects with the abort reason as soon as the signal fires. */
export function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortReason(signal));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** True when `error` says the caller hung up (the session's signal fired for that). */
export function isCallerHangup(error: unknown): boolean {
  return error instanceof SessionAbortedError && error.reason === 'caller-hangup';
}
