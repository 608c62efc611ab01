// Parked PULL_MESSAGE requests (RocketMQ's PullRequestHoldService, facts §2.4). A pull that found
// nothing at the end of its queue is held instead of answered; it is woken — and the pull
// processor re-executes it, answering with the original opaque — exactly once, by the first of:
//
//   arrived   the dispatcher reports a message for its queue at or past its offset that its
//             filter accepts (a pull whose filter rejects the tag stays parked)
//   check     the periodic check (5 s; shortPollingTimeMills when long polling is off) sees the
//             queue's max offset past the pull's offset, whatever the tag: a missed or filtered
//             notification costs at most one check interval
//   timeout   its deadline (now + suspendTimeoutMillis) passed; one clock timer armed for the
//             earliest deadline answers every pull on time, not at the next 5 s check
//   shutdown  the service stops
//
// A pull whose connection closed is dropped without waking: nobody is there to answer.
//
// Indexes: pulls by `topic@queueId` (an arrival touches only its queue's pulls), by connection
// (a close touches only its pulls) and a deadline heap (a timeout touches only due pulls).

import { MAX_TIMER_DELAY_MS, type Clock, type TimerHandle } from '../../common/clock';
import { IllegalStateError } from '../../common/errors';
import { DeadlineHeap } from './deadline-heap';

export type WakeReason = 'arrived' | 'timeout' | 'check' | 'shutdown';

export interface HeldPull {
  /** The connection the answer goes to (ClientChannel.id). */
  readonly connectionId: number;
  readonly topic: string;
  readonly queueId: number;
  /** The queue offset the pull asked for; it waits for a message at or past it. */
  readonly requestOffset: number;
  /** When to answer anyway: the pull's arrival time + suspendTimeoutMillis. */
  readonly deadlineMs: number;
  /** Whether a message with this consume-queue tag code is wanted (undefined: no code known). */
  readonly filter: (tagsCode: number | undefined) => boolean;
  /** Re-executes the pull. Called exactly once, unless the connection closes first. */
  readonly wake: (reason: WakeReason) => void;
}

export interface PullRequestHoldServiceOptions {
  readonly clock: Clock;
  /** The consume queue's max offset (the next offset to be written); must not throw. */
  readonly maxOffsetOf: (topic: string, queueId: number) => number;
  /** BrokerConfig.longPollingEnable (default true). */
  readonly longPollingEnable?: boolean;
  /** BrokerConfig.shortPollingTimeMills (default 1000): the check interval without long polling. */
  readonly shortPollingTimeMs?: number;
  /** The check interval with long polling (RocketMQ: 5000 ms). */
  readonly longPollingCheckIntervalMs?: number;
  /** A pull's `wake` or `filter` threw; the service goes on with the other pulls. */
  readonly onWakeError: (error: unknown, pull: HeldPull) => void;
}

export const DEFAULT_LONG_POLLING_CHECK_INTERVAL_MS = 5_000;
export const DEFAULT_SHORT_POLLING_TIME_MS = 1_000;

/** Below this many early-woken entries the heap is left alone; compaction would cost more than it saves. */
const MIN_DEAD_ENTRIES_TO_COMPACT = 1_024;

interface Entry {
  readonly pull: HeldPull;
  readonly deadlineMs: number;
  readonly seq: number;
  done: boolean;
  /** Still in the deadline heap (woken entries stay there until they surface or a compaction). */
  inHeap: boolean;
}

interface QueueBucket {
  readonly topic: string;
  readonly queueId: number;
  readonly entries: Set<Entry>;
}

export class PullRequestHoldService {
  readonly checkIntervalMs: number;
  readonly #clock: Clock;
  readonly #maxOffsetOf: (topic: string, queueId: number) => number;
  readonly #onWakeError: (error: unknown, pull: HeldPull) => void;
  readonly #byQueue = new Map<string, QueueBucket>();
  readonly #byConnection = new Map<number, Set<Entry>>();
  readonly #deadlines = new DeadlineHeap<Entry>();
  /** Entries in the heap that were already woken or dropped. */
  #deadInHeap = 0;
  #held = 0;
  #seq = 0;
  #timeoutTimer: TimerHandle | undefined;
  #timeoutTimerDueAt: number | undefined;
  #checkTimer: TimerHandle | undefined;
  #stopped = false;

