// The timer service: delivers each message parked in the timer topic (TIMER_DELIVER_MS,
// __STARTDELIVERTIME, TIMER_DELAY_SEC/MS in the future; see delivery/send-routing.ts) to its
// REAL_TOPIC and REAL_QID at its due time, keeping millions of pending messages on disk.
//
//   timer queue ──file──▶ bucket files (timer/buckets/, one per minute of due times, 20 B/entry)
//        │                      │ a bucket is loaded prefetchLeadMs before it starts
//        │ due before           ▼
//        └─ loadedUntil ──▶ dispatcher: heap, earliest first ──clock timer at the earliest──▶ deliver
//
// - Filing reads the timer queue's entries (their tagsCode is the due time) from enqueueOffset and
//   appends each to its bucket file (timer-buckets.ts); an entry due before `loadedUntil` (its
//   bucket is loaded, or it is overdue) also goes straight to the dispatcher. Buckets not loaded
//   cost no memory.
// - Delivery (timer-dispatcher.ts, timer-delivery.ts): a clock timer set for the earliest entry, so
//   lateness is the time to store the copy, not a polling period; never early.
// - Progress (timer-checkpoint.ts) is saved every timerFlushIntervalMs and at stop, and claims only
//   durable work: bucket files are fdatasync'd before enqueueOffset is recorded, and the commit log
//   is flushed before deliveredThroughMs passes deliveries (counted once their put is acknowledged).
//   deliveredThroughMs is one less than the earliest entry not yet delivered (loaded or in flight),
//   and never past what is loaded or the present.
// - An entry filed late (filing fell behind, or a restart files the queue's tail again) may be due
//   before deliveredThroughMs: it goes to the dispatcher and out at once, its file entry goes to the
//   oldest bucket not deleted (`closedUntil`), and deliveredThroughMs falls back below it until it
//   is delivered. A weaker claim is always a safe one.
// - Buckets ending at or before the saved deliveredThroughMs + 1 are deleted.
// - After a crash (timer-recovery.ts) the work since the checkpoint is redone: nothing lost, nothing
//   early, but a message delivered after the last checkpoint is delivered again (at-least-once; the
//   copy keeps its UNIQ_KEY, so consumers can tell). Durability is otherwise the flush mode's: with
//   ASYNC_FLUSH a machine crash can take back recently acknowledged sends (the store's rule), and
//   deliveries it takes back were not claimed yet, so they are made again.
// - A failed write or fdatasync of a bucket file stops filing and saving progress until restart,
//   as a failed commit-log write stops the store: the pages may be gone, and recovery redoes the
//   work from the last checkpoint. Delivery of what is loaded goes on.
// - A failed read changes nothing, so it is not fatal: loading a bucket is tried again after a
//   pause (RETRY_BACKOFF_MS, doubling up to MAX_RETRY_BACKOFF_MS; loadedUntil stays before the
//   bucket, so nothing past it is claimed), and filing after a failed read of the timer queue is
//   asked again at the next checkpoint tick.
//
// `open` recovers and loads what is due soon, but delivers nothing until `start`: the broker opens
// every service (the transaction rebuild may still write) before any of them writes on its own.

import { join } from 'node:path';
import type { Clock, TimerHandle } from '../../common/clock';
import type { Logger } from '../../common/logger';
import type { Disk } from '../../store/disk/disk';
import { SystemTopic } from '../topic/system-topics';
import { TimerBucketFiles } from './timer-bucket-files';
import { TIMER_BUCKET_MS } from './timer-bucket-layout';
import { TimerBuckets } from './timer-buckets';
import { saveTimerCheckpoint, type TimerCheckpointState } from './timer-checkpoint';
import { TimerDeliverer } from './timer-delivery';
import { TimerDispatcher } from './timer-dispatcher';
import { recoverTimer, type RecoveredTimer } from './timer-recovery';
import type { TimerStore } from './timer-store';
import { TimerWorker } from './timer-worker';

export interface TimerServiceOptions {
  readonly store: TimerStore;
  readonly disk: Disk;
  readonly clock: Clock;
  readonly log: Logger;
  /** `<storePathRootDir>/timer`. */
  readonly dir: string;
  /** timerFlushIntervalMs: how often progress is saved. */
  readonly flushIntervalMs: number;
  /** Bucket width; tests use small ones. Fixed per store (the checkpoint records it). */
  readonly bucketMs?: number;
  /** How long before a bucket starts it is loaded (default 10 s: a loaded minute is ready in time). */
  readonly prefetchLeadMs?: number;
  readonly batchSize?: number;
  readonly maxBatchesInFlight?: number;
}

