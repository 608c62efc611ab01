// One rebalance of one subscribed topic (RebalanceImpl.rebalanceByTopic and
// updateProcessQueueTableInRebalance, facts §8.4), applied to the process-queue table:
//
//   1. assignment  CLUSTERING: the strategy over the sorted read queues and sorted consumer ids;
//                  BROADCASTING: every read queue.
//   2. removals    queues no longer assigned (or, push only, not pulled for 120 s): mark dropped (nothing new
//                  is consumed), persist and forget the offset, leave the table; an orderly
//                  queue is unlocked at the broker only after its in-flight listener call has
//                  returned, so the next owner never overlaps with us.
//   3. additions   orderly: wait for a pending unlock of the same queue (given away earlier), lock
//                  at the broker and skip the queue if that fails (the next rebalance retries); then the start offset, a new ProcessQueue, and a "start
//                  pulling" callback.
//
// Errors of one queue are reported in the outcome and do not stop the others.

import type { Clock } from '../../common/clock';
import type { Logger } from '../../common/logger';
import type { AllocateMessageQueues } from './allocation';
import type { ConsumerBrokerApi, MessageLike } from './consumer-broker-api';
import { NoConsumersKnownError } from './consumer-errors';
import type { ConsumeMode, MessageModel } from './consumer-modes';
import {
  compareMessageQueues,
  describeMessageQueue,
  messageQueueKey,
  type MessageQueue,
} from './message-queue';
import type { OffsetStore } from './offset-store';
import { ProcessQueue } from './process-queue';
import type { ProcessQueueTable } from './process-queue-table';
import { lockQueue } from './queue-locking';
import { computeStartOffset, type StartPolicy } from './start-offset';

export interface RebalanceSettings {
  readonly group: string;
  readonly clientId: string;
  readonly messageModel: MessageModel;
  readonly consumeMode: ConsumeMode;
  readonly allocate: AllocateMessageQueues;
  readonly startPolicy: StartPolicy;
  /**
   * Whether a queue not pulled for 120 s is dropped and rebuilt (push consumers, default true).
   * RocketMQ never does it for CONSUME_ACTIVELY (lite pull) consumers: their loops wait on poll().
   */
  readonly expireIdleQueues?: boolean;
}

export interface RebalanceDependencies<M extends MessageLike> {
  readonly api: Pick<
    ConsumerBrokerApi<M>,
    'queuesOf' | 'consumerIds' | 'lockBatch' | 'unlockBatch' | 'maxOffset' | 'searchOffset'
  >;
  readonly offsetStore: OffsetStore;
  readonly table: ProcessQueueTable<M>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** A queue was added: start its pull loop at `nextOffset`. */
  readonly startPulling: (queue: MessageQueue, processQueue: ProcessQueue<M>, nextOffset: number) => void;
  /** A queue was removed (already marked dropped): let per-queue state elsewhere go. */
  readonly queueRemoved?: (queue: MessageQueue, processQueue: ProcessQueue<M>) => void;
}

export type SkipReason = 'not-locked' | 'lock-failed' | 'start-offset-failed';

export interface RebalanceOutcome {
  readonly topic: string;
  /** What this client should own after the rebalance (sorted). */
  readonly assigned: MessageQueue[];
  readonly added: { readonly queue: MessageQueue; readonly nextOffset: number }[];
  readonly removed: MessageQueue[];
  /** Assigned but not taken this time; the next rebalance tries again. */
  readonly skipped: { readonly queue: MessageQueue; readonly reason: SkipReason; readonly error?: unknown }[];
  /**
   * Resolves once every removed orderly queue has stopped consuming and been unlocked (failures
   * are logged: the broker lock then expires on its own after 60 s). Never rejects.
   */
  readonly unlocksDone: Promise<void>;
}

export class Rebalancer<M extends MessageLike = MessageLike> {
  readonly #settings: RebalanceSettings;
  readonly #deps: RebalanceDependencies<M>;
  /** Unlocks of queues given away, by queue key, until done; a re-add waits for its queue's. */
  readonly #pendingUnlocks = new Map<string, Promise<void>>();

  constructor(settings: RebalanceSettings, deps: RebalanceDependencies<M>) {
    this.#settings = settings;
    this.#deps = deps;
  }

