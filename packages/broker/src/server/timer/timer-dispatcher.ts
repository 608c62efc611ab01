// The in-memory side of the timer: the entries loaded for delivery, earliest first, and one clock
// timer set for the earliest of them. When it fires, every entry due by then goes out in batches
// of `batchSize`, at most `maxBatchesInFlight` at a time (each waits for the store's
// acknowledgement; more would only queue behind the same disk). An entry leaves the dispatcher
// only once its delivery is acknowledged or it is given up; until then it counts in
// `earliestPendingDueMs`, which bounds what the timer checkpoint may claim as delivered.
//
// Never early: an entry is taken only when the clock has reached its due time; a timer that fires a
// millisecond early (Node rounds) is set again.

import type { Clock, TimerHandle } from '../../common/clock';
import type { Logger } from '../../common/logger';
import { PendingTimerHeap } from './pending-timer-heap';
import type { TimerEntry } from './timer-bucket-layout';
import type { TimerBatchOutcome, TimerDeliverer } from './timer-delivery';

export interface TimerDispatcherOptions {
  readonly clock: Clock;
  readonly log: Logger;
  readonly deliverer: Pick<TimerDeliverer, 'deliver'>;
  readonly batchSize: number;
  readonly maxBatchesInFlight: number;
  /** Pause after the store refused a delivery for now (disk full, flush timeout). */
  readonly retryBackoffMs: number;
}

interface InFlightBatch {
  readonly minDueMs: number;
  readonly size: number;
  /** Settles once the batch is delivered, given up or back in the heap. */
  done: Promise<void>;
}

export class TimerDispatcher {
  readonly #options: TimerDispatcherOptions;
  readonly #heap = new PendingTimerHeap();
  readonly #inFlight = new Set<InFlightBatch>();
  #timer: { readonly handle: TimerHandle; readonly atMs: number } | undefined;
  #pausedUntil = 0;
  #stopped = false;
  #delivered = 0;
  #dropped = 0;

  constructor(options: TimerDispatcherOptions) {
    this.#options = options;
  }

  /** Entries loaded or in flight. */
  get pendingCount(): number {
    let count = this.#heap.length;
    for (const batch of this.#inFlight) count += batch.size;
    return count;
  }

  get inFlightCount(): number {
    return this.#inFlight.size;
  }

  get deliveredCount(): number {
    return this.#delivered;
  }

  get droppedCount(): number {
    return this.#dropped;
  }

  /** Due time of the earliest entry not yet delivered (loaded or in flight). */
  earliestPendingDueMs(): number | undefined {
    let earliest = this.#heap.peekDue();
    for (const batch of this.#inFlight) {
      if (earliest === undefined || batch.minDueMs < earliest) earliest = batch.minDueMs;
    }
    return earliest;
  }

  /** Adds an entry; call `wake` after adding a run of them. */
  add(entry: TimerEntry): void {
    this.#heap.push(entry);
  }

  /** Delivers what is due and sets the timer for the next entry. */
  wake(): void {
    if (this.#stopped) return;
    const now = this.#options.clock.now();
    if (now >= this.#pausedUntil) {
      while (this.#inFlight.size < this.#options.maxBatchesInFlight) {
        const due = this.#heap.peekDue();
        if (due === undefined || due > now) break;
        this.#send(this.#takeDue(now));
      }
    }
    this.#arm();
  }

  /** Resolves once every batch in flight now has finished. */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight].map((batch) => batch.done));
  }

  /** Starts no more deliveries and waits for those in flight. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#clearTimer();
    await this.idle();
  }

  #takeDue(now: number): TimerEntry[] {
    const batch: TimerEntry[] = [];
    while (batch.length < this.#options.batchSize && (this.#heap.peekDue() ?? Infinity) <= now) {
      batch.push(this.#heap.pop()!);
    }
    return batch;
  }

  #send(entries: TimerEntry[]): void {
    const batch: InFlightBatch = {
      minDueMs: entries[0]!.dueMs,
      size: entries.length,
      done: Promise.resolve(),
    };
    this.#inFlight.add(batch);
    batch.done = this.#options.deliverer
      .deliver(entries)
      .then(
        (outcome) => this.#settle(outcome),
        // deliver() reports store refusals in its outcome; a rejection is a bug or a failed read.
        (error: unknown) => this.#settle({ delivered: 0, retry: entries, dropped: [], retryCause: error }),
      )
      .finally(() => {
        this.#inFlight.delete(batch);
        this.wake();
      });
  }

  #settle(outcome: TimerBatchOutcome): void {
    this.#delivered += outcome.delivered;
    if ((outcome.unflushed ?? 0) > 0) {
      this.#options.log.warn('timed messages delivered, but their flush timed out', {
        messages: outcome.unflushed,
      });
    }
    for (const { entry, problem } of outcome.dropped) {
      this.#dropped++;
      this.#options.log.error('a timed message cannot be delivered and is given up', {
        commitLogOffset: entry.commitLogOffset,
        dueMs: entry.dueMs,
        problem,
      });
    }
    if (outcome.retry.length === 0) return;
    for (const entry of outcome.retry) this.#heap.push(entry);
    this.#pausedUntil = this.#options.clock.now() + this.#options.retryBackoffMs;
    this.#options.log.warn('the store refused timed messages for now; trying again', {
      messages: outcome.retry.length,
      retryInMs: this.#options.retryBackoffMs,
      error: String(outcome.retryCause),
    });
  }

  #arm(): void {
    const due = this.#heap.peekDue();
    if (due === undefined || this.#stopped || this.#inFlight.size >= this.#options.maxBatchesInFlight) {
      // With every slot taken, the next batch to finish wakes the dispatcher.
      this.#clearTimer();
      return;
    }
    const atMs = Math.max(due, this.#pausedUntil);
    if (this.#timer?.atMs === atMs) return;
    this.#clearTimer();
    const { clock } = this.#options;
    const handle = clock.setTimeout(
      () => {
        this.#timer = undefined;
        this.wake();
      },
      Math.max(0, atMs - clock.now()),
    );
    this.#timer = { handle, atMs };
  }

  #clearTimer(): void {
    if (this.#timer === undefined) return;
    this.#options.clock.clearTimeout(this.#timer.handle);
    this.#timer = undefined;
  }
}
