// Time as an injected dependency. Behaviour that depends on time (flush intervals, check-back,
// retries, long-poll holds) takes a `Clock` so tests can drive it with `FakeClock` instead of
// sleeping. This file is the only place in package source allowed to touch the ambient clock
// (Date.now and the global timers); ESLint enforces the Date.now half of that rule.

declare const timerHandleBrand: unique symbol;

/**
 * An opaque token for a scheduled timer. Only the clock that created it can clear it; handles of
 * timeouts and intervals are interchangeable for clearing (as in Node).
 */
export interface TimerHandle {
  readonly [timerHandleBrand]: 'TimerHandle';
}

export interface Clock {
  /** Wall-clock time in epoch milliseconds. */
  now(): number;
  /** Runs `fn` once after `ms`; see {@link checkTimerDelay} for how `ms` is read. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  /** Runs `fn` every `ms`, the first time after `ms`. */
  setInterval(fn: () => void, ms: number): TimerHandle;
  clearInterval(handle: TimerHandle): void;
}

/** Node's largest timer delay (2^31 - 1 ms, about 24.8 days). */
export const MAX_TIMER_DELAY_MS = 2_147_483_647;

/**
 * The delay a timer really gets, shared by every Clock so a fake-clock test sees what production
 * would. Node fires a timer whose delay is NaN or above 2^31 - 1 after 1 ms, with only a warning:
 * a 30-day retention timer would fire at once. We reject those instead. Delays below 1 ms become
 * 1 ms, as in Node, so `setTimeout(fn, 0)` never runs inside the current `advance(0)`.
 */
export function checkTimerDelay(ms: number): number {
  if (Number.isNaN(ms) || ms > MAX_TIMER_DELAY_MS) {
    throw new RangeError(`timer delay must be a number of ms from 0 to ${MAX_TIMER_DELAY_MS}, got ${ms}`);
  }
  return ms < 1 ? 1 : ms;
}

type NodeTimer = ReturnType<typeof globalThis.setTimeout>;

// The handle *is* the Node timer object; the brand only stops callers from relying on that.
const toHandle = (timer: NodeTimer): TimerHandle => timer as unknown as TimerHandle;
const fromHandle = (handle: TimerHandle): NodeTimer => handle as unknown as NodeTimer;

/**
 * The real clock. Its timers keep the process alive like Node's own, so a component must clear
 * them when it closes (which tests then verify instead of hiding a leak behind `unref`).
 */
export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  setTimeout: (fn: () => void, ms: number) => toHandle(globalThis.setTimeout(fn, checkTimerDelay(ms))),
  clearTimeout: (handle: TimerHandle) => globalThis.clearTimeout(fromHandle(handle)),
  setInterval: (fn: () => void, ms: number) => toHandle(globalThis.setInterval(fn, checkTimerDelay(ms))),
  clearInterval: (handle: TimerHandle) => globalThis.clearInterval(fromHandle(handle)),
});

/** Resolves after `ms` on `clock`; with a FakeClock, when a test advances past it. */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => {
    clock.setTimeout(resolve, ms);
  });
}
