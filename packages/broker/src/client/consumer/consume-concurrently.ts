// ConsumeMessageConcurrentlyService (facts §5.3, §8.6): the messages of every assigned queue go to
// a listener in batches of `consumeMessageBatchMaxSize`, at most `consumeThreadMax` calls at once
// (Node has no thread pool to size, so the bound is on listener calls in progress).
//
// After a call:
//   CONSUME_SUCCESS   the batch is acknowledged.
//   RECONSUME_LATER   (or a throw, or any other return value) CLUSTERING: each message is sent back to the broker, which
//                     redelivers it through %RETRY%<group> after a delay chosen by reconsumeTimes
//                     (or by the listener through context.delayLevelWhenNextConsume; -1 sends it
//                     straight to the dead-letter queue);
//                     a message whose send-back fails stays cached and is consumed again locally
//                     after 5 s. BROADCASTING: there is no retry topic per consumer, so the
//                     messages are dropped (and logged), as RocketMQ does.
// Acknowledging removes the messages from the process queue and moves the committed offset to the
// smallest offset still cached. A queue dropped by a rebalance meanwhile is left alone: its new
// owner re-consumes from the committed offset.

import type { Clock, TimerHandle } from '../../common/clock';
import type { Logger } from '../../common/logger';
import type { ConsumerBrokerApi, MessageLike } from './consumer-broker-api';
import { describeMessageQueue, type MessageQueue } from './message-queue';
import type { OffsetStore } from './offset-store';
import { positiveInteger } from './positive-integer';
import type { ProcessQueue } from './process-queue';
import type { MessageModel } from './consumer-modes';
import { tagMatches, type TagFilter } from './tag-filter';

export type ConsumeConcurrentlyStatus = 'CONSUME_SUCCESS' | 'RECONSUME_LATER';

export interface ConsumeConcurrentlyContext {
  readonly messageQueue: MessageQueue;
  /**
   * Where the batch goes after RECONSUME_LATER (RocketMQ's field of the same name): 0 (the
   * default) lets the broker pick the next retry delay, -1 sends it straight to the dead-letter
   * queue (retrying cannot help), n > 0 asks for delay level n. The listener may set it.
   */
  delayLevelWhenNextConsume: number;
}

export type ConcurrentMessageListener<M extends MessageLike> = (
  messages: readonly M[],
  context: ConsumeConcurrentlyContext,
) => ConsumeConcurrentlyStatus | Promise<ConsumeConcurrentlyStatus>;

/** consumeThreadMax. */
export const DEFAULT_CONSUME_CONCURRENCY = 20;
/** consumeMessageBatchMaxSize. */
export const DEFAULT_CONSUME_BATCH_SIZE = 1;
/** How long a message whose send-back failed waits before it is consumed again locally. */
export const LOCAL_RECONSUME_DELAY_MS = 5000;
/** delayLevelWhenNextConsume: 0 lets the broker pick 3 + reconsumeTimes. */
const BROKER_CHOOSES_DELAY_LEVEL = 0;

export interface ConcurrentConsumeOptions<M extends MessageLike> {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly group: string;
  readonly messageModel: MessageModel;
  readonly api: Pick<ConsumerBrokerApi<M>, 'sendMessageBack'>;
  readonly offsetStore: Pick<OffsetStore, 'updateOffset'>;
  readonly listener: ConcurrentMessageListener<M>;
  /** The subscription's tag filter for a topic; undefined = accept every message. */
  readonly tagFilterFor: (topic: string) => TagFilter | undefined;
  readonly maxConcurrency?: number;
  readonly batchSize?: number;
}

interface ConsumeTask<M extends MessageLike> {
  readonly queue: MessageQueue;
  readonly processQueue: ProcessQueue<M>;
  readonly messages: readonly M[];
}

export class ConcurrentConsumeService<M extends MessageLike = MessageLike> {
  readonly #options: ConcurrentConsumeOptions<M>;
  readonly #maxConcurrency: number;
  readonly #batchSize: number;
  readonly #waiting: ConsumeTask<M>[] = [];
  readonly #retryTimers = new Set<TimerHandle>();
  #active = 0;
  #idleWaiters: (() => void)[] = [];
  #stopped = false;

