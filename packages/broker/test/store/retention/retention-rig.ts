// The store's real parts on a MemoryDisk with a FakeClock, appended to as the MessageStore facade
// does, with a RetentionService over them: what the facade will wire, without the facade. Passing
// the real CommitLog, ConsumeQueueTable, IndexService and MemoryDisk as the ports is itself the
// compile-time check that they fit.

import { FakeClock } from '../../../src/common/fake-clock';
import { tagsCode } from '../../../src/protocol/message/java-string-hash';
import { prepareStoredMessage } from '../../../src/protocol/message/stored-message';
import { CommitLog } from '../../../src/store/commitlog/commit-log';
import { ConsumeQueueTable } from '../../../src/store/consumequeue/consume-queue-table';
import { MemoryDisk } from '../../../src/store/disk/memory-disk';
import { getMessage, type GetMessageResult } from '../../../src/store/get-message';
import { IndexService } from '../../../src/store/index/index-service';
import type { MessageStoreConfig } from '../../../src/store/message-store-config';
import { resolveRetentionConfig, type RetentionConfig } from '../../../src/store/retention/retention-config';
import type { RetentionStepError } from '../../../src/store/retention/retention-errors';
import type { RetentionDisk, RetentionQueues } from '../../../src/store/retention/retention-ports';
import {
  RetentionService,
  type RetentionServiceOptions,
  type RetentionStatus,
} from '../../../src/store/retention/retention-service';
import { putRequest, smallConfig } from '../store-fixtures';

export const HOUR_MS = 3_600_000;
/** 10 January 2024, 03:00 local time: an hour that is not deleteWhen's "04" (no DST change near). */
export const THREE_AM = new Date(2024, 0, 10, 3, 0, 0, 0).getTime();
export const FOUR_AM = new Date(2024, 0, 10, 4, 0, 0, 0).getTime();
/** A body that makes each record about 1 KB: 4 records per 4 KiB commit-log segment. */
const BODY = Buffer.alloc(900, 0x61);

export interface RigOptions {
  readonly startMs?: number;
  readonly retention?: Partial<RetentionConfig>;
  /** Called after the error is recorded in `errors`. */
  readonly onError?: (error: RetentionStepError) => void;
  /** Replace a port (fault injection); receives the real one. */
  readonly wrap?: {
    readonly disk?: (disk: MemoryDisk) => RetentionDisk;
    readonly queues?: (queues: ConsumeQueueTable) => RetentionQueues;
  };
}

export class RetentionRig {
  readonly errors: RetentionStepError[] = [];
  readonly diskFullChanges: RetentionStatus[] = [];
  readonly service: RetentionService;

  private constructor(
    readonly disk: MemoryDisk,
    readonly clock: FakeClock,
    readonly config: MessageStoreConfig,
    readonly commitLog: CommitLog,
    readonly queues: ConsumeQueueTable,
    readonly index: IndexService,
    options: RigOptions,
  ) {
    const serviceOptions: RetentionServiceOptions = {
      config: resolveRetentionConfig(options.retention ?? {}),
      clock,
      disk: options.wrap?.disk?.(disk) ?? disk,
      commitLog,
      queues: options.wrap?.queues?.(queues) ?? queues,
      index,
      usagePaths: [config.storePathCommitLog, config.storePathConsumeQueue],
      onError: (error) => {
        this.errors.push(error);
        options.onError?.(error);
      },
      onDiskFullChange: (status) => this.diskFullChanges.push(status),
    };
    this.service = new RetentionService(serviceOptions);
  }

  static async open(options: RigOptions = {}): Promise<RetentionRig> {
    const disk = new MemoryDisk();
    const clock = new FakeClock(options.startMs ?? THREE_AM);
    const config = smallConfig();
    await disk.mkdirp(config.storePathCommitLog);
    const commitLog = await CommitLog.open({
      disk,
      dir: config.storePathCommitLog,
      clock,
      segmentSizeBytes: config.mappedFileSizeCommitLog,
      flushDiskType: 'SYNC_FLUSH',
      flushIntervalMs: config.flushIntervalCommitLog,
      syncFlushTimeoutMs: config.syncFlushTimeout,
      writeChunkBytes: config.commitLogWriteChunkBytes,
    });
    await commitLog.truncateTo(commitLog.minOffset);
    const queues = await ConsumeQueueTable.load(
      disk,
      config.storePathConsumeQueue,
      config.mappedFileSizeConsumeQueue,
    );
    // 7 entries a file, one key a message: a new index file every 7 messages.
    const index = await IndexService.open({
      disk,
      clock,
      storePathRootDir: config.storePathRootDir,
      maxHashSlotNum: 16,
      maxIndexNum: 8,
    });
    return new RetentionRig(disk, clock, config, commitLog, queues, index, options);
  }

  /** Appends `count` messages to topic T queue 0 as the facade does, and makes them durable. */
  async put(count: number, topic = 'T', queueId = 0): Promise<void> {
    for (let i = 0; i < count; i++) {
      const request = putRequest({ topic, queueId, body: BODY });
      const queue = this.queues.findOrCreate(topic, queueId);
      const queueOffset = queue.maxOffset;
      const appended = this.commitLog.append(prepareStoredMessage(request.fields), queueOffset);
      queue.put(queueOffset, appended.physicalOffset, appended.totalSize, tagsCode(undefined));
      await this.index.buildIndex({
        topic,
        commitLogOffset: appended.physicalOffset,
        storeTimestampMs: appended.storeTimestamp,
        uniqKey: `U${appended.physicalOffset}`,
        transactionType: 'NOT_TYPE',
      });
    }
    await this.commitLog.flush();
    await this.queues.flushAll();
  }

  /** Commit-log segment starts, oldest first. */
  segments(): number[] {
    return this.commitLog.segmentStarts();
  }

  /** Sets the modification time of the commit-log segments given (default: all). */
  setSegmentsModifiedAt(ms: number, starts: readonly number[] = this.segments()): void {
    for (const start of starts) this.disk.setModifiedAtMs(this.commitLog.segmentPath(start), ms);
  }

  /** Every segment written just now, except the `oldCount` oldest, written 73 h ago. */
  ageOldest(oldCount: number): number[] {
    const now = this.clock.now();
    this.setSegmentsModifiedAt(now);
    const old = this.segments().slice(0, oldCount);
    this.setSegmentsModifiedAt(now - 73 * HOUR_MS, old);
    return old;
  }

  read(offset: number, topic = 'T', queueId = 0): Promise<GetMessageResult> {
    return getMessage(this.commitLog, this.queues.find(topic, queueId), offset, {
      maxMessages: 4,
      maxBytes: 1 << 20,
    });
  }

  async close(): Promise<void> {
    await this.service.close();
    await this.index.close();
    await this.queues.closeAll();
    await this.commitLog.close();
  }
}