export interface TimerStatus {
  /** Timed messages stored and not yet delivered: filed (on disk or loaded) or not yet filed. */
  readonly pendingMessages: number;
  /** Due time of the earliest filed message not yet delivered; undefined when there is none. */
  readonly nextDueMs: number | undefined;
  /** Of those, the ones held in memory (loaded buckets and overdue entries, and in flight). */
  readonly loadedMessages: number;
  readonly enqueueOffset: number;
  /** As last saved; -1 before anything was delivered. */
  readonly deliveredThroughMs: number;
  readonly deliveredMessages: number;
  /** Messages that can never be delivered (their record is gone or damaged); each is logged. */
  readonly droppedMessages: number;
  /** Set when a bucket file write or sync failed: filing has stopped until a restart. */
  readonly failure: unknown;
}

export function timerDirOf(storePathRootDir: string): string {
  return join(storePathRootDir, 'timer');
}

const DEFAULT_PREFETCH_LEAD_MS = 10_000;
const DEFAULT_BATCH_SIZE = 64;
const DEFAULT_MAX_BATCHES_IN_FLIGHT = 8;
const RETRY_BACKOFF_MS = 1000;
/** The longest pause between attempts to read a bucket that keeps failing. */
const MAX_RETRY_BACKOFF_MS = 10_000;
/** Queue entries filed per read of the timer queue (80 KiB of entries). */
const FILE_BATCH = 4096;

export class TimerService {
  readonly #options: TimerServiceOptions;
  readonly #store: TimerStore;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #checkpointPath: string;
  readonly #bucketMs: number;
  readonly #leadMs: number;
  readonly #dispatcher: TimerDispatcher;
  readonly #buckets: TimerBuckets;
  readonly #worker: TimerWorker;
  #enqueueOffset: number;
  /** Queue offset up to which entries are counted in the buckets or the dispatcher (status only). */
  #countedThrough: number;
  #saved: TimerCheckpointState & { readonly delivered: number };
  #failure: unknown;
  #started = false;
  #stopping = false;
  #stopped: Promise<void> | undefined;
  #prefetchTimer: TimerHandle | undefined;
  #checkpointTimer: TimerHandle | undefined;
  #fileQueued = false;
  /** Failed bucket loads in a row; the next attempt waits longer each time. */
  #loadFailures = 0;
  /** End of the last timer-topic record appended, and the acknowledged end when filing was last asked for. */
  #timerRecordsEnd = 0;
  #fileAskedAt = 0;