  constructor(options: ConcurrentConsumeOptions<M>) {
    this.#options = options;
    this.#maxConcurrency = positiveInteger(
      options.maxConcurrency ?? DEFAULT_CONSUME_CONCURRENCY,
      'maxConcurrency',
    );
    this.#batchSize = positiveInteger(options.batchSize ?? DEFAULT_CONSUME_BATCH_SIZE, 'batchSize');
  }

  /** Listener calls in progress. */
  get activeCount(): number {
    return this.#active;
  }

  /** Batches waiting for a free slot. */
  get waitingCount(): number {
    return this.#waiting.length;
  }

  /** Hands pulled messages (already in `processQueue`) to the listener. */
  submit(queue: MessageQueue, processQueue: ProcessQueue<M>, messages: readonly M[]): void {
    if (this.#stopped || processQueue.dropped) return;
    const filter = this.#options.tagFilterFor(queue.topic);
    const wanted = filter === undefined ? messages : messages.filter((m) => tagMatches(filter, m.tags));
    if (wanted.length < messages.length) {
      // The broker filters by tag hash only; a hash collision is acknowledged here unseen.
      const unwanted = messages.filter((m) => !wanted.includes(m));
      this.#acknowledge(queue, processQueue, unwanted);
    }
    for (let start = 0; start < wanted.length; start += this.#batchSize) {
      this.#waiting.push({ queue, processQueue, messages: wanted.slice(start, start + this.#batchSize) });
    }
    this.#pump();
  }

  /** Resolves when nothing is running or waiting (retries scheduled for later do not count). */
  whenIdle(): Promise<void> {
    if (this.#active === 0 && this.#waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Stops taking work: waiting batches and scheduled retries are dropped; calls in progress finish. */
  async shutdown(): Promise<void> {
    this.#stopped = true;
    this.#waiting.length = 0;
    for (const timer of this.#retryTimers) this.#options.clock.clearTimeout(timer);
    this.#retryTimers.clear();
    await this.whenIdle();
  }

  #pump(): void {
    while (this.#active < this.#maxConcurrency) {
      const task = this.#waiting.shift();
      if (task === undefined) break;
      this.#active++;
      this.#consume(task)
        .catch((error: unknown) => {
          this.#options.logger.error('consume task failed unexpectedly', {
            group: this.#options.group,
            queue: describeMessageQueue(task.queue),
            error: error instanceof Error ? error : new Error(String(error)),
          });
        })
        .finally(() => {
          this.#active--;
          this.#pump();
          this.#wakeIfIdle();
        });
    }
  }

  #wakeIfIdle(): void {
    if (this.#active > 0 || this.#waiting.length > 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const wake of waiters) wake();
  }

  async #consume(task: ConsumeTask<M>): Promise<void> {
    const { queue, processQueue, messages } = task;
    if (processQueue.dropped) return;
    const context: ConsumeConcurrentlyContext = {
      messageQueue: queue,
      delayLevelWhenNextConsume: BROKER_CHOOSES_DELAY_LEVEL,
    };
    const status = await this.#callListener(task, context);
    if (processQueue.dropped) return;
    let acknowledged: readonly M[] = messages;
    if (status === 'RECONSUME_LATER') {
      const kept =
        this.#options.messageModel === 'CLUSTERING'
          ? await this.#sendBack(task, delayLevelOf(context.delayLevelWhenNextConsume))
          : [];
      if (this.#options.messageModel === 'BROADCASTING') {
        this.#options.logger.warn('BROADCASTING consumption failed; the messages are dropped', {
          group: this.#options.group,
          queue: describeMessageQueue(queue),
          offsets: messages.map((m) => m.queueOffset).join(','),
        });
      }
      acknowledged = messages.filter((m) => !kept.includes(m));
      if (kept.length > 0) this.#reconsumeLater({ queue, processQueue, messages: kept });
    }
    this.#acknowledge(queue, processQueue, acknowledged);
  }

  async #callListener(
    task: ConsumeTask<M>,
    context: ConsumeConcurrentlyContext,
  ): Promise<ConsumeConcurrentlyStatus> {
    task.processQueue.beginConsumption();
    try {
      const status: unknown = await this.#options.listener(task.messages, context);
      if (status === 'CONSUME_SUCCESS' || status === 'RECONSUME_LATER') return status;
      // A JavaScript listener may return nothing (a forgotten return); RocketMQ treats a null
      // status as RECONSUME_LATER rather than acknowledging messages nobody said were consumed.
      this.#options.logger.warn(
        'message listener returned no status; the messages will be consumed again later',
        {
          group: this.#options.group,
          queue: describeMessageQueue(task.queue),
          returned: String(status),
        },
      );
      return 'RECONSUME_LATER';
    } catch (error) {
      this.#options.logger.warn('message listener threw; the messages will be consumed again later', {
        group: this.#options.group,
        queue: describeMessageQueue(task.queue),
        error: error instanceof Error ? error : new Error(String(error)),
      });
      return 'RECONSUME_LATER';
    } finally {
      task.processQueue.endConsumption();
    }
  }

  /** Returns the messages whose send-back failed: they stay with this consumer. */
  async #sendBack(task: ConsumeTask<M>, delayLevel: number): Promise<M[]> {
    const kept: M[] = [];
    for (const message of task.messages) {
      try {
        await this.#options.api.sendMessageBack(message, delayLevel);
      } catch (error) {
        this.#options.logger.warn('send-back failed; consuming the message again locally', {
          group: this.#options.group,
          queue: describeMessageQueue(task.queue),
          msgId: message.msgId,
          error: error instanceof Error ? error : new Error(String(error)),
        });
        kept.push(message);
      }
    }
    return kept;
  }

  #reconsumeLater(task: ConsumeTask<M>): void {
    const timer = this.#options.clock.setTimeout(() => {
      this.#retryTimers.delete(timer);
      if (this.#stopped || task.processQueue.dropped) return;
      this.#waiting.push(task);
      this.#pump();
    }, LOCAL_RECONSUME_DELAY_MS);
    this.#retryTimers.add(timer);
  }

  #acknowledge(queue: MessageQueue, processQueue: ProcessQueue<M>, messages: readonly M[]): void {
    if (messages.length === 0) return;
    const offset = processQueue.removeMessages(messages);
    if (offset !== undefined && !processQueue.dropped) {
      this.#options.offsetStore.updateOffset(queue, offset, true);
    }
  }
}

/** A listener's delayLevelWhenNextConsume as a send-back level: anything but a whole number ≥ -1 is 0. */
function delayLevelOf(value: unknown): number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= -1
    ? value
    : BROKER_CHOOSES_DELAY_LEVEL;
}
