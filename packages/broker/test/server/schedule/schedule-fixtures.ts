// A message store on a MemoryDisk with the broker's delivery-time rule, a schedule service over it
// (through a store wrapper a test can make fail or count), and helpers to park delayed messages and
// read what was delivered.

import { FakeClock } from '../../../src/common/fake-clock';
import { silentLogger, type Logger } from '../../../src/common/logger';
import { hostAddressOf } from '../../../src/protocol/message/host-address';
import { MessageConst } from '../../../src/protocol/message/message-const';
import { messagePropertiesToString } from '../../../src/protocol/message/message-properties';
import type { DecodedStoredMessage } from '../../../src/protocol/message/stored-message-decoder';
import { deliveryTimeTagsCodeRule } from '../../../src/server/delivery/delivery-time-rule';
import { routeScheduled } from '../../../src/server/delivery/send-routing';
import type { ScheduleStore } from '../../../src/server/schedule/delay-level-delivery';
import { ScheduleMessageService } from '../../../src/server/schedule/schedule-message-service';
import { SystemTopic } from '../../../src/server/topic/system-topics';
import type { DiskFile } from '../../../src/store/disk/disk';
import { MemoryDisk } from '../../../src/store/disk/memory-disk';
import { defaultStoreConfig } from '../../../src/store/message-store-config';
import {
  MessageStore,
  type PutMessageRequest,
  type PutMessageResult,
} from '../../../src/store/message-store';
import { metadataFilePaths } from '../../../src/store/metadata/metadata-paths';

export const ROOT = '/data/store';
export const DELAY_OFFSETS_PATH = metadataFilePaths(ROOT).delayOffsets;
/** Levels 1..3: 1 s, 5 s, 10 s. */
export const LEVELS_MS = [1000, 5000, 10_000] as const;
export const FLUSH_DELAY_OFFSET_INTERVAL_MS = 1000;

/** The store calls a schedule service makes, each replaceable by a test. */
export interface StoreSeams {
  /** Replaces a batch of puts; `real` stores the batch. */
  putMessages?: (
    requests: readonly PutMessageRequest[],
    real: () => Promise<PutMessageResult[]>,
  ) => Promise<PutMessageResult[]>;
  read?: (
    commitLogOffset: number,
    real: () => Promise<DecodedStoredMessage | undefined>,
  ) => Promise<DecodedStoredMessage | undefined>;
  queueReads: number;
}

export interface ScheduleRig {
  readonly clock: FakeClock;
  readonly disk: MemoryDisk;
  readonly store: MessageStore;
  readonly service: ScheduleMessageService;
  readonly seams: StoreSeams;
  /** Stops the service (which persists its offsets) and closes the store. */
  close(): Promise<void>;
}

export interface RigOptions {
  readonly clock?: FakeClock;
  readonly disk?: MemoryDisk;
  /** SYNC_FLUSH: a put is readable only after the fdatasync that covers it. */
  readonly syncFlush?: boolean;
  readonly deliver?: boolean;
  readonly log?: Logger;
  readonly start?: boolean;
}

export async function openScheduleRig(options: RigOptions = {}): Promise<ScheduleRig> {
  const clock = options.clock ?? new FakeClock();
  const disk = options.disk ?? new MemoryDisk();
  const store = await MessageStore.open({
    disk,
    clock,
    config: defaultStoreConfig(ROOT, {
      mappedFileSizeCommitLog: 64 * 1024,
      mappedFileSizeConsumeQueue: 20 * 64,
      commitLogWriteChunkBytes: 1024,
      maxMessageSize: 4096,
      maxHashSlotNum: 64,
      maxIndexNum: 256,
      ...(options.syncFlush === true ? { flushDiskType: 'SYNC_FLUSH' as const } : {}),
    }),
    tagsCodeRule: deliveryTimeTagsCodeRule(LEVELS_MS),
  });
  const seams: StoreSeams = { queueReads: 0 };
  const wrapped: ScheduleStore & Pick<MessageStore, 'onDispatch' | 'onConfirmed' | 'flush'> = {
    readQueueEntries: (topic, queueId, from, max) => {
      seams.queueReads++;
      return store.readQueueEntries(topic, queueId, from, max);
    },
    readMessageAt: (offset) =>
      seams.read === undefined
        ? store.readMessageAt(offset)
        : seams.read(offset, () => store.readMessageAt(offset)),
    putMessages: (requests) =>
      seams.putMessages === undefined
        ? store.putMessages(requests)
        : seams.putMessages(requests, () => store.putMessages(requests)),
    maxOffsetInQueue: (topic, queueId) => store.maxOffsetInQueue(topic, queueId),
    minOffsetInQueue: (topic, queueId) => store.minOffsetInQueue(topic, queueId),
    onDispatch: (listener) => store.onDispatch(listener),
    onConfirmed: (listener) => store.onConfirmed(listener),
    flush: () => store.flush(),
  };
  const service = await ScheduleMessageService.load({
    disk,
    path: DELAY_OFFSETS_PATH,
    store: wrapped,
    clock,
    log: options.log ?? silentLogger,
    delayLevelsMs: LEVELS_MS,
    flushDelayOffsetIntervalMs: FLUSH_DELAY_OFFSET_INTERVAL_MS,
    deliver: options.deliver ?? true,
  });
  if (options.start ?? true) service.start();
  return {
    clock,
    disk,
    store,
    service,
    seams,
    close: async () => {
      await service.stop();
      await store.close();
    },
  };
}

