// ConsumeMessageOrderlyService (facts §5.3, §8.6): each queue is consumed one batch at a time, in
// offset order, and in CLUSTERING only while this client holds the queue's broker lock (renewed
// within the last 30 s). Per queue, a drain loop takes the head of the process queue, calls the
// listener, and then:
//
//   SUCCESS                         commits: the offset moves past the batch.
//   SUSPEND_CURRENT_QUEUE_A_MOMENT  (or a throw, or any other return value) puts the batch back and pauses the queue for
//                                   suspendCurrentQueueMs; the same messages come again, with a
//                                   local reconsume count. Nothing goes to the broker, so order
//                                   holds.
//
// Decision (RocketMQ's orderly default is to retry forever, which blocks the queue behind one bad
// message): after maxReconsumeTimes (default 16) local retries a message is sent straight to the
// dead-letter queue with sendMessageBack(message, −1) and the queue moves on; if that send fails
// the queue stays suspended and tries again. A listener that knows retrying cannot help calls
// context.deadLetter(message) before returning SUSPEND_CURRENT_QUEUE_A_MOMENT: the same path, at once.
//
// The rebalance guarantee: the loop checks `dropped` before every listener call and commits
// nothing after one, and the ProcessQueue's consumption counter is held across the call, so once
// a queue is dropped no new call starts and the rebalance's unlock waits for the one in progress.

import type { Clock, TimerHandle } from '../../common/clock';
import type { Logger } from '../../common/logger';
import type { ConsumerBrokerApi, MessageLike } from './consumer-broker-api';
import type { MessageModel } from './consumer-modes';
import { describeMessageQueue, type MessageQueue } from './message-queue';
import type { OffsetStore } from './offset-store';
import { positiveInteger } from './positive-integer';
import type { ProcessQueue } from './process-queue';
import { lockQueue } from './queue-locking';
import { tagMatches, type TagFilter } from './tag-filter';

export type ConsumeOrderlyStatus = 'SUCCESS' | 'SUSPEND_CURRENT_QUEUE_A_MOMENT';

export interface ConsumeOrderlyContext<M extends MessageLike> {
  readonly messageQueue: MessageQueue;
  /** Broker redeliveries plus local retries of `message`: how often it was offered before. */
  reconsumeTimesOf(message: M): number;
  /**
   * Retrying `message` cannot help: when this call ends with SUSPEND_CURRENT_QUEUE_A_MOMENT, it goes
   * to the dead-letter queue at once, as if it were out of retries, and the queue moves past it.
   */
  deadLetter(message: M): void;
}

export type OrderlyMessageListener<M extends MessageLike> = (
  messages: readonly M[],
  context: ConsumeOrderlyContext<M>,
) => ConsumeOrderlyStatus | Promise<ConsumeOrderlyStatus>;

/** suspendCurrentQueueTimeMillis. */
export const DEFAULT_SUSPEND_CURRENT_QUEUE_MS = 1000;
/** Local retries before a message goes to the dead-letter queue (see the top of this file). */
export const DEFAULT_ORDERLY_MAX_RECONSUME_TIMES = 16;
/** rocketmq.client.maxTimeConsumeContinuously: one queue yields to the event loop after this long. */
export const MAX_TIME_CONSUME_CONTINUOUSLY_MS = 60_000;
/** ConsumeMessageOrderlyService: a queue found unlocked is locked again after 10 ms ... */
export const RELOCK_DELAY_MS = 10;
/** ... and, if the broker refused, consumption is tried again after 3 s. */
export const RELOCK_REFUSED_DELAY_MS = 3000;
/** Resume right after a successful relock or a yield. */
const RESUME_DELAY_MS = 10;
/** sendMessageBack's level for "straight to the dead-letter queue". */
const DEAD_LETTER_DELAY_LEVEL = -1;

export interface OrderlyConsumeOptions<M extends MessageLike> {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly group: string;
  readonly messageModel: MessageModel;
  readonly api: Pick<ConsumerBrokerApi<M>, 'sendMessageBack' | 'lockBatch'>;
  readonly offsetStore: Pick<OffsetStore, 'updateOffset'>;
  readonly listener: OrderlyMessageListener<M>;
  readonly tagFilterFor: (topic: string) => TagFilter | undefined;
  readonly batchSize?: number;
  readonly suspendCurrentQueueMs?: number;
  readonly maxReconsumeTimes?: number;
}

interface QueueRun {
  /** A drain loop is running, a resume is scheduled, or a relock is in progress. */
  busy: boolean;
  timer: TimerHandle | undefined;
  /** Local retries by queue offset; forgotten when the message is committed. */
  readonly localReconsumes: Map<number, number>;
  /**
   * Queue offsets already sent to the dead-letter queue but not committed yet: with batches of
   * several messages the rest of the batch may be offered again, without these.
   */
  readonly deadLettered: Set<number>;
  /** Queue offsets the listener asked to dead-letter (context.deadLetter) in the current call. */
  readonly deadLetterAsked: Set<number>;
}