  constructor(options: PullRequestHoldServiceOptions) {
    this.#clock = options.clock;
    this.#maxOffsetOf = options.maxOffsetOf;
    this.#onWakeError = options.onWakeError;
    this.checkIntervalMs =
      options.longPollingEnable === false
        ? (options.shortPollingTimeMs ?? DEFAULT_SHORT_POLLING_TIME_MS)
        : (options.longPollingCheckIntervalMs ?? DEFAULT_LONG_POLLING_CHECK_INTERVAL_MS);
  }

  /** Pulls held now. */
  get heldCount(): number {
    return this.#held;
  }

  heldCountOf(topic: string, queueId: number): number {
    return this.#byQueue.get(queueKey(topic, queueId))?.entries.size ?? 0;
  }

  /** Starts the periodic check. Timeouts work from the first `hold`, started or not. */
  start(): void {
    if (this.#stopped) throw new IllegalStateError('PullRequestHoldService was stopped and cannot restart');
    if (this.#checkTimer !== undefined)
      throw new IllegalStateError('PullRequestHoldService is already started');
    this.#checkTimer = this.#clock.setInterval(() => this.checkHeldPulls(), this.checkIntervalMs);
  }

  /** Stops the timers and wakes every held pull with `shutdown`; later holds wake at once. */
  stop(): void {
    this.#stopped = true;
    if (this.#checkTimer !== undefined) this.#clock.clearInterval(this.#checkTimer);
    this.#checkTimer = undefined;
    this.wakeAll('shutdown');
    this.#disarmTimeout();
  }

  /**
   * Parks a pull. It is woken at once, without being parked, when the queue already moved past its
   * offset (a message arrived while the pull read the store, whose notification found nobody
   * waiting), its deadline has passed, or the service is stopped: `wake` may run inside `hold`.
   */
  hold(pull: HeldPull): void {
    const entry: Entry = { pull, deadlineMs: pull.deadlineMs, seq: this.#seq++, done: false, inHeap: false };
    if (this.#stopped) return this.#wake(entry, 'shutdown');
    if (this.#maxOffsetOf(pull.topic, pull.queueId) > pull.requestOffset) return this.#wake(entry, 'check');
    if (pull.deadlineMs <= this.#clock.now()) return this.#wake(entry, 'timeout');

    const key = queueKey(pull.topic, pull.queueId);
    let bucket = this.#byQueue.get(key);
    if (bucket === undefined) {
      bucket = { topic: pull.topic, queueId: pull.queueId, entries: new Set() };
      this.#byQueue.set(key, bucket);
    }
    bucket.entries.add(entry);
    let ofConnection = this.#byConnection.get(pull.connectionId);
    if (ofConnection === undefined) {
      ofConnection = new Set();
      this.#byConnection.set(pull.connectionId, ofConnection);
    }
    ofConnection.add(entry);
    this.#deadlines.push(entry);
    entry.inHeap = true;
    this.#held++;
    this.#armTimeout();
  }

  /**
   * The dispatcher stored a message in (topic, queueId); `maxOffset` is the queue's max offset
   * after it. Wakes the pulls of that queue that wait below `maxOffset` and accept the tag code.
   * Returns how many woke.
   */
  notifyMessageArriving(topic: string, queueId: number, maxOffset: number, tagsCode?: number): number {
    const bucket = this.#byQueue.get(queueKey(topic, queueId));
    if (bucket === undefined) return 0;
    let woken = 0;
    for (const entry of [...bucket.entries]) {
      if (entry.done || entry.pull.requestOffset >= maxOffset) continue;
      if (!this.#accepts(entry, tagsCode)) continue;
      this.#wake(entry, 'arrived');
      woken++;
    }
    return woken;
  }

  /**
   * The periodic check: wakes pulls whose queue moved past their offset (`check`) and those past
   * their deadline (`timeout`). Returns how many woke.
   */
  checkHeldPulls(): number {
    const now = this.#clock.now();
    let woken = 0;
    for (const bucket of [...this.#byQueue.values()]) {
      const maxOffset = this.#maxOffsetOf(bucket.topic, bucket.queueId);
      for (const entry of [...bucket.entries]) {
        if (entry.done) continue;
        if (entry.pull.requestOffset < maxOffset) this.#wake(entry, 'check');
        else if (entry.deadlineMs <= now) this.#wake(entry, 'timeout');
        else continue;
        woken++;
      }
    }
    this.#armTimeout();
    return woken;
  }

  /** Wakes every held pull; returns how many. */
  wakeAll(reason: WakeReason): number {
    let woken = 0;
    for (const bucket of [...this.#byQueue.values()]) {
      for (const entry of [...bucket.entries]) {
        if (entry.done) continue;
        this.#wake(entry, reason);
        woken++;
      }
    }
    this.#armTimeout();
    return woken;
  }

  /** The connection closed: drops its pulls without waking them. Returns how many. */
  removeConnection(connectionId: number): number {
    const entries = this.#byConnection.get(connectionId);
    if (entries === undefined) return 0;
    let removed = 0;
    for (const entry of [...entries]) {
      if (this.#release(entry)) removed++;
    }
    this.#armTimeout();
    return removed;
  }

  #accepts(entry: Entry, tagsCode: number | undefined): boolean {
    try {
      return entry.pull.filter(tagsCode);
    } catch (error) {
      // Wake it anyway: the re-executed pull filters again and reports the problem to its client.
      this.#onWakeError(error, entry.pull);
      return true;
    }
  }

  #wake(entry: Entry, reason: WakeReason): void {
    this.#release(entry);
    try {
      entry.pull.wake(reason);
    } catch (error) {
      this.#onWakeError(error, entry.pull);
    }
  }

  /** Takes an entry out of the indexes; false if it was already released. The heap is lazy. */
  #release(entry: Entry): boolean {
    if (entry.done) return false;
    entry.done = true;
    const { pull } = entry;
    const key = queueKey(pull.topic, pull.queueId);
    const bucket = this.#byQueue.get(key);
    if (bucket !== undefined && bucket.entries.delete(entry)) {
      this.#held--;
      if (bucket.entries.size === 0) this.#byQueue.delete(key);
    }
    if (entry.inHeap) this.#deadInHeap++;
    const ofConnection = this.#byConnection.get(pull.connectionId);
    if (ofConnection !== undefined) {
      ofConnection.delete(entry);
      if (ofConnection.size === 0) this.#byConnection.delete(pull.connectionId);
    }
    return true;
  }

  #onTimeoutTimer(): void {
    this.#timeoutTimer = undefined;
    this.#timeoutTimerDueAt = undefined;
    const now = this.#clock.now();
    for (;;) {
      const top = this.#deadlines.peek();
      if (top === undefined || (!top.done && top.deadlineMs > now)) break;
      this.#popDeadline();
      if (!top.done) this.#wake(top, 'timeout');
    }
    this.#armTimeout();
  }

  #popDeadline(): void {
    const entry = this.#deadlines.pop();
    if (entry === undefined) return;
    entry.inHeap = false;
    if (entry.done) this.#deadInHeap--;
  }

  /** Points the single timeout timer at the earliest live deadline (or clears it). */
  #armTimeout(): void {
    this.#dropDeadTop();
    if (this.#deadInHeap >= MIN_DEAD_ENTRIES_TO_COMPACT && this.#deadInHeap * 2 > this.#deadlines.size) {
      this.#deadlines.compact((entry) => {
        if (entry.done) entry.inHeap = false;
        return !entry.done;
      });
      this.#deadInHeap = 0;
    }
    const next = this.#deadlines.peek();
    if (next === undefined) return this.#disarmTimeout();
    if (this.#timeoutTimerDueAt === next.deadlineMs) return;
    this.#disarmTimeout();
    this.#timeoutTimerDueAt = next.deadlineMs;
    // suspendTimeoutMillis is a client-chosen long (up to 2^53 - 1; RocketMQ polls deadlines, so a
    // huge one just holds the pull until a message arrives), but a timer cannot wait longer than
    // MAX_TIMER_DELAY_MS: the clock throws, which used to fail the pull with a RangeError and leave
    // it parked. Wait at most that long; #onTimeoutTimer then re-arms for the rest.
    this.#timeoutTimer = this.#clock.setTimeout(
      () => this.#onTimeoutTimer(),
      Math.min(MAX_TIMER_DELAY_MS, Math.max(0, next.deadlineMs - this.#clock.now())),
    );
  }

  #dropDeadTop(): void {
    while (this.#deadlines.peek()?.done === true) this.#popDeadline();
  }

  #disarmTimeout(): void {
    if (this.#timeoutTimer !== undefined) this.#clock.clearTimeout(this.#timeoutTimer);
    this.#timeoutTimer = undefined;
    this.#timeoutTimerDueAt = undefined;
  }
}

function queueKey(topic: string, queueId: number): string {
  return `${topic}@${queueId}`;
}
