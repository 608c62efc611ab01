// The pull loops of a consumer (PullMessageService + DefaultMQPushConsumerImpl.pullMessage, facts
// §8.3): one loop per assigned queue, each with at most one pull in flight. Before each pull the
// flow-control decision (decidePull) may delay or stop it; after it:
//
//   FOUND                 cache the messages in the process queue, hand them on, pull again at once
//   NO_NEW_MSG /          pull again at once from nextBeginOffset (the broker held the pull up to
//   NO_MATCHED_MSG        suspendMs); with nothing cached, the offset moves there too
//                         (correctTagsOffset), so a queue of filtered-out messages still advances
//   OFFSET_ILLEGAL        adopt nextBeginOffset as the queue's offset and hand the queue back
//                         (onOffsetIllegal) to be rebuilt by the next rebalance
//   error                 pull again after pullDelayOnErrorMs
//
// A loop ends when its process queue is dropped or the loops are stopped; a pull in flight then
// is not waited for, and its messages are discarded (their offsets were never committed).

import type { Clock, TimerHandle } from '../../common/clock';
import type { Logger } from '../../common/logger';
import type { ConsumerBrokerApi, MessageLike } from './consumer-broker-api';
import type { ConsumeMode, MessageModel } from './consumer-modes';
import { decidePull, type FlowControlLimits } from './flow-control';
import { describeMessageQueue, type MessageQueue } from './message-queue';
import type { OffsetStore } from './offset-store';
import type { ProcessQueue } from './process-queue';

/** The broker holds a pull this long when there is nothing new (push consumer: 15 s). */
export const DEFAULT_BROKER_SUSPEND_MS = 15_000;
/** CONSUMER_TIMEOUT_MILLIS_WHEN_SUSPEND: the RPC outlives the hold. */
export const DEFAULT_PULL_TIMEOUT_MS = 30_000;
/** pullTimeDelayMillsWhenException. */
export const DEFAULT_PULL_DELAY_ON_ERROR_MS = 1000;
/** pullBatchSize of the push consumer. */
export const DEFAULT_PULL_BATCH_SIZE = 32;

export interface PullLoopOptions<M extends MessageLike> {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly group: string;
  readonly api: Pick<ConsumerBrokerApi<M>, 'pull'>;
  readonly offsetStore: Pick<OffsetStore, 'readOffset' | 'updateOffset'>;
  readonly messageModel: MessageModel;
  readonly consumeMode: ConsumeMode;
  readonly limits: FlowControlLimits;
  readonly pullBatchSize: number;
  readonly suspendMs: number;
  readonly pullTimeoutMs: number;
  readonly pullDelayOnErrorMs: number;
  /** Orderly CLUSTERING consumers pull only queues whose broker lock they hold. */
  readonly requiresLock: boolean;
  /** Whether committed offsets ride on pulls (CLUSTERING push consumers). */
  readonly commitOffsetOnPull: boolean;
  /** Whether an empty queue's offset follows nextBeginOffset (push consumers; see the top). */
  readonly advanceIdleOffset: boolean;
  readonly expressionOf: (topic: string) => string;
  readonly isPaused: () => boolean;
  /** New messages are cached in `processQueue`. */
  readonly onFound: (queue: MessageQueue, processQueue: ProcessQueue<M>, messages: readonly M[]) => void;
  /** The broker moved the queue's offset; the loop has ended and the queue should be rebuilt. */
  readonly onOffsetIllegal: (queue: MessageQueue, processQueue: ProcessQueue<M>) => void;
}

export class PullLoops<M extends MessageLike = MessageLike> {
  readonly #options: PullLoopOptions<M>;
  readonly #timers = new Set<TimerHandle>();
  #running = 0;
  #stopped = false;
  #failures = 0;

  constructor(options: PullLoopOptions<M>) {
    this.#options = options;
  }

  /** Loops not ended yet (pulling, waiting for a pull, or delayed). */
  get activeLoops(): number {
    return this.#running;
  }

  /** Pulls that failed so far. */
  get failedPulls(): number {
    return this.#failures;
  }

