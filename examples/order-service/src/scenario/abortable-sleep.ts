// A sleep on the injected clock that a stopped run cuts short: the scenario's waits (a client's
// backoff, the settle poll) must end at once when the run is aborted, or a stopped run would keep
// its system busy, and a test that gave up on it could not stop it.

import { sleep, type Clock } from '@keel/broker';

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleepUnlessAborted(clock: Clock, ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return sleep(clock, ms);
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = (): void => {
      clock.clearTimeout(handle);
      reject(abortReason(signal));
    };
    const handle = clock.setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** The reason an aborted signal carries, as an Error (abort() without one gives a DOMException). */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error(`the run was stopped: ${String(reason)}`);
}

/** Throws the signal's reason (as an Error) once it is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw abortReason(signal);
}

/** Whether the signal is aborted now (a function, so checks after an await are not narrowed away). */
export function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}
