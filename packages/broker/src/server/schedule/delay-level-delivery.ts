// One delay level's delivery loop: reads queue `level - 1` of SCHEDULE_TOPIC_XXXX in order from its
// delivered offset and writes every due message to its real topic and queue.
//
// Modes (one at a time):
//
//   idle                 every visible entry is delivered and none is on its way. An arrival (the
//                        store dispatched an entry to this queue) arms a timer for its due time.
//   armed                a timer is set: for the head entry's due time, or for a retry after a
//                        failure (backoff). Arrivals change nothing: the head is due first.
//   running              a pass is delivering. It reads until the queue is empty or the head is
//                        not due, so arrivals meanwhile are picked up by the pass itself.
//   awaiting-visibility  entries were dispatched but are not acknowledged yet (SYNC_FLUSH waits
//                        for the fdatasync), so they cannot be read; the store's confirmation
//                        starts the next pass. No polling.
//   stopped              final.
//
// The delivered offset moves past an entry only once its copy is stored (or the entry is skipped
// as undeliverable), so the offset the service persists never covers a message not yet delivered.
// A not-due head arms a timer for exactly its due time: delivery is late by timer latency only.
// Entries due together are stored as one batch with one durability wait (one fdatasync under
// SYNC_FLUSH), so a burst does not queue up behind a disk flush per message.

import { MAX_TIMER_DELAY_MS, type Clock, type TimerHandle } from '../../common/clock';
import type { Logger } from '../../common/logger';
import type { ConsumeQueueEntry } from '../../store/consumequeue/consume-queue-layout';
import type { MessageStore, PutMessageRequest } from '../../store/message-store';
import { SystemTopic } from '../topic/system-topics';
import { effectiveDueAt } from './due-time';
import { scheduledDeliveryOf } from './scheduled-delivery';

/** What a level reads and writes: the store's facade narrowed, so tests can interpose failures. */
export type ScheduleStore = Pick<
  MessageStore,
  'readQueueEntries' | 'readMessageAt' | 'putMessages' | 'maxOffsetInQueue' | 'minOffsetInQueue'
>;

export type DelayLevelMode = 'idle' | 'armed' | 'running' | 'awaiting-visibility' | 'stopped';

/** Consume-queue entries read at a time. */
const READ_BATCH = 256;
/** First retry after a failed read or put; doubled per consecutive failure up to the maximum. */
export const DELIVERY_RETRY_MIN_MS = 100;
/** RocketMQ waits 10 s after an exception in a level's task. */
export const DELIVERY_RETRY_MAX_MS = 10_000;

export interface DelayLevelDeliveryOptions {
  /** 1-based; the level reads queue `level - 1`. */
  readonly level: number;
  readonly delayMs: number;
  readonly startOffset: number;
  readonly store: ScheduleStore;
  readonly clock: Clock;
  readonly log: Logger;
  /** The delivered offset moved (after a stored delivery or a skip): the service records it. */
  readonly onProgress: (level: number, offset: number) => void;
}

export interface DelayLevelStatus {
  readonly level: number;
  readonly delayMs: number;
  /** Consume-queue offset of the next entry to deliver: everything below it is delivered. */
  readonly deliveredOffset: number;
  /** Consume-queue offset after the last visible entry. */
  readonly maxOffset: number;
  /** Parked messages not yet delivered (maxOffset - deliveredOffset, ignoring removed entries). */
  readonly pending: number;
  /** Due time of the next delivery, when one is known (undefined: nothing pending). */
  readonly nextDueAtMs: number | undefined;
  readonly mode: DelayLevelMode;
  /** Messages delivered since start. */
  readonly delivered: number;
  /** Entries skipped since start because they could not be delivered (logged each). */
  readonly skipped: number;
  /** Consecutive failed attempts at the head entry (0 when healthy). */
  readonly failures: number;
}

type DeliveryPlan =
  | { readonly entry: ConsumeQueueEntry; readonly put: PutMessageRequest; readonly skip?: undefined }
  | { readonly entry: ConsumeQueueEntry; readonly put?: undefined; readonly skip: string };

/** Bytes of records one batch loads at most (at least one record): bounds memory for big messages. */
const BATCH_MAX_BYTES = 4 * 1024 * 1024;

/** The leading entries due at `now`, up to BATCH_MAX_BYTES of records. */
function dueEntries(
  entries: readonly ConsumeQueueEntry[],
  now: number,
  delayMs: number,
): ConsumeQueueEntry[] {
  const due: ConsumeQueueEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    if (effectiveDueAt(entry.tagsCode, now, delayMs) > now) break;
    if (due.length > 0 && bytes + entry.size > BATCH_MAX_BYTES) break;
    due.push(entry);
    bytes += entry.size;
  }
  return due;
}

