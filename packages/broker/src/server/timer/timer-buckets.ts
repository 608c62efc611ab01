// Where each filed timer entry lives: in a bucket file only (its bucket is not loaded yet), or also
// in memory (the dispatcher), which holds every entry due before `loadedUntil`. And which buckets
// are closed: every bucket before `closedUntil` is fully delivered and deleted, and nothing is ever
// filed in one again (an entry filed late goes to the oldest open bucket instead).
//
// Invariant the timer checkpoint relies on: every filed entry due before loadedUntil is in the
// dispatcher or delivered; closedUntil ≤ loadedUntil, so an entry filed late is in memory at once.

import type { Logger } from '../../common/logger';
import type { TimerBucketFiles } from './timer-bucket-files';
import { bucketStartOf, TIMER_ENTRY_SIZE, writeTimerEntry, type TimerEntry } from './timer-bucket-layout';
import type { BucketSummary } from './timer-recovery';

export interface TimerEntrySink {
  add(entry: TimerEntry): void;
}

export class TimerBuckets {
  readonly files: TimerBucketFiles;
  readonly #bucketMs: number;
  readonly #sink: TimerEntrySink;
  readonly #log: Logger;
  /** Bucket files not loaded yet, with what they hold. */
  readonly #unloaded: Map<number, BucketSummary>;
  /** Start of every bucket file. */
  readonly #existing: Set<number>;
  #loadedUntil = 0;
  #closedUntil: number;

  constructor(options: {
    readonly files: TimerBucketFiles;
    readonly bucketMs: number;
    readonly sink: TimerEntrySink;
    readonly log: Logger;
    /** From recovery: the files left and the oldest open bucket. */
    readonly recovered: Map<number, BucketSummary>;
    readonly closedUntilMs: number;
  }) {
    this.files = options.files;
    this.#bucketMs = options.bucketMs;
    this.#sink = options.sink;
    this.#log = options.log;
    this.#unloaded = options.recovered;
    this.#existing = new Set(options.recovered.keys());
    this.#closedUntil = options.closedUntilMs;
  }

  get loadedUntil(): number {
    return this.#loadedUntil;
  }

  get closedUntil(): number {
    return this.#closedUntil;
  }

  /** How many filed entries wait on disk only, and the earliest of their due times. */
  unloaded(): { count: number; minDueMs: number } {
    let count = 0;
    let minDueMs = Number.POSITIVE_INFINITY;
    for (const bucket of this.#unloaded.values()) {
      count += bucket.count;
      minDueMs = Math.min(minDueMs, bucket.minDueMs);
    }
    return { count, minDueMs };
  }

  endOf(ms: number): number {
    return bucketStartOf(ms, this.#bucketMs) + this.#bucketMs;
  }

  /**
   * At start: loads every entry not delivered by `deliveredThroughMs` from the buckets before
   * `untilMs` (raised past the oldest open bucket, where late-filed entries sit), overdue ones too.
   */
  async loadAtStart(untilMs: number, deliveredThroughMs: number): Promise<void> {
    const until = Math.max(untilMs, this.#closedUntil + this.#bucketMs);
    for (const start of [...this.#unloaded.keys()].sort((a, b) => a - b)) {
      if (start >= until) break;
      await this.#load(start, (entry) => entry.dueMs > deliveredThroughMs);
    }
    this.#loadedUntil = until;
  }

  /** Loads every bucket that starts at or before `horizonMs`; stops early when `stop` says so. */
  async loadThrough(horizonMs: number, stop: () => boolean): Promise<void> {
    while (this.#loadedUntil <= horizonMs && !stop()) {
      const start = this.#firstUnloadedFrom(this.#loadedUntil);
      if (start === undefined || start > horizonMs) {
        // No file in between: no entry was filed there, so there is nothing to load.
        this.#loadedUntil = this.endOf(horizonMs);
        return;
      }
      // Late-filed entries (due before the bucket) went to the sink when they were filed.
      await this.#load(start, (entry) => entry.dueMs >= start);
      this.#loadedUntil = start + this.#bucketMs;
    }
  }

  /**
   * Appends entries (in timer-queue order) to their buckets; those due before loadedUntil go to the
   * sink too. Entries are handed to the sink and counted synchronously, before the first write.
   */
  async file(entries: readonly TimerEntry[]): Promise<void> {
    const byBucket = new Map<number, TimerEntry[]>();
    for (const entry of entries) {
      const start = Math.max(bucketStartOf(entry.dueMs, this.#bucketMs), this.#closedUntil);
      let list = byBucket.get(start);
      if (list === undefined) byBucket.set(start, (list = []));
      list.push(entry);
      if (entry.dueMs < this.#loadedUntil) this.#sink.add(entry);
      else this.#countUnloaded(start, entry.dueMs);
    }
    for (const [start, list] of byBucket) {
      const bytes = Buffer.allocUnsafe(list.length * TIMER_ENTRY_SIZE);
      list.forEach((entry, i) => writeTimerEntry(bytes, i * TIMER_ENTRY_SIZE, entry));
      this.#existing.add(start);
      await this.files.append(start, bytes);
    }
  }

  /** Once `deliveredThroughMs` is saved: closes and deletes the buckets that ends at or before it. */
  async closeThrough(deliveredThroughMs: number): Promise<void> {
    this.#closedUntil = Math.max(this.#closedUntil, bucketStartOf(deliveredThroughMs + 1, this.#bucketMs));
    for (const start of [...this.#existing]) {
      if (start + this.#bucketMs > this.#closedUntil) continue;
      this.#existing.delete(start);
      this.#unloaded.delete(start);
      try {
        await this.files.remove(start);
      } catch (error) {
        // Harmless to leave: recovery deletes a closed bucket it finds, and nothing is filed there.
        this.#log.warn('deleting a delivered timer bucket failed', {
          bucket: this.files.pathOf(start),
          error: String(error),
        });
      }
    }
  }

  /** Whether closeThrough(deliveredThroughMs) would close a bucket. */
  wouldClose(deliveredThroughMs: number): boolean {
    return bucketStartOf(deliveredThroughMs + 1, this.#bucketMs) > this.#closedUntil;
  }

  #countUnloaded(start: number, dueMs: number): void {
    const summary = this.#unloaded.get(start);
    if (summary === undefined) this.#unloaded.set(start, { count: 1, minDueMs: dueMs });
    else {
      summary.count++;
      summary.minDueMs = Math.min(summary.minDueMs, dueMs);
    }
  }

  #firstUnloadedFrom(fromMs: number): number | undefined {
    let first: number | undefined;
    for (const start of this.#unloaded.keys()) {
      if (start >= fromMs && (first === undefined || start < first)) first = start;
    }
    return first;
  }

  /** All or nothing: a read that fails part-way hands nothing over, so trying again adds no duplicates. */
  async #load(start: number, wanted: (entry: TimerEntry) => boolean): Promise<void> {
    const loaded: TimerEntry[] = [];
    await this.files.read(start, (entries) => {
      for (const entry of entries) if (wanted(entry)) loaded.push(entry);
      return true;
    });
    for (const entry of loaded) this.#sink.add(entry);
    this.#unloaded.delete(start);
  }
}
