// A deterministic Clock for tests. Time moves only when the test says so; timers then fire in
// due-time order, ties in the order they were scheduled, with `now()` set to each timer's due time
// while it runs. Timers scheduled by a timer fire in the same window if they fall due inside it,
// and an interval is re-armed (counting as newly scheduled) before its callback runs.
//
// A timer that throws stops the advance: the error propagates to the test with the clock at that
// timer's due time and the remaining timers still pending, as an uncaught timer error would stop
// a real process.

import { checkTimerDelay, type Clock, type TimerHandle } from './clock';
import { IllegalStateError } from './errors';

/** 2024-01-01T00:00:00Z: a realistic epoch, so code that treats 0 as "unset" is not fooled. */
export const FAKE_CLOCK_DEFAULT_EPOCH_MS = Date.UTC(2024, 0, 1);

/** Default bound of `runAll`: enough for any sane test, small enough to catch a runaway interval. */
export const FAKE_CLOCK_DEFAULT_MAX_TIMERS = 10_000;

interface FakeTimer {
  readonly id: number;
  readonly fn: () => void;
  /** Set for intervals only. */
  readonly intervalMs: number | undefined;
  dueAt: number;
  /** Scheduling order; breaks ties between timers due at the same time. */
  seq: number;
}

// Captured once so a test that installs Jest's fake timers later cannot stall advanceAsync.
const realSetImmediate = globalThis.setImmediate;

/**
 * Lets every queued promise continuation run: a macrotask starts only after the microtask queue
 * is empty, including microtasks queued by microtasks. Real I/O is not awaited.
 */
function settleMicrotasks(): Promise<void> {
  return new Promise((resolve) => realSetImmediate(resolve));
}

export class FakeClock implements Clock {
  #now: number;
  #nextId = 1;
  #nextSeq = 0;
  // Few timers are pending in a test, so a linear scan for the next one beats keeping a heap.
  readonly #timers = new Map<number, FakeTimer>();
  #advancing = false;

  constructor(startMs: number = FAKE_CLOCK_DEFAULT_EPOCH_MS) {
    if (!Number.isFinite(startMs)) throw new RangeError(`FakeClock start must be finite, got ${startMs}`);
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.#schedule(fn, checkTimerDelay(ms), undefined);
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    const interval = checkTimerDelay(ms);
    return this.#schedule(fn, interval, interval);
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers.delete(FakeClock.#idOf(handle));
  }

  clearInterval(handle: TimerHandle): void {
    this.#timers.delete(FakeClock.#idOf(handle));
  }

  /** Timers scheduled and not yet fired (intervals count until cleared). */
  pendingTimers(): number {
    return this.#timers.size;
  }

  /** When the next timer falls due, or undefined if none is pending. */
  nextDueAt(): number | undefined {
    return this.#peek(Infinity)?.dueAt;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    const until = this.#target(ms);
    this.#exclusive(() => {
      while (this.#fireNext(until)) {
        // #fireNext did the work; the loop stops when nothing more is due in the window.
      }
      this.#now = until;
    });
  }

  /**
   * Like `advance`, but lets promise continuations run before the first timer and after each one,
   * so code that awaits and then schedules a timer inside the window gets it fired too.
   */
  async advanceAsync(ms: number): Promise<void> {
    const until = this.#target(ms);
    await this.#exclusiveAsync(async () => {
      await settleMicrotasks();
      while (this.#fireNext(until)) await settleMicrotasks();
      this.#now = until;
    });
  }

  /**
   * Fires timers until none is pending, moving time to each one's due time. Throws
   * IllegalStateError after `maxTimers` firings: an interval that is never cleared would loop
   * forever. Returns how many timers fired.
   */
  runAll(maxTimers: number = FAKE_CLOCK_DEFAULT_MAX_TIMERS): number {
    return this.#exclusive(() => {
      let fired = 0;
      while (this.#timers.size > 0) {
        this.#checkBound(fired, maxTimers);
        this.#fireNext(Infinity);
        fired++;
      }
      return fired;
    });
  }

  /** `runAll` that lets promise continuations run between timers, like `advanceAsync`. */
  async runAllAsync(maxTimers: number = FAKE_CLOCK_DEFAULT_MAX_TIMERS): Promise<number> {
    return this.#exclusiveAsync(async () => {
      let fired = 0;
      await settleMicrotasks();
      while (this.#timers.size > 0) {
        this.#checkBound(fired, maxTimers);
        this.#fireNext(Infinity);
        fired++;
        await settleMicrotasks();
      }
      return fired;
    });
  }

  #schedule(fn: () => void, delayMs: number, intervalMs: number | undefined): TimerHandle {
    const id = this.#nextId++;
    this.#timers.set(id, { id, fn, intervalMs, dueAt: this.#now + delayMs, seq: this.#nextSeq++ });
    return id as unknown as TimerHandle;
  }

  static #idOf(handle: TimerHandle): number {
    return handle as unknown as number;
  }

  #target(ms: number): number {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`cannot advance by ${ms} ms`);
    return this.#now + ms;
  }

  #peek(until: number): FakeTimer | undefined {
    let next: FakeTimer | undefined;
    for (const t of this.#timers.values()) {
      if (t.dueAt > until) continue;
      if (next === undefined || t.dueAt < next.dueAt || (t.dueAt === next.dueAt && t.seq < next.seq))
        next = t;
    }
    return next;
  }

  /** Fires the next timer due by `until`; false if there is none. */
  #fireNext(until: number): boolean {
    const timer = this.#peek(until);
    if (timer === undefined) return false;
    this.#now = Math.max(this.#now, timer.dueAt);
    if (timer.intervalMs === undefined) {
      this.#timers.delete(timer.id);
    } else {
      // Re-armed before the callback runs, so the callback can clear its own interval.
      timer.dueAt += timer.intervalMs;
      timer.seq = this.#nextSeq++;
    }
    timer.fn();
    return true;
  }

  #checkBound(fired: number, maxTimers: number): void {
    if (fired >= maxTimers) {
      throw new IllegalStateError(
        `FakeClock.runAll fired ${maxTimers} timers and ${this.#timers.size} are still pending; ` +
          'an interval is probably never cleared: use advance(ms) for intervals',
      );
    }
  }

  // A timer that advances the clock it runs on would reorder time under the outer advance.
  #exclusive<T>(body: () => T): T {
    if (this.#advancing) throw new IllegalStateError('FakeClock is already advancing; do not nest advances');
    this.#advancing = true;
    try {
      return body();
    } finally {
      this.#advancing = false;
    }
  }

  async #exclusiveAsync<T>(body: () => Promise<T>): Promise<T> {
    if (this.#advancing) throw new IllegalStateError('FakeClock is already advancing; do not nest advances');
    this.#advancing = true;
    try {
      return await body();
    } finally {
      this.#advancing = false;
    }
  }
}