export class DelayLevelDelivery {
  readonly level: number;
  readonly #queueId: number;
  readonly #options: DelayLevelDeliveryOptions;
  #mode: DelayLevelMode = 'idle';
  #offset: number;
  /** Consume-queue offset after the last entry dispatched to this queue (visible or not). */
  #dispatchedEnd = 0;
  #timer: TimerHandle | undefined;
  #pass: Promise<void> | undefined;
  #nextDueAt: number | undefined;
  #delivered = 0;
  #skipped = 0;
  #failures = 0;

  constructor(options: DelayLevelDeliveryOptions) {
    this.level = options.level;
    this.#queueId = options.level - 1;
    this.#options = options;
    this.#offset = options.startOffset;
  }

  get mode(): DelayLevelMode {
    return this.#mode;
  }

  /** Starts with a pass: whatever fell due while the broker was down is delivered now. */
  start(): void {
    this.#dispatchedEnd = Math.max(this.#dispatchedEnd, this.#maxOffset());
    this.#startPass();
  }

  /** The store dispatched an entry to this level's queue. */
  noteArrival(queueOffset: number, deliveryTimeMs: number): void {
    this.#dispatchedEnd = Math.max(this.#dispatchedEnd, queueOffset + 1);
    if (this.#mode !== 'idle') return;
    const now = this.#options.clock.now();
    this.#arm(effectiveDueAt(deliveryTimeMs, now, this.#options.delayMs));
  }

  /** The store acknowledged more data: entries this level waits for may be readable now. */
  noteConfirmed(): void {
    if (this.#mode === 'awaiting-visibility' && this.#maxOffset() > this.#offset) this.#startPass();
  }

  /** Cancels the timer and waits for a pass in progress to finish its current delivery. */
  async stop(): Promise<void> {
    this.#mode = 'stopped';
    this.#clearTimer();
    await this.#pass;
  }

  status(): DelayLevelStatus {
    const maxOffset = this.#maxOffset();
    const from = Math.max(
      this.#offset,
      this.#options.store.minOffsetInQueue(SystemTopic.SCHEDULE, this.#queueId),
    );
    const pending = Math.max(0, maxOffset - from);
    return {
      level: this.level,
      delayMs: this.#options.delayMs,
      deliveredOffset: this.#offset,
      maxOffset,
      pending,
      nextDueAtMs: this.#nextDueAt,
      mode: this.#mode,
      delivered: this.#delivered,
      skipped: this.#skipped,
      failures: this.#failures,
    };
  }

  /** A method, not a field test: stop() changes the mode while a pass awaits. */
  #isStopped(): boolean {
    return this.#mode === 'stopped';
  }

  #maxOffset(): number {
    return this.#options.store.maxOffsetInQueue(SystemTopic.SCHEDULE, this.#queueId);
  }

