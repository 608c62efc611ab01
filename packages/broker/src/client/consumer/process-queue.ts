// ProcessQueue ([CL]impl/consumer/ProcessQueue.java): the messages of one assigned queue that have
// been pulled and not yet acknowledged, ordered by queue offset. Flow control reads its size, the
// consume services take from it, and the offset to commit is derived from it:
//
//   concurrently  messages stay cached while a listener works on them; removing finished ones
//                 yields the smallest offset still cached, so a slow message holds the commit back
//                 instead of being skipped by a crash.
//   orderly       takeMessages moves the head into a "taken" set; commitTaken acknowledges them
//                 (offset = last taken + 1); returnTaken puts them back to be consumed again.
//
// `dropped` is set when a rebalance gives the queue away: from then on nothing new is consumed
// and results are not committed. The consumption counter lets the rebalance wait until a listener
// call in progress has returned before it unlocks an orderly queue at the broker.

import type { Clock } from '../../common/clock';
import type { MessageLike } from './consumer-broker-api';

/** A local lock is trusted this long after the last successful LOCK_BATCH_MQ (broker keeps it 60 s). */
export const LOCK_MAX_LIVE_MS = 30_000;
/** A queue not pulled for this long is considered stuck and rebuilt by the rebalance. */
export const PULL_MAX_IDLE_MS = 120_000;

export class ProcessQueue<M extends MessageLike = MessageLike> {
  readonly #clock: Clock;
  /** Cached messages by queue offset; `#sortedOffsets` keeps their order. */
  readonly #cached = new Map<number, M>();
  #sortedOffsets: number[] = [];
  /** Orderly only: taken by takeMessages and not yet committed or returned. */
  readonly #taken = new Map<number, M>();
  #bodyBytes = 0;
  /** Highest offset ever cached; the commit point once everything is acknowledged. */
  #maxOffsetSeen = -1;
  #consumptionsInFlight = 0;
  #idleWaiters: (() => void)[] = [];

  dropped = false;
  locked = false;
  lastLockTimestamp = 0;
  lastPullTimestamp: number;
  lastConsumeTimestamp: number;

  constructor(clock: Clock) {
    this.#clock = clock;
    this.lastPullTimestamp = clock.now();
    this.lastConsumeTimestamp = clock.now();
  }

  /** Cached messages, including those taken by an orderly consumer and not yet committed. */
  get messageCount(): number {
    return this.#cached.size + this.#taken.size;
  }

  /** Total body bytes of `messageCount` messages. */
  get bodyBytes(): number {
    return this.#bodyBytes;
  }

  /** Highest minus lowest cached offset (0 when fewer than two); bounds how far a commit lags. */
  get offsetSpan(): number {
    const first = this.#sortedOffsets[0];
    const last = this.#sortedOffsets[this.#sortedOffsets.length - 1];
    return first === undefined || last === undefined ? 0 : last - first;
  }

  /** Caches pulled messages; one already cached or taken (same offset) is ignored. Returns how many were new. */
  putMessages(messages: readonly M[]): number {
    let added = 0;
    for (const message of messages) {
      const offset = message.queueOffset;
      if (this.#cached.has(offset) || this.#taken.has(offset)) continue;
      this.#cached.set(offset, message);
      this.#bodyBytes += message.body.length;
      if (offset > this.#maxOffsetSeen) this.#maxOffsetSeen = offset;
      added++;
    }
    if (added > 0) this.#sortedOffsets = [...this.#cached.keys()].sort((a, b) => a - b);
    return added;
  }

  /** The cached messages in offset order (a copy). */
  messages(): M[] {
    return this.#sortedOffsets.map((offset) => this.#cached.get(offset) as M);
  }

  /**
   * Acknowledges `messages` (concurrent consumption). Returns the offset to commit: the smallest
   * offset still cached, or the highest seen + 1 when nothing is left; undefined when the cache was
   * already empty (nothing to commit, as RocketMQ's −1).
   */
  removeMessages(messages: readonly MessageLike[]): number | undefined {
    if (this.#cached.size === 0) return undefined;
    let removed = false;
    for (const message of messages) {
      const cached = this.#cached.get(message.queueOffset);
      if (cached === undefined) continue;
      this.#cached.delete(message.queueOffset);
      this.#bodyBytes -= cached.body.length;
      removed = true;
    }
    if (removed) this.#sortedOffsets = this.#sortedOffsets.filter((offset) => this.#cached.has(offset));
    return this.#sortedOffsets[0] ?? this.#maxOffsetSeen + 1;
  }

  /** Orderly: moves up to `count` messages from the head of the cache into the taken set. */
  takeMessages(count: number): M[] {
    const offsets = this.#sortedOffsets.slice(0, Math.max(0, count));
    this.#sortedOffsets = this.#sortedOffsets.slice(offsets.length);
    const taken: M[] = [];
    for (const offset of offsets) {
      const message = this.#cached.get(offset) as M;
      this.#cached.delete(offset);
      this.#taken.set(offset, message);
      taken.push(message);
    }
    return taken;
  }

  /** Orderly: acknowledges every taken message; returns last taken offset + 1, or undefined if none. */
  commitTaken(): number | undefined {
    if (this.#taken.size === 0) return undefined;
    let last = -1;
    for (const [offset, message] of this.#taken) {
      if (offset > last) last = offset;
      this.#bodyBytes -= message.body.length;
    }
    this.#taken.clear();
    return last + 1;
  }

  /** Orderly: puts taken messages back at the head of the cache, to be consumed again. */
  returnTaken(messages: readonly MessageLike[]): void {
    let returned = false;
    for (const message of messages) {
      const taken = this.#taken.get(message.queueOffset);
      if (taken === undefined) continue;
      this.#taken.delete(message.queueOffset);
      this.#cached.set(message.queueOffset, taken);
      returned = true;
    }
    if (returned) this.#sortedOffsets = [...this.#cached.keys()].sort((a, b) => a - b);
  }

  /** Forgets every message (the queue's offset was reset); counters follow. */
  clear(): void {
    this.#cached.clear();
    this.#taken.clear();
    this.#sortedOffsets = [];
    this.#bodyBytes = 0;
  }

  markLocked(): void {
    this.locked = true;
    this.lastLockTimestamp = this.#clock.now();
  }

  isLockExpired(): boolean {
    return this.#clock.now() - this.lastLockTimestamp > LOCK_MAX_LIVE_MS;
  }

  /** Locked and renewed recently enough to consume in order. */
  holdsValidLock(): boolean {
    return this.locked && !this.isLockExpired();
  }

  isPullExpired(): boolean {
    return this.#clock.now() - this.lastPullTimestamp > PULL_MAX_IDLE_MS;
  }

  /** A listener call on this queue starts; pair with endConsumption. */
  beginConsumption(): void {
    this.#consumptionsInFlight++;
    this.lastConsumeTimestamp = this.#clock.now();
  }

  endConsumption(): void {
    if (this.#consumptionsInFlight === 0) return;
    this.#consumptionsInFlight--;
    if (this.#consumptionsInFlight > 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const wake of waiters) wake();
  }

  get consumptionsInFlight(): number {
    return this.#consumptionsInFlight;
  }

  /** Resolves once no listener call on this queue is in progress. */
  whenConsumptionIdle(): Promise<void> {
    if (this.#consumptionsInFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }
}