  get #locksQueues(): boolean {
    return this.#settings.consumeMode === 'ORDERLY' && this.#settings.messageModel === 'CLUSTERING';
  }

  /** Rebalances `topic`; a failure to learn the queues or consumers rejects and changes nothing. */
  async rebalanceTopic(topic: string): Promise<RebalanceOutcome> {
    const assigned = await this.#assignment(topic);
    const assignedKeys = new Set(assigned.map(messageQueueKey));
    const outcome: RebalanceOutcome = {
      topic,
      assigned,
      added: [],
      removed: [],
      skipped: [],
      unlocksDone: Promise.resolve(),
    };
    const unlocks: Promise<void>[] = [];
    for (const { queue, processQueue } of this.#deps.table.ofTopic(topic)) {
      if (assignedKeys.has(messageQueueKey(queue)) && !this.#isExpired(processQueue)) continue;
      unlocks.push((await this.#remove(queue, processQueue)).unlocked);
      outcome.removed.push(queue);
    }
    for (const queue of assigned) {
      if (this.#deps.table.has(queue)) continue;
      await this.#add(queue, outcome);
    }
    return { ...outcome, unlocksDone: Promise.all(unlocks).then(() => undefined) };
  }

  #isExpired(processQueue: ProcessQueue<M>): boolean {
    return (this.#settings.expireIdleQueues ?? true) && processQueue.isPullExpired();
  }

  async #assignment(topic: string): Promise<MessageQueue[]> {
    const queues = [...(await this.#deps.api.queuesOf(topic))].sort(compareMessageQueues);
    if (this.#settings.messageModel === 'BROADCASTING') return queues;
    const clientIds = [...new Set(await this.#deps.api.consumerIds(this.#settings.group, topic))].sort();
    if (clientIds.length === 0) throw new NoConsumersKnownError(this.#settings.group, topic);
    return this.#settings.allocate(queues, clientIds, this.#settings.clientId);
  }

  /** Resolves with the pending unlock (resolved at once when none is needed). */
  async #remove(queue: MessageQueue, processQueue: ProcessQueue<M>): Promise<{ unlocked: Promise<void> }> {
    processQueue.dropped = true;
    this.#deps.table.delete(queue);
    this.#deps.queueRemoved?.(queue, processQueue);
    try {
      await this.#deps.offsetStore.persist(queue);
    } catch (error) {
      // The queue is given away regardless; the next owner re-consumes from the last persisted offset.
      this.#deps.logger.warn('could not persist the offset of a queue given away', {
        group: this.#settings.group,
        queue: describeMessageQueue(queue),
        error: asError(error),
      });
    }
    this.#deps.offsetStore.removeOffset(queue);
    if (!this.#locksQueues) return { unlocked: Promise.resolve() };
    const key = messageQueueKey(queue);
    const unlocked: Promise<void> = this.#unlockWhenIdle(queue, processQueue).finally(() => {
      if (this.#pendingUnlocks.get(key) === unlocked) this.#pendingUnlocks.delete(key);
    });
    this.#pendingUnlocks.set(key, unlocked);
    return { unlocked };
  }

  async #unlockWhenIdle(queue: MessageQueue, processQueue: ProcessQueue<M>): Promise<void> {
    await processQueue.whenConsumptionIdle();
    // Re-assigned (and re-locked) meanwhile: unlocking now would release the new lock.
    if (this.#deps.table.has(queue)) return;
    try {
      await this.#deps.api.unlockBatch(queue.brokerName, [queue]);
    } catch (error) {
      this.#deps.logger.warn('could not unlock a queue given away; the broker lock expires in 60 s', {
        group: this.#settings.group,
        queue: describeMessageQueue(queue),
        error: asError(error),
      });
    }
  }

  async #add(queue: MessageQueue, outcome: RebalanceOutcome): Promise<void> {
    if (this.#locksQueues) {
      // Given away earlier and back now: the old unlock (after the old listener call returns)
      // must reach the broker before our lock, or it would release the lock we are about to take.
      // Waiting also keeps the old and the new listener calls on this queue from overlapping.
      await this.#pendingUnlocks.get(messageQueueKey(queue));
      let locked: boolean;
      try {
        locked = await lockQueue(this.#deps.api, queue);
      } catch (error) {
        outcome.skipped.push({ queue, reason: 'lock-failed', error });
        return;
      }
      if (!locked) {
        outcome.skipped.push({ queue, reason: 'not-locked' });
        return;
      }
    }
    // An offset left in memory from an earlier ownership may be stale; the store has the truth.
    this.#deps.offsetStore.removeOffset(queue);
    let nextOffset: number;
    try {
      nextOffset = await computeStartOffset(
        this.#deps.offsetStore,
        this.#deps.api,
        queue,
        this.#settings.startPolicy,
      );
    } catch (error) {
      outcome.skipped.push({ queue, reason: 'start-offset-failed', error });
      return;
    }
    const processQueue = new ProcessQueue<M>(this.#deps.clock);
    if (this.#locksQueues) processQueue.markLocked();
    this.#deps.table.set(queue, processQueue);
    outcome.added.push({ queue, nextOffset });
    this.#deps.startPulling(queue, processQueue, nextOffset);
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