export class OrderlyConsumeService<M extends MessageLike = MessageLike> {
  readonly #options: OrderlyConsumeOptions<M>;
  readonly #batchSize: number;
  readonly #suspendMs: number;
  readonly #maxReconsumeTimes: number;
  readonly #runs = new Map<ProcessQueue<M>, QueueRun>();
  readonly #inProgress = new Set<Promise<void>>();
  #stopped = false;

  constructor(options: OrderlyConsumeOptions<M>) {
    this.#options = options;
    this.#batchSize = positiveInteger(options.batchSize ?? 1, 'consumeMessageBatchMaxSize');
    this.#suspendMs = positiveInteger(
      options.suspendCurrentQueueMs ?? DEFAULT_SUSPEND_CURRENT_QUEUE_MS,
      'suspendCurrentQueueTimeMillis',
    );
    this.#maxReconsumeTimes = positiveInteger(
      options.maxReconsumeTimes ?? DEFAULT_ORDERLY_MAX_RECONSUME_TIMES,
      'maxReconsumeTimes',
    );
  }

  get #requiresLock(): boolean {
    return this.#options.messageModel === 'CLUSTERING';
  }

  /** Queues with per-queue state (retry counts, a drain or a scheduled resume); for monitoring and tests. */
  get trackedQueues(): number {
    return this.#runs.size;
  }

  /** New messages are in `processQueue`: start draining it unless that is already going on. */
  submit(queue: MessageQueue, processQueue: ProcessQueue<M>): void {
    if (this.#stopped) return;
    if (processQueue.dropped) return this.forget(processQueue);
    const run = this.#runOf(processQueue);
    if (run.busy) return;
    run.busy = true;
    this.#track(this.#drain(queue, processQueue, run));
  }

  /**
   * `processQueue` was dropped (a rebalance gave it away): forget its state. A drain or resume in
   * progress forgets it itself when it sees the drop; an idle queue has nobody else to do it.
   */
  forget(processQueue: ProcessQueue<M>): void {
    const run = this.#runs.get(processQueue);
    if (run !== undefined && !run.busy) this.#runs.delete(processQueue);
  }

  /** Resolves once no drain loop or relock is in progress (scheduled resumes do not count). */
  async whenIdle(): Promise<void> {
    while (this.#inProgress.size > 0) await Promise.all([...this.#inProgress]);
  }

  /** Stops every queue: scheduled resumes are cancelled, calls in progress finish. */
  async shutdown(): Promise<void> {
    this.#stopped = true;
    for (const run of this.#runs.values()) {
      if (run.timer !== undefined) this.#options.clock.clearTimeout(run.timer);
      run.timer = undefined;
    }
    await this.whenIdle();
    this.#runs.clear();
  }

  #runOf(processQueue: ProcessQueue<M>): QueueRun {
    let run = this.#runs.get(processQueue);
    if (run === undefined) {
      run = {
        busy: false,
        timer: undefined,
        localReconsumes: new Map(),
        deadLettered: new Set(),
        deadLetterAsked: new Set(),
      };
      this.#runs.set(processQueue, run);
    }
    return run;
  }

  #track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => {
      this.#options.logger.error('orderly consumption failed unexpectedly', {
        group: this.#options.group,
        error: error instanceof Error ? error : new Error(String(error)),
      });
    });
    this.#inProgress.add(tracked);
    void tracked.finally(() => this.#inProgress.delete(tracked));
  }

  /** Consumes until the queue is empty, dropped, unlocked, suspended or due to yield. */
  async #drain(queue: MessageQueue, processQueue: ProcessQueue<M>, run: QueueRun): Promise<void> {
    const startedAt = this.#options.clock.now();
    for (;;) {
      if (this.#stopped || processQueue.dropped) return this.#finish(processQueue, run);
      if (this.#requiresLock && !processQueue.holdsValidLock()) {
        return this.#later(run, RELOCK_DELAY_MS, () => this.#relock(queue, processQueue, run));
      }
      if (this.#options.clock.now() - startedAt > MAX_TIME_CONSUME_CONTINUOUSLY_MS) {
        return this.#later(run, RESUME_DELAY_MS, () => this.#drain(queue, processQueue, run));
      }
      const batch = processQueue.takeMessages(this.#batchSize);
      if (batch.length === 0) return this.#finish(processQueue, run);
      const status = await this.#consumeBatch(queue, processQueue, run, batch);
      // Given away meanwhile: the new owner starts from the last committed offset.
      if (processQueue.dropped) return this.#finish(processQueue, run);
      if (status === 'SUSPEND_CURRENT_QUEUE_A_MOMENT' && (await this.#mustSuspend(queue, run, batch))) {
        processQueue.returnTaken(batch);
        return this.#later(run, this.#suspendMs, () => this.#drain(queue, processQueue, run));
      }
      this.#commit(queue, processQueue, run, batch);
    }
  }

  async #consumeBatch(
    queue: MessageQueue,
    processQueue: ProcessQueue<M>,
    run: QueueRun,
    batch: readonly M[],
  ): Promise<ConsumeOrderlyStatus> {
    const filter = this.#options.tagFilterFor(queue.topic);
    const wanted = batch.filter(
      (m) => !run.deadLettered.has(m.queueOffset) && (filter === undefined || tagMatches(filter, m.tags)),
    );
    // Only tag-hash collisions and dead-lettered messages: acknowledged without the listener.
    if (wanted.length === 0) return 'SUCCESS';
    const context: ConsumeOrderlyContext<M> = {
      messageQueue: queue,
      reconsumeTimesOf: (message) =>
        message.reconsumeTimes + (run.localReconsumes.get(message.queueOffset) ?? 0),
      deadLetter: (message) => {
        if (wanted.includes(message)) run.deadLetterAsked.add(message.queueOffset);
      },
    };
    run.deadLetterAsked.clear();
    processQueue.beginConsumption();
    try {
      const status: unknown = await this.#options.listener(wanted, context);
      if (status === 'SUCCESS' || status === 'SUSPEND_CURRENT_QUEUE_A_MOMENT') return status;
      // RocketMQ maps a null status to SUSPEND_CURRENT_QUEUE_A_MOMENT: nothing unconfirmed commits.
      this.#options.logger.warn('orderly listener returned no status; suspending the queue', {
        group: this.#options.group,
        queue: describeMessageQueue(queue),
        returned: String(status),
      });
      return 'SUSPEND_CURRENT_QUEUE_A_MOMENT';
    } catch (error) {
      this.#options.logger.warn('orderly listener threw; suspending the queue', {
        group: this.#options.group,
        queue: describeMessageQueue(queue),
        error: error instanceof Error ? error : new Error(String(error)),
      });
      return 'SUSPEND_CURRENT_QUEUE_A_MOMENT';
    } finally {
      processQueue.endConsumption();
    }
  }

  /**
   * Counts a failed attempt of each message; those out of retries go to the dead-letter queue.
   * True when the queue must pause and offer the batch again.
   */
  async #mustSuspend(queue: MessageQueue, run: QueueRun, batch: readonly M[]): Promise<boolean> {
    let suspend = false;
    for (const message of batch) {
      if (run.deadLettered.has(message.queueOffset)) continue;
      const local = run.localReconsumes.get(message.queueOffset) ?? 0;
      const asked = run.deadLetterAsked.has(message.queueOffset);
      if (asked || message.reconsumeTimes + local >= this.#maxReconsumeTimes) {
        try {
          await this.#options.api.sendMessageBack(message, DEAD_LETTER_DELAY_LEVEL);
          run.deadLettered.add(message.queueOffset);
          this.#options.logger.warn(
            asked
              ? 'message sent to the dead-letter queue as the listener asked'
              : 'message out of orderly retries sent to the dead-letter queue',
            { group: this.#options.group, queue: describeMessageQueue(queue), msgId: message.msgId },
          );
          continue;
        } catch (error) {
          this.#options.logger.warn('could not send a message to the dead-letter queue; retrying it', {
            group: this.#options.group,
            queue: describeMessageQueue(queue),
            msgId: message.msgId,
            error: error instanceof Error ? error : new Error(String(error)),
          });
        }
      }
      run.localReconsumes.set(message.queueOffset, local + 1);
      suspend = true;
    }
    return suspend;
  }

  #commit(queue: MessageQueue, processQueue: ProcessQueue<M>, run: QueueRun, batch: readonly M[]): void {
    for (const message of batch) {
      run.localReconsumes.delete(message.queueOffset);
      run.deadLettered.delete(message.queueOffset);
    }
    const offset = processQueue.commitTaken();
    if (offset !== undefined) this.#options.offsetStore.updateOffset(queue, offset, false);
  }

  async #relock(queue: MessageQueue, processQueue: ProcessQueue<M>, run: QueueRun): Promise<void> {
    if (this.#stopped || processQueue.dropped) return this.#finish(processQueue, run);
    let locked = false;
    try {
      locked = await lockQueue(this.#options.api, queue);
    } catch (error) {
      this.#options.logger.warn('could not lock a queue for orderly consumption', {
        group: this.#options.group,
        queue: describeMessageQueue(queue),
        error: error instanceof Error ? error : new Error(String(error)),
      });
    }
    if (locked && !processQueue.dropped) processQueue.markLocked();
    return this.#later(run, locked ? RESUME_DELAY_MS : RELOCK_REFUSED_DELAY_MS, () =>
      this.#drain(queue, processQueue, run),
    );
  }

  #later(run: QueueRun, delayMs: number, next: () => Promise<void>): void {
    if (this.#stopped) return;
    run.timer = this.#options.clock.setTimeout(() => {
      run.timer = undefined;
      this.#track(next());
    }, delayMs);
  }

  #finish(processQueue: ProcessQueue<M>, run: QueueRun): void {
    run.busy = false;
    if (processQueue.dropped) this.#runs.delete(processQueue);
  }
}