  private constructor(options: TimerServiceOptions, files: TimerBucketFiles, recovered: RecoveredTimer) {
    this.#options = options;
    this.#store = options.store;
    this.#clock = options.clock;
    this.#log = options.log;
    this.#checkpointPath = join(options.dir, 'checkpoint');
    this.#bucketMs = options.bucketMs ?? TIMER_BUCKET_MS;
    this.#leadMs = options.prefetchLeadMs ?? DEFAULT_PREFETCH_LEAD_MS;
    this.#dispatcher = new TimerDispatcher({
      clock: options.clock,
      log: options.log,
      deliverer: new TimerDeliverer(options.store),
      batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE,
      maxBatchesInFlight: options.maxBatchesInFlight ?? DEFAULT_MAX_BATCHES_IN_FLIGHT,
      retryBackoffMs: RETRY_BACKOFF_MS,
    });
    this.#buckets = new TimerBuckets({
      files,
      bucketMs: this.#bucketMs,
      sink: this.#dispatcher,
      log: options.log,
      recovered: recovered.buckets,
      closedUntilMs: recovered.closedUntilMs,
    });
    this.#worker = new TimerWorker((error, step) => this.#stepFailed(error, step));
    this.#enqueueOffset = recovered.enqueueOffset;
    this.#countedThrough = recovered.enqueueOffset;
    this.#saved = {
      bucketMs: this.#bucketMs,
      enqueueOffset: recovered.enqueueOffset,
      deliveredThroughMs: recovered.deliveredThroughMs,
      delivered: 0,
    };
  }

  /**
   * Recovers the timer's files and loads what is due soon; nothing is filed or delivered before
   * `start`. `stop` releases an opened service that never started.
   */
  static async open(options: TimerServiceOptions): Promise<TimerService> {
    const bucketMs = options.bucketMs ?? TIMER_BUCKET_MS;
    const files = new TimerBucketFiles(options.disk, join(options.dir, 'buckets'), bucketMs);
    const recovered = await recoverTimer({
      disk: options.disk,
      store: options.store,
      files,
      checkpointPath: join(options.dir, 'checkpoint'),
      bucketMs,
      log: options.log,
    });
    const service = new TimerService(options, files, recovered);
    const buckets = service.#buckets;
    try {
      await buckets.loadAtStart(
        buckets.endOf(options.clock.now() + service.#leadMs),
        recovered.deliveredThroughMs,
      );
    } catch (error) {
      await service.stop().catch((stopError: unknown) => {
        // The load's failure is the one to report; this one is logged so it is not lost.
        options.log.error('stopping the timer service after a failed open failed too', {
          error: String(stopError),
        });
      });
      throw error;
    }
    return service;
  }

  status(): TimerStatus {
    const onDisk = this.#buckets.unloaded();
    const nextDueMs = Math.min(
      this.#dispatcher.earliestPendingDueMs() ?? Number.POSITIVE_INFINITY,
      onDisk.minDueMs,
    );
    const notFiled = Math.max(0, this.#store.maxOffsetInQueue(SystemTopic.TIMER, 0) - this.#countedThrough);
    const pending = this.#dispatcher.pendingCount + onDisk.count + notFiled;
    return {
      pendingMessages: pending,
      nextDueMs: Number.isFinite(nextDueMs) ? nextDueMs : undefined,
      loadedMessages: this.#dispatcher.pendingCount,
      enqueueOffset: this.#enqueueOffset,
      deliveredThroughMs: this.#saved.deliveredThroughMs,
      deliveredMessages: this.#dispatcher.deliveredCount,
      droppedMessages: this.#dispatcher.droppedCount,
      failure: this.#failure,
    };
  }

  /**
   * Resolves once every timer record acknowledged so far is filed and no disk step or delivery is
   * running (tests and benchmarks wait for this instead of sleeping).
   */
  async settled(): Promise<void> {
    for (;;) {
      await this.#worker.idle();
      await this.#dispatcher.idle();
      if (!this.#worker.isIdle || this.#dispatcher.inFlightCount > 0) continue;
      const behind = this.#enqueueOffset < this.#store.maxOffsetInQueue(SystemTopic.TIMER, 0);
      if (!behind || this.#stopping || this.#failure !== undefined) return;
      this.#askToFile();
    }
  }

  /** Stops filing and delivering, waits for what is in progress, and saves progress. */
  stop(): Promise<void> {
    this.#stopped ??= this.#stop();
    return this.#stopped;
  }

  async #stop(): Promise<void> {
    this.#stopping = true;
    if (this.#prefetchTimer !== undefined) this.#clock.clearTimeout(this.#prefetchTimer);
    if (this.#checkpointTimer !== undefined) this.#clock.clearInterval(this.#checkpointTimer);
    await this.#worker.idle();
    await this.#dispatcher.stop();
    try {
      // An opened service that never started has made no progress to save.
      if (this.#started && this.#failure === undefined) await this.#checkpoint();
    } finally {
      await this.#buckets.files.close();
    }
  }

  /** Starts filing the timer queue and delivering what is due. */
  start(): void {
    if (this.#started || this.#stopping) return;
    this.#started = true;
    this.#store.onDispatch((request) => {
      if (request.topic === SystemTopic.TIMER) this.#timerRecordsEnd = request.commitLogOffset + request.size;
    });
    this.#store.onConfirmed((confirmed) => {
      // Filing reads acknowledged queue entries only: ask once the new records are acknowledged.
      if (this.#timerRecordsEnd > this.#fileAskedAt) {
        this.#fileAskedAt = confirmed;
        this.#askToFile();
      }
    });
    this.#checkpointTimer = this.#clock.setInterval(() => this.#tick(), this.#options.flushIntervalMs);
    this.#askToFile();
    this.#armPrefetch();
    this.#dispatcher.wake();
    const status = this.status();
    this.#log.info('timer service started', {
      pending: status.pendingMessages,
      nextDueMs: status.nextDueMs ?? -1,
      enqueueOffset: this.#enqueueOffset,
      deliveredThroughMs: this.#saved.deliveredThroughMs,
    });
  }

  #tick(): void {
    if (this.#stopping || this.#failure !== undefined) return;
    // Also a safety net: filing normally starts from the store's acknowledgement events.
    this.#askToFile();
    this.#worker.run('save timer checkpoint', () => this.#checkpoint());
  }

  #askToFile(): void {
    if (this.#fileQueued || this.#stopping || this.#failure !== undefined) return;
    this.#fileQueued = true;
    this.#worker.run('file timed messages', async () => {
      this.#fileQueued = false;
      await this.#fileNew();
    });
  }

  /** Files the timer queue's acknowledged entries from enqueueOffset into their buckets. */
  async #fileNew(): Promise<void> {
    for (;;) {
      const from = this.#enqueueOffset;
      // Taken before the read: entries acknowledged during it must not be stepped over below.
      const end = this.#store.maxOffsetInQueue(SystemTopic.TIMER, 0);
      let entries: Awaited<ReturnType<TimerStore['readQueueEntries']>>;
      try {
        entries = await this.#store.readQueueEntries(SystemTopic.TIMER, 0, from, FILE_BATCH);
      } catch (error) {
        // Nothing was changed: the next checkpoint tick asks to file again (see the top of this file).
        this.#log.error('reading the timer queue failed; filing resumes at the next interval', {
          enqueueOffset: from,
          error: String(error),
        });
        return;
      }
      if (entries.length === 0) {
        // Blank entries (a queue rebuilt from a later start) are left out of reads: step over them.
        const floor = Math.max(from, this.#store.minOffsetInQueue(SystemTopic.TIMER, 0));
        if (floor >= end) return;
        this.#enqueueOffset = Math.min(end, floor + FILE_BATCH);
        this.#countedThrough = this.#enqueueOffset;
        continue;
      }
      this.#noteSkipped(from, entries[0]!.queueOffset);
      const filing = this.#buckets.file(
        entries.map((queued) => ({
          commitLogOffset: queued.commitLogOffset,
          size: queued.size,
          dueMs: queued.tagsCode,
        })),
      );
      // file() counts the entries before its first await; the checkpoint's offset waits for the writes.
      this.#countedThrough = entries[entries.length - 1]!.queueOffset + 1;
      await filing;
      this.#enqueueOffset = this.#countedThrough;
      this.#dispatcher.wake();
    }
  }

  #noteSkipped(from: number, firstOffset: number): void {
    if (firstOffset <= from || this.#store.minOffsetInQueue(SystemTopic.TIMER, 0) <= from) return;
    this.#log.error('timed messages were removed by retention before the timer service filed them', {
      lost: firstOffset - from,
      fix: 'keep the store fileReservedTime above timerMaxDelaySec',
    });
  }

  /** Sets the timer for the next load: when the next bucket comes within the lead, or after `minDelayMs`. */
  #armPrefetch(minDelayMs = 0): void {
    if (this.#stopping) return;
    const delayMs = Math.max(minDelayMs, this.#buckets.loadedUntil - this.#leadMs - this.#clock.now());
    this.#prefetchTimer = this.#clock.setTimeout(() => {
      this.#prefetchTimer = undefined;
      this.#worker.run('load timer buckets', () => this.#loadComingBuckets());
    }, delayMs);
  }

  /** Loads every bucket that starts within prefetchLeadMs from now (see the top: a failed read waits). */
  async #loadComingBuckets(): Promise<void> {
    let retryInMs = 0;
    try {
      await this.#buckets.loadThrough(this.#clock.now() + this.#leadMs, () => this.#stopping);
      this.#loadFailures = 0;
    } catch (error) {
      retryInMs = Math.min(MAX_RETRY_BACKOFF_MS, RETRY_BACKOFF_MS * 2 ** this.#loadFailures);
      this.#loadFailures++;
      this.#log.error('reading a timer bucket failed; its messages wait until a read succeeds', {
        attempt: this.#loadFailures,
        retryInMs,
        error: String(error),
      });
    } finally {
      // Buckets loaded before a failure are in the dispatcher: what is due of them goes out.
      this.#dispatcher.wake();
      this.#armPrefetch(retryInMs);
    }
  }

  /**
   * Saves progress (see the top of this file for what it may claim), then deletes the buckets it
   * shows delivered. Skipped when nothing changed since the last save.
   */
  async #checkpoint(): Promise<void> {
    const enqueueOffset = this.#enqueueOffset;
    const deliveredThroughMs = this.#deliveredThrough();
    const delivered = this.#dispatcher.deliveredCount;
    const closable = this.#buckets.wouldClose(deliveredThroughMs);
    const saved = this.#saved;
    if (enqueueOffset === saved.enqueueOffset && delivered === saved.delivered && !closable) return;
    // A failed sync of a bucket file is fatal (see the top of this file): it propagates.
    await this.#buckets.files.syncDirty();
    try {
      await this.#store.flush();
      await saveTimerCheckpoint(this.#options.disk, this.#checkpointPath, {
        bucketMs: this.#bucketMs,
        enqueueOffset,
        deliveredThroughMs,
      });
    } catch (error) {
      // Only the record of progress failed: nothing is claimed, and the next interval tries again.
      this.#log.warn('saving the timer checkpoint failed; retrying at the next interval', {
        error: String(error),
      });
      return;
    }
    this.#saved = { bucketMs: this.#bucketMs, enqueueOffset, deliveredThroughMs, delivered };
    await this.#buckets.closeThrough(deliveredThroughMs);
  }

  /** The latest time through which every filed entry is delivered (see the top of this file). */
  #deliveredThrough(): number {
    let through = Math.min(this.#buckets.loadedUntil - 1, this.#clock.now());
    const earliest = this.#dispatcher.earliestPendingDueMs();
    if (earliest !== undefined) through = Math.min(through, earliest - 1);
    return Math.max(-1, through);
  }

  #stepFailed(error: unknown, step: string): void {
    this.#failure ??= error;
    this.#log.error(
      'the timer service stopped filing after a disk failure; restart the broker once the disk is fixed',
      { step, error: String(error) },
    );
  }
}