  #startPass(): void {
    if (this.#mode === 'stopped' || this.#mode === 'running') return;
    this.#clearTimer();
    this.#mode = 'running';
    const pass: Promise<void> = this.#deliverDue()
      .catch((error: unknown) => {
        // A read of the queue or the commit log failed (an I/O error): try again later, in order.
        this.#failures++;
        this.#options.log.error('delay level delivery failed; retrying', {
          level: this.level,
          offset: this.#offset,
          attempt: this.#failures,
          error: error instanceof Error ? error : new Error(String(error)),
        });
        this.#armRetry();
      })
      .finally(() => {
        // A timer this pass armed may already have started the next one.
        if (this.#pass === pass) this.#pass = undefined;
      });
    this.#pass = pass;
  }

  /** Delivers due entries until the queue is empty, the head is not due, or a put fails. */
  async #deliverDue(): Promise<void> {
    const { store, clock, delayMs } = this.#options;
    for (;;) {
      if (this.#isStopped()) return;
      // No await between reading the end and settling on it: an arrival or confirmation cannot
      // slip in between and be missed.
      const end = this.#maxOffset();
      const from = Math.max(this.#offset, store.minOffsetInQueue(SystemTopic.SCHEDULE, this.#queueId));
      if (from >= end) return this.#settleEmpty();
      const entries = await store.readQueueEntries(SystemTopic.SCHEDULE, this.#queueId, from, READ_BATCH);
      if (entries.length === 0) {
        // Only filler entries in the range (a queue rebuilt over removed records): nothing to deliver.
        this.#advance(Math.min(end, from + READ_BATCH));
        continue;
      }
      if (this.#isStopped()) return;
      const now = clock.now();
      const due = dueEntries(entries, now, delayMs);
      const head = effectiveDueAt(entries[0]!.tagsCode, now, delayMs);
      this.#nextDueAt = head;
      if (due.length === 0) return this.#arm(head);
      if (!(await this.#deliverBatch(due))) {
        this.#failures++;
        return this.#armRetry();
      }
      this.#failures = 0;
    }
  }

  /**
   * Stores the copies of `entries` (all due, in queue order) with one wait for durability: a burst
   * of messages due together costs one fdatasync under SYNC_FLUSH, not one each. The offset moves
   * entry by entry over what is stored or skipped and stops at the first failure: the rest of the
   * batch is tried again, in order (a copy stored after a failed one in the same batch would then
   * be delivered twice; the store fails every later put when it fails one for want of service).
   * False when a put failed.
   */
  async #deliverBatch(entries: readonly ConsumeQueueEntry[]): Promise<boolean> {
    const { store, log } = this.#options;
    const messages = await Promise.all(entries.map((entry) => store.readMessageAt(entry.commitLogOffset)));
    const plans = entries.map((entry, i): DeliveryPlan => {
      const message = messages[i];
      if (message === undefined) {
        return { entry, skip: 'its record is no longer in the commit log (removed by retention?)' };
      }
      const delivery = scheduledDeliveryOf(message);
      return delivery.ok ? { entry, put: delivery.put } : { entry, skip: delivery.reason };
    });
    const puts = plans.flatMap((plan) => (plan.put === undefined ? [] : [plan.put]));
    const results = puts.length === 0 ? [] : await store.putMessages(puts);
    let next = 0;
    for (const plan of plans) {
      const { entry } = plan;
      if (plan.put === undefined) {
        this.#skip(entry, plan.skip);
        this.#advance(entry.queueOffset + 1);
        continue;
      }
      const result = results[next++]!;
      switch (result.status) {
        case 'PUT_OK':
          this.#delivered++;
          break;
        case 'FLUSH_DISK_TIMEOUT':
          // The copy is in the commit log and becomes durable with the next flush; storing it again
          // would deliver it twice.
          log.warn('delayed message delivered, but its flush timed out', this.#describe(entry));
          this.#delivered++;
          break;
        case 'MESSAGE_ILLEGAL':
        case 'PROPERTIES_SIZE_EXCEEDED':
          // The store refuses this copy every time; retrying would block the level for good.
          this.#skip(entry, `the store refused its copy: ${result.error?.message ?? result.status}`);
          break;
        case 'SERVICE_NOT_AVAILABLE':
        case 'UNKNOWN_ERROR':
          log.error('storing a due delayed message failed; retrying', {
            ...this.#describe(entry),
            status: result.status,
            attempt: this.#failures + 1,
            error: result.error,
          });
          return false;
      }
      this.#advance(entry.queueOffset + 1);
    }
    return true;
  }

  #skip(entry: ConsumeQueueEntry, reason: string): void {
    this.#skipped++;
    this.#options.log.error(`delayed message skipped: ${reason}`, this.#describe(entry));
  }

  #describe(entry: ConsumeQueueEntry): { level: number; queueOffset: number; commitLogOffset: number } {
    return { level: this.level, queueOffset: entry.queueOffset, commitLogOffset: entry.commitLogOffset };
  }

  #advance(offset: number): void {
    if (offset <= this.#offset) return;
    this.#offset = offset;
    this.#options.onProgress(this.level, offset);
  }

  #settleEmpty(): void {
    if (this.#mode === 'stopped') return;
    // Dispatched but not yet acknowledged entries: the store's next confirmation starts a pass.
    this.#mode = this.#dispatchedEnd > this.#offset ? 'awaiting-visibility' : 'idle';
    this.#nextDueAt = undefined;
  }

  #arm(dueAt: number): void {
    if (this.#mode === 'stopped') return;
    this.#nextDueAt = dueAt;
    this.#setTimer(dueAt - this.#options.clock.now());
  }

  #armRetry(): void {
    if (this.#mode === 'stopped') return;
    const exponent = Math.min(this.#failures - 1, 16);
    this.#setTimer(Math.min(DELIVERY_RETRY_MAX_MS, DELIVERY_RETRY_MIN_MS * 2 ** exponent));
  }

  #setTimer(delayMs: number): void {
    this.#clearTimer();
    this.#mode = 'armed';
    // A level of more than ~24.8 days (Node's timer limit) wakes early and re-arms for the rest.
    const ms = Math.min(Math.max(0, delayMs), MAX_TIMER_DELAY_MS);
    this.#timer = this.#options.clock.setTimeout(() => {
      this.#timer = undefined;
      this.#startPass();
    }, ms);
  }

  #clearTimer(): void {
    if (this.#timer === undefined) return;
    this.#options.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
