// A message store on a MemoryDisk with the broker's delivery-time rule and a timer service over it,
// helpers to park timed messages as the send path does and to read what was delivered, and a way
// to kill the whole "process" at any moment (KillableDisk) so a crash can hit work in progress.

import { sleep } from '../../../src/common/clock';
import { FakeClock } from '../../../src/common/fake-clock';
import { silentLogger, type Logger } from '../../../src/common/logger';
import { hostAddressOf } from '../../../src/protocol/message/host-address';
import { MessageConst } from '../../../src/protocol/message/message-const';
import {
  messagePropertiesToString,
  parseMessageProperties,
} from '../../../src/protocol/message/message-properties';
import { deliveryTimeTagsCodeRule } from '../../../src/server/delivery/delivery-time-rule';
import { routeScheduled } from '../../../src/server/delivery/send-routing';
import { TimerService, timerDirOf, type TimerServiceOptions } from '../../../src/server/timer/timer-service';
import type { TimerStore } from '../../../src/server/timer/timer-store';
import type { Disk, DiskFile, DiskLock } from '../../../src/store/disk/disk';
import { MemoryDisk } from '../../../src/store/disk/memory-disk';
import { defaultStoreConfig } from '../../../src/store/message-store-config';
import { MessageStore, type PutMessageResult } from '../../../src/store/message-store';
import type { FlushDiskType } from '../../../src/store/commitlog/commit-log';

export const ROOT = '/data/store';
export const TIMER_DIR = timerDirOf(ROOT);
export const BUCKETS_DIR = `${TIMER_DIR}/buckets`;
export const CHECKPOINT_PATH = `${TIMER_DIR}/checkpoint`;
/** Small buckets and lead so tests cross many buckets in a few simulated seconds. */
export const TEST_BUCKET_MS = 1000;
export const TEST_LEAD_MS = 200;
export const TEST_FLUSH_INTERVAL_MS = 100;
export const REAL_TOPIC = 'TimedTopic';

export interface TimerRig {
  readonly clock: FakeClock;
  readonly disk: MemoryDisk;
  readonly store: MessageStore;
  readonly timer: TimerService;
  /** Stops the service (it saves its checkpoint) and closes the store. */
  close(): Promise<void>;
  /**
   * Ends this "process" where it stands: its pending disk operations never complete and its clock is
   * abandoned; then the disk loses what was not made durable (all of it unless `keepUnsynced`).
   */
  crash(keepUnsynced?: Parameters<MemoryDisk['crash']>[0]): void;
}

export interface TimerRigOptions {
  readonly disk?: MemoryDisk;
  /** Start time; the rig gets its own FakeClock from it (a crashed rig's clock is abandoned). */
  readonly nowMs?: number;
  readonly flushDiskType?: FlushDiskType;
  readonly log?: Logger;
  readonly service?: Partial<TimerServiceOptions>;
  /**
   * Called before each write, truncate, datasync, rename or remove this rig makes once it is open
   * (not while opening); a test crashes the rig from here to cut any step in two.
   */
  readonly beforeMutation?: (rig: TimerRig) => void;
  /** Each delivery's put waits this long on the clock first, so deliveries stay in flight a while. */
  readonly putDelayMs?: number;
  /** The store as the timer service sees it, to interpose answers; default the store itself. */
  readonly timerStore?: (store: MessageStore) => TimerStore;
}

export async function openTimerRig(options: TimerRigOptions = {}): Promise<TimerRig> {
  const disk = options.disk ?? new MemoryDisk();
  const clock = new FakeClock(options.nowMs);
  const view = new KillableDisk(disk);
  const store = await MessageStore.open({
    disk: view,
    clock,
    config: defaultStoreConfig(ROOT, {
      mappedFileSizeCommitLog: 64 * 1024,
      mappedFileSizeConsumeQueue: 20 * 64,
      commitLogWriteChunkBytes: 1024,
      maxMessageSize: 4096,
      maxHashSlotNum: 64,
      maxIndexNum: 256,
      flushDiskType: options.flushDiskType ?? 'ASYNC_FLUSH',
    }),
    tagsCodeRule: deliveryTimeTagsCodeRule([]),
  });
  const seen = options.timerStore?.(store) ?? store;
  const timer = await TimerService.open({
    store: options.putDelayMs === undefined ? seen : slowPuts(seen, clock, options.putDelayMs),
    disk: view,
    clock,
    log: options.log ?? silentLogger,
    dir: TIMER_DIR,
    flushIntervalMs: TEST_FLUSH_INTERVAL_MS,
    bucketMs: TEST_BUCKET_MS,
    prefetchLeadMs: TEST_LEAD_MS,
    ...options.service,
  });
  timer.start();
  const rig: TimerRig = {
    clock,
    disk,
    store,
    timer,
    close: async () => {
      await timer.stop();
      await store.close();
    },
    crash: (keepUnsynced) => {
      view.kill();
      disk.crash(keepUnsynced);
    },
  };
  const { beforeMutation } = options;
  if (beforeMutation !== undefined) view.beforeMutation = () => beforeMutation(rig);
  return rig;
}

/** The store as the timer sees it, with every putMessages call held back `delayMs` on `clock`. */
function slowPuts(store: TimerStore, clock: FakeClock, delayMs: number): TimerStore {
  return {
    readQueueEntries: store.readQueueEntries.bind(store),
    maxOffsetInQueue: store.maxOffsetInQueue.bind(store),
    minOffsetInQueue: store.minOffsetInQueue.bind(store),
    readMessageAt: store.readMessageAt.bind(store),
    flush: store.flush.bind(store),
    onDispatch: store.onDispatch.bind(store),
    onConfirmed: store.onConfirmed.bind(store),
    putMessages: async (requests) => {
      await sleep(clock, delayMs);
      return store.putMessages(requests);
    },
  };
}

