// Delay-level delivery (RocketMQ's ScheduleMessageService): a message sent with DELAY=n is parked
// in SCHEDULE_TOPIC_XXXX queue n-1 (delivery/send-routing.ts), its consume-queue tagsCode being its
// delivery time; this service runs one DelayLevelDelivery per configured level, which writes each
// message to its REAL_TOPIC/REAL_QID when due.
//
// Progress is config/delayOffset.json (RocketMQ's format): per level, the consume-queue offset below
// which every message is delivered. It is written every flushDelayOffsetInterval and at stop, and
// claims only durable deliveries: a level reports an offset once the copies below it are stored
// (acknowledged, which under ASYNC_FLUSH is not yet on disk), and a write takes the levels' offsets,
// flushes the commit log, then records those offsets. So after a crash, even a power loss, a
// restart delivers again at most what was delivered since the last write (at-least-once), never
// skips.
//
// A SLAVE holds the parked messages (replicated) but never delivers them: its master does, and the
// delivered copies reach the slave by replication.

import type { Clock, TimerHandle } from '../../common/clock';
import { IllegalStateError } from '../../common/errors';
import type { Logger } from '../../common/logger';
import type { Disk } from '../../store/disk/disk';
import type { MessageStore } from '../../store/message-store';
import { DelayOffsetFile, type DelayOffsetJson } from '../../store/metadata/delay-offset-file';
import { SystemTopic } from '../topic/system-topics';
import { DelayLevelDelivery, type DelayLevelStatus, type ScheduleStore } from './delay-level-delivery';

export interface ScheduleMessageServiceOptions {
  readonly store: ScheduleStore & Pick<MessageStore, 'onDispatch' | 'onConfirmed' | 'flush'>;
  readonly clock: Clock;
  readonly log: Logger;
  /** messageDelayLevel parsed: index 0 holds level 1. */
  readonly delayLevelsMs: readonly number[];
  readonly offsets: DelayOffsetFile;
  readonly flushDelayOffsetIntervalMs: number;
  /** False on a SLAVE: the service keeps its offsets table but delivers nothing. */
  readonly deliver: boolean;
}

export interface ScheduleStatus {
  /** False on a SLAVE, and before start / after stop. */
  readonly delivering: boolean;
  /** One per configured level, level 1 first. */
  readonly levels: readonly DelayLevelStatus[];
}

export class ScheduleMessageService {
  readonly #options: ScheduleMessageServiceOptions;
  readonly #levels: readonly DelayLevelDelivery[];
  /** Each level's delivered offset as reported, not yet recorded in the offsets file (see the top). */
  readonly #progress = new Map<number, number>();
  #state: 'new' | 'started' | 'stopped' = 'new';
  #flushTimer: TimerHandle | undefined;