  /** Starts the loop of one queue at `nextOffset`. */
  start(queue: MessageQueue, processQueue: ProcessQueue<M>, nextOffset: number): void {
    if (this.#stopped) return;
    this.#running++;
    this.#step(queue, processQueue, nextOffset);
  }

  /** Ends every loop: delayed pulls are cancelled, results of pulls in flight are discarded. */
  stop(): void {
    this.#stopped = true;
    for (const timer of this.#timers) this.#options.clock.clearTimeout(timer);
    this.#timers.clear();
  }

  #step(queue: MessageQueue, processQueue: ProcessQueue<M>, offset: number): void {
    if (this.#ended(processQueue)) return this.#end();
    // Before pause and flow control, as RocketMQ's pullMessage: a queue held back for long is
    // alive, not "pull expired"; dropping it would have its cached messages consumed twice.
    processQueue.lastPullTimestamp = this.#options.clock.now();
    const decision = decidePull(
      {
        dropped: processQueue.dropped,
        messageCount: processQueue.messageCount,
        bodyBytes: processQueue.bodyBytes,
        offsetSpan: processQueue.offsetSpan,
        locked: processQueue.holdsValidLock(),
      },
      {
        mode: this.#options.consumeMode,
        paused: this.#options.isPaused(),
        requiresLock: this.#options.requiresLock,
        limits: this.#options.limits,
      },
    );
    if (decision.kind === 'stop') return this.#end();
    if (decision.kind === 'delay') return this.#later(queue, processQueue, offset, decision.delayMs);
    void this.#pull(queue, processQueue, offset);
  }

  async #pull(queue: MessageQueue, processQueue: ProcessQueue<M>, offset: number): Promise<void> {
    const options = this.#options;
    let next: number;
    try {
      const commitOffset = options.commitOffsetOnPull
        ? await options.offsetStore.readOffset(queue, 'memory')
        : undefined;
      const result = await options.api.pull(queue, {
        offset,
        maxNums: options.pullBatchSize,
        subscriptionExpression: options.expressionOf(queue.topic),
        commitOffset,
        suspendMs: options.suspendMs,
        timeoutMs: options.pullTimeoutMs,
      });
      if (this.#ended(processQueue)) return this.#end();
      next = result.nextBeginOffset;
      switch (result.status) {
        case 'FOUND':
          if (processQueue.putMessages(result.messages) > 0) {
            options.onFound(queue, processQueue, result.messages);
          }
          break;
        case 'NO_NEW_MSG':
        case 'NO_MATCHED_MSG':
          if (options.advanceIdleOffset && processQueue.messageCount === 0) {
            options.offsetStore.updateOffset(queue, next, true);
          }
          break;
        case 'OFFSET_ILLEGAL':
          options.logger.warn('the broker moved the offset of a queue; rebuilding it', {
            group: options.group,
            queue: describeMessageQueue(queue),
            requested: offset,
            nextBeginOffset: next,
          });
          processQueue.dropped = true;
          options.offsetStore.updateOffset(queue, next, false);
          options.onOffsetIllegal(queue, processQueue);
          return this.#end();
      }
    } catch (error) {
      if (this.#ended(processQueue)) return this.#end();
      this.#failures++;
      options.logger.warn('pull failed; trying again later', {
        group: options.group,
        queue: describeMessageQueue(queue),
        offset,
        failures: this.#failures,
        error: error instanceof Error ? error : new Error(String(error)),
      });
      return this.#later(queue, processQueue, offset, options.pullDelayOnErrorMs);
    }
    this.#step(queue, processQueue, next);
  }

  #later(queue: MessageQueue, processQueue: ProcessQueue<M>, offset: number, delayMs: number): void {
    const timer = this.#options.clock.setTimeout(() => {
      this.#timers.delete(timer);
      this.#step(queue, processQueue, offset);
    }, delayMs);
    this.#timers.add(timer);
  }

  #ended(processQueue: ProcessQueue<M>): boolean {
    return this.#stopped || processQueue.dropped;
  }

  #end(): void {
    this.#running--;
  }
}
