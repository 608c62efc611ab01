// Broker-side queue locks for orderly consumers (RocketMQ's RebalanceLockManager, facts §2.10).
// Per consumer group, a queue is owned by at most one client id. The owner renews the lock every
// 20 s (LOCK_BATCH_MQ); a lock not renewed for `lockMaxLiveMs` (60 s) has expired and the next
// client asking gets it. A live lock of another client is never handed over: two clients consuming
// one queue at once would break the order the lock exists for.

import type { MessageQueue } from './message-queue';
import { messageQueueKey } from './message-queue';

/** rocketmq.broker.rebalance.lockMaxLiveTime. */
export const DEFAULT_LOCK_MAX_LIVE_MS = 60_000;

export interface RebalanceLockManagerOptions {
  readonly lockMaxLiveMs?: number;
}

export interface QueueLock {
  readonly mq: MessageQueue;
  readonly clientId: string;
  readonly lastUpdate: number;
}

export class RebalanceLockManager {
  readonly lockMaxLiveMs: number;
  /** group → queue key → lock. */
  readonly #groups = new Map<string, Map<string, QueueLock>>();

  constructor(options: RebalanceLockManagerOptions = {}) {
    this.lockMaxLiveMs = options.lockMaxLiveMs ?? DEFAULT_LOCK_MAX_LIVE_MS;
  }

  /**
   * LOCK_BATCH_MQ: locks (or renews) each queue that is free, expired or already the client's, and
   * returns those — the lockOKMQSet. Queues another client holds live are left out.
   */
  tryLockBatch(group: string, mqs: Iterable<MessageQueue>, clientId: string, now: number): MessageQueue[] {
    let locks = this.#groups.get(group);
    if (locks === undefined) {
      locks = new Map();
      this.#groups.set(group, locks);
    }
    const granted: MessageQueue[] = [];
    for (const mq of mqs) {
      const key = messageQueueKey(mq);
      const current = locks.get(key);
      if (current !== undefined && current.clientId !== clientId && !this.#expired(current, now)) continue;
      locks.set(key, { mq, clientId, lastUpdate: now });
      granted.push(mq);
    }
    if (locks.size === 0) this.#groups.delete(group);
    return granted;
  }

  /** UNLOCK_BATCH_MQ: releases the queues the client holds; others' locks are untouched. */
  unlockBatch(group: string, mqs: Iterable<MessageQueue>, clientId: string): void {
    const locks = this.#groups.get(group);
    if (locks === undefined) return;
    for (const mq of mqs) {
      const key = messageQueueKey(mq);
      if (locks.get(key)?.clientId === clientId) locks.delete(key);
    }
    if (locks.size === 0) this.#groups.delete(group);
  }

  /** Whether `clientId` holds a live lock on the queue. */
  isLockedBy(group: string, mq: MessageQueue, clientId: string, now: number): boolean {
    const lock = this.#groups.get(group)?.get(messageQueueKey(mq));
    return lock !== undefined && lock.clientId === clientId && !this.#expired(lock, now);
  }

  /** The live lock on a queue, if any. */
  lockOf(group: string, mq: MessageQueue, now: number): QueueLock | undefined {
    const lock = this.#groups.get(group)?.get(messageQueueKey(mq));
    return lock === undefined || this.#expired(lock, now) ? undefined : lock;
  }

  /**
   * Forgets expired locks so the table does not keep every queue ever locked (RocketMQ keeps them);
   * returns how many were dropped. The broker calls it from a periodic housekeeping task.
   */
  purgeExpired(now: number): number {
    let purged = 0;
    for (const [group, locks] of this.#groups) {
      for (const [key, lock] of locks) {
        if (this.#expired(lock, now)) {
          locks.delete(key);
          purged++;
        }
      }
      if (locks.size === 0) this.#groups.delete(group);
    }
    return purged;
  }

  #expired(lock: QueueLock, now: number): boolean {
    return now - lock.lastUpdate > this.lockMaxLiveMs;
  }
}