export interface DelayedMessage {
  readonly topic?: string;
  readonly queueId?: number;
  readonly level: number;
  readonly body: string;
  readonly tags?: string;
  readonly keys?: string;
  readonly properties?: Readonly<Record<string, string>>;
}

/** A plain put as the send path builds it (before routing). */
export function plainPut(message: Omit<DelayedMessage, 'level'>): PutMessageRequest {
  const properties = new Map<string, string>(Object.entries(message.properties ?? {}));
  if (message.tags !== undefined) properties.set(MessageConst.PROPERTY_TAGS, message.tags);
  if (message.keys !== undefined) properties.set(MessageConst.PROPERTY_KEYS, message.keys);
  return {
    fields: {
      topic: message.topic ?? 'Delayed',
      queueId: message.queueId ?? 0,
      flag: 7,
      queueOffset: 0,
      physicalOffset: 0,
      sysFlag: 0,
      bornTimestamp: 1_700_000_000_000,
      bornHost: hostAddressOf('10.0.0.9', 50000),
      storeTimestamp: 0,
      storeHost: hostAddressOf('127.0.0.1', 10911),
      reconsumeTimes: 0,
      preparedTransactionOffset: 0,
      body: Buffer.from(message.body),
      properties: messagePropertiesToString(properties),
    },
    tags: message.tags,
    keys: message.keys,
  };
}

/** Parks a message in SCHEDULE_TOPIC_XXXX as the send path does for DELAY=level. */
export async function park(store: MessageStore, message: DelayedMessage): Promise<PutMessageResult> {
  const result = await store.putMessage(
    routeScheduled(plainPut(message), { kind: 'level', level: message.level }),
  );
  if (result.status !== 'PUT_OK') throw new Error(`parking failed: ${result.status}`);
  return result;
}

/** Every message of a queue, from its first offset, in order. */
export async function messagesIn(
  store: MessageStore,
  topic: string,
  queueId = 0,
): Promise<DecodedStoredMessage[]> {
  const messages: DecodedStoredMessage[] = [];
  // One read stops at the end of a consume-queue segment: read on until nothing comes back.
  for (let from = 0; ;) {
    const entries = await store.readQueueEntries(topic, queueId, from, 1000);
    if (entries.length === 0) return messages;
    for (const entry of entries) {
      const message = await store.readMessageAt(entry.commitLogOffset);
      if (message === undefined)
        throw new Error(`${topic}:${queueId} entry ${entry.queueOffset} has no record`);
      messages.push(message);
      from = entry.queueOffset + 1;
    }
  }
}

export async function bodiesIn(store: MessageStore, topic: string, queueId = 0): Promise<string[]> {
  return (await messagesIn(store, topic, queueId)).map((message) => message.body?.toString() ?? '');
}

/** Resolves once no level has a pass in progress (passes do I/O, which a fake clock does not drive). */
export async function settled(service: ScheduleMessageService): Promise<void> {
  for (let spins = 0; spins < 10_000; spins++) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (service.status().levels.every((level) => level.mode !== 'running')) return;
  }
  throw new Error(`schedule service still running: ${JSON.stringify(service.status())}`);
}

/** Advances the fake clock by `ms`, then waits for the passes it started. */
export async function advance(rig: Pick<ScheduleRig, 'clock' | 'service'>, ms: number): Promise<void> {
  await rig.clock.advanceAsync(ms);
  await settled(rig.service);
}

/**
 * A MemoryDisk whose fdatasync of commit-log files waits while `hold()` is in effect, so a test can
 * keep SYNC_FLUSH puts appended (dispatched) but not yet acknowledged (readable).
 */
export class GatedSyncDisk extends MemoryDisk {
  #gate: Promise<void> | undefined;
  #release: (() => void) | undefined;

  hold(): void {
    this.#gate = new Promise<void>((resolve) => (this.#release = resolve));
  }

  release(): void {
    this.#release?.();
    this.#gate = undefined;
  }

  override async open(path: string): Promise<DiskFile> {
    const file = await super.open(path);
    if (!path.includes('/commitlog/')) return file;
    return {
      path: file.path,
      write: (...args) => file.write(...args),
      read: (...args) => file.read(...args),
      datasync: async () => {
        await this.#gate;
        return file.datasync();
      },
      truncate: (size) => file.truncate(size),
      size: () => file.size(),
      close: () => file.close(),
    };
  }
}

/** A put result the store gives when it refuses a message. */
export function refused(status: PutMessageResult['status']): PutMessageResult {
  return { status, physicalOffset: 0, queueOffset: 0, totalSize: 0, storeTimestamp: 0 };
}

export const scheduleQueue = (level: number) => ({ topic: SystemTopic.SCHEDULE, queueId: level - 1 });