export interface TimedMessage {
  readonly body: string;
  readonly dueMs: number;
  readonly queueId?: number;
  readonly topic?: string;
}

/** Stores a timed message as the send path parks it (timer topic, REAL_TOPIC, TIMER_OUT_MS). */
export function putTimed(store: MessageStore, message: TimedMessage): Promise<PutMessageResult> {
  const properties = new Map<string, string>([
    [MessageConst.PROPERTY_TAGS, 'TagT'],
    [MessageConst.PROPERTY_TIMER_DELIVER_MS, String(message.dueMs)],
    [MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX, `uniq-${message.body}`],
    ['app', 'kept'],
  ]);
  const put = routeScheduled(
    {
      fields: {
        topic: message.topic ?? REAL_TOPIC,
        queueId: message.queueId ?? 0,
        flag: 0,
        queueOffset: 0,
        physicalOffset: 0,
        sysFlag: 0,
        bornTimestamp: 1_700_000_000_000,
        bornHost: hostAddressOf('127.0.0.1', 50000),
        storeTimestamp: 0,
        storeHost: hostAddressOf('127.0.0.1', 10911),
        reconsumeTimes: 0,
        preparedTransactionOffset: 0,
        body: Buffer.from(message.body),
        properties: messagePropertiesToString(properties),
      },
      tags: 'TagT',
    },
    { kind: 'at', atMs: message.dueMs },
  );
  return store.putMessage(put);
}

export interface Delivered {
  readonly body: string;
  readonly dueMs: number;
  readonly storeTimestamp: number;
  readonly properties: ReadonlyMap<string, string>;
}

/** Every message stored in a real topic's queue, in queue order. */
export async function deliveredIn(
  store: MessageStore,
  topic = REAL_TOPIC,
  queueId = 0,
): Promise<Delivered[]> {
  const delivered: Delivered[] = [];
  const entries = [];
  // A read stops at the end of a consume-queue segment.
  for (let from = 0; ;) {
    const batch = await store.readQueueEntries(topic, queueId, from, 100_000);
    if (batch.length === 0) break;
    entries.push(...batch);
    from = batch[batch.length - 1]!.queueOffset + 1;
  }
  for (const entry of entries) {
    const message = await store.readMessageAt(entry.commitLogOffset);
    if (message === undefined) throw new Error(`no record at ${entry.commitLogOffset}`);
    const properties = parseMessageProperties(message.properties);
    delivered.push({
      body: message.body?.toString() ?? '',
      dueMs: Number(properties.get(MessageConst.PROPERTY_TIMER_OUT_MS)),
      storeTimestamp: message.storeTimestamp,
      properties,
    });
  }
  return delivered;
}

/**
 * A Disk that stands for one process's view of the disk: once killed, nothing it started completes
 * (as after SIGKILL), so a crashed instance cannot write over what its successor recovers.
 */
export class KillableDisk implements Disk {
  readonly #disk: Disk;
  #killed = false;
  beforeMutation: (() => void) | undefined;

  constructor(disk: Disk) {
    this.#disk = disk;
  }

  kill(): void {
    this.#killed = true;
  }

  lock(path: string): Promise<DiskLock> {
    return this.#guard(() => this.#disk.lock(path));
  }
  async open(path: string): Promise<DiskFile> {
    return this.#file(await this.#guard(() => this.#disk.open(path)));
  }
  async openExisting(path: string): Promise<DiskFile> {
    return this.#file(await this.#guard(() => this.#disk.openExisting(path)));
  }
  mkdirp(path: string): Promise<void> {
    return this.#guard(() => this.#disk.mkdirp(path));
  }
  list(path: string): Promise<string[]> {
    return this.#guard(() => this.#disk.list(path));
  }
  exists(path: string): Promise<boolean> {
    return this.#guard(() => this.#disk.exists(path));
  }
  remove(path: string): Promise<void> {
    return this.#mutation(() => this.#disk.remove(path));
  }
  rename(from: string, to: string): Promise<void> {
    return this.#mutation(() => this.#disk.rename(from, to));
  }
  syncDirectory(path: string): Promise<void> {
    return this.#guard(() => this.#disk.syncDirectory(path));
  }
  modifiedAtMs(path: string): Promise<number> {
    return this.#guard(() => this.#disk.modifiedAtMs(path));
  }
  usedSpaceRatio(path: string): Promise<number> {
    return this.#guard(() => this.#disk.usedSpaceRatio(path));
  }

  #file(file: DiskFile): DiskFile {
    return {
      path: file.path,
      write: (buffer, offset, length, position) =>
        this.#mutation(() => file.write(buffer, offset, length, position)),
      read: (buffer, offset, length, position) =>
        this.#guard(() => file.read(buffer, offset, length, position)),
      datasync: () => this.#mutation(() => file.datasync()),
      truncate: (size) => this.#mutation(() => file.truncate(size)),
      size: () => this.#guard(() => file.size()),
      close: () => this.#guard(() => file.close()),
    };
  }

  #mutation<T>(operation: () => Promise<T>): Promise<T> {
    if (!this.#killed) this.beforeMutation?.();
    return this.#guard(operation);
  }

  /** Runs `operation` while alive; after the kill, a promise that never settles. */
  #guard<T>(operation: () => Promise<T>): Promise<T> {
    if (this.#killed) return new Promise<T>(() => undefined);
    return operation();
  }
}