  constructor(options: ScheduleMessageServiceOptions) {
    this.#options = options;
    const { store, offsets } = options;
    this.#levels = options.delayLevelsMs.map((delayMs, index) => {
      const level = index + 1;
      return new DelayLevelDelivery({
        level,
        delayMs,
        startOffset: startOffsetOf(level, offsets, store, options.log),
        store,
        clock: options.clock,
        log: options.log,
        onProgress: (progressed, offset) => this.#progress.set(progressed, offset),
      });
    });
    // The store has no way to remove a listener; these do nothing unless the service is delivering.
    store.onDispatch((request) => {
      if (request.topic !== SystemTopic.SCHEDULE || !this.#delivering) return;
      this.#levels[request.queueId]?.noteArrival(request.queueOffset, request.tagsCode);
    });
    store.onConfirmed(() => {
      if (!this.#delivering) return;
      for (const level of this.#levels) level.noteConfirmed();
    });
  }

  /** Loads config/delayOffset.json (or its .bak; none: every level from offset 0). */
  static async load(
    options: Omit<ScheduleMessageServiceOptions, 'offsets'> & { readonly disk: Disk; readonly path: string },
  ): Promise<ScheduleMessageService> {
    const offsets = await DelayOffsetFile.load({
      disk: options.disk,
      path: options.path,
      clock: options.clock,
    });
    if (offsets.loadResult.source === 'backup') {
      options.log.warn('delay offsets restored from the backup file', {
        path: offsets.loadResult.path,
        problem: String(offsets.loadResult.mainProblem),
      });
    }
    return new ScheduleMessageService({ ...options, offsets });
  }

  get #delivering(): boolean {
    return this.#state === 'started' && this.#options.deliver;
  }

  /** Starts every level (on a master) and the periodic write of the offsets. */
  start(): void {
    if (this.#state !== 'new') return;
    this.#state = 'started';
    if (!this.#options.deliver) return;
    for (const level of this.#levels) level.start();
    this.#flushTimer = this.#options.clock.setInterval(() => {
      this.persist().catch((error: unknown) =>
        this.#options.log.error('persisting delay offsets failed; retrying at the next interval', {
          error: error instanceof Error ? error : new Error(String(error)),
        }),
      );
    }, this.#options.flushDelayOffsetIntervalMs);
  }

  /**
   * Stops every level (a delivery in progress finishes) and writes the offsets. Call before the
   * store closes. A failed write is logged, not thrown: the store must still close cleanly, and the
   * cost is redelivery of what was delivered since the last write.
   */
  async stop(): Promise<void> {
    if (this.#state === 'stopped') return;
    const wasDelivering = this.#delivering;
    this.#state = 'stopped';
    if (this.#flushTimer !== undefined) this.#options.clock.clearInterval(this.#flushTimer);
    this.#flushTimer = undefined;
    await Promise.all(this.#levels.map((level) => level.stop()));
    if (!wasDelivering) return;
    try {
      await this.persist();
    } catch (error) {
      this.#options.log.error(
        'persisting delay offsets at shutdown failed; deliveries since the last write will repeat',
        {
          error: error instanceof Error ? error : new Error(String(error)),
        },
      );
    }
  }

  /**
   * Writes config/delayOffset.json if a level progressed since the last write, claiming only copies
   * the commit log holds durably (see the top of this file).
   */
  async persist(): Promise<void> {
    const { offsets, store } = this.#options;
    // Taken before the flush: a copy stored during it may not be covered by it.
    const claimed = [...this.#progress].filter(([level, offset]) => (offsets.get(level) ?? -1) < offset);
    if (claimed.length > 0) {
      await store.flush();
      // Never backwards: a write that overlapped this one may have recorded more already.
      for (const [level, offset] of claimed) {
        if ((offsets.get(level) ?? -1) < offset) offsets.set(level, offset);
      }
    }
    await offsets.persist();
  }

  status(): ScheduleStatus {
    return { delivering: this.#delivering, levels: this.#levels.map((level) => level.status()) };
  }

  /**
   * A SLAVE's metadata sync: its master's delivery progress replaces this one, durably, so that a
   * slave turned master resumes where the old master was instead of delivering everything again.
   */
  async replaceOffsets(offsets: ReadonlyMap<number, number>): Promise<void> {
    if (this.#options.deliver) {
      throw new IllegalStateError('only a SLAVE adopts delay offsets; this broker delivers its own');
    }
    this.#options.offsets.replaceAll(offsets);
    await this.persist();
  }

  /** The offsets table in RocketMQ's shape (the body of GET_ALL_DELAY_OFFSET). */
  offsetTable(): DelayOffsetJson {
    return this.#options.offsets.toRocketMqJson();
  }
}

/**
 * Where a level resumes: its persisted offset, pulled back to the queue's end if it lies beyond it
 * (a store restored from a backup older than the offsets file). Starting past the end would skip
 * every message parked from then on, until the queue caught up.
 */
function startOffsetOf(level: number, offsets: DelayOffsetFile, store: ScheduleStore, log: Logger): number {
  const persisted = offsets.get(level) ?? 0;
  const end = store.maxOffsetInQueue(SystemTopic.SCHEDULE, level - 1);
  if (persisted <= end) return persisted;
  log.warn('delay offset lies beyond the end of its queue; resuming at the end', {
    level,
    persisted,
    end,
  });
  return end;
}
