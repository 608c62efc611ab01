import type { Clock, TimerHandle } from '../common/clock';
import { KeelError } from '../common/errors';
import { MessageErrorCodes } from '../protocol/message/message-errors';
import { transactionType } from '../protocol/message/message-sys-flag';
import { tagsCode } from '../protocol/message/java-string-hash';
import {
  measureStoredMessage,
  withBodyCrc,
  type MeasuredStoredMessage,
  type StoredMessageFields,
} from '../protocol/message/stored-message';
import type { DecodedStoredMessage } from '../protocol/message/stored-message-decoder';
import { StoreCheckpoint } from './checkpoint/store-checkpoint';
import { CommitLog } from './commitlog/commit-log';
import { ConsumeQueueTable } from './consumequeue/consume-queue-table';
import { CQ_BLANK_SIZE, type ConsumeQueueEntry } from './consumequeue/consume-queue-layout';
import type { Disk, DiskLock } from './disk/disk';
import {
  dispatchRequestFromRecord,
  isConsumable,
  type DispatchRequest,
  type TagsCodeRule,
} from './dispatch-request';
import { splitReplicatedRecords } from './commitlog/replica-records';
import { getMessage, type GetMessageLimits, type GetMessageResult } from './get-message';
import type { MessageStoreConfig } from './message-store-config';
import { StoreErrorCodes } from './store-errors';
import { recoverStore, type RecoveryReport } from './store-recovery';
import { IndexService } from './index/index-service';
import {
  RetentionService,
  type RetentionPassReport,
  type RetentionStatus,
} from './retention/retention-service';
import type { IndexTransactionType } from './index/index-dispatch';
import { checkStorableText } from './message-validation';
import { offsetByTime, storeTimestampAt } from './store-lookups';
import { MessageSysFlag, type TransactionType } from '../protocol/message/message-sys-flag';

/** RocketMQ's PutMessageStatus, as far as a single store produces them. */
export type PutMessageStatus =
  | 'PUT_OK'
  | 'FLUSH_DISK_TIMEOUT'
  | 'SERVICE_NOT_AVAILABLE'
  | 'MESSAGE_ILLEGAL'
  | 'PROPERTIES_SIZE_EXCEEDED'
  | 'UNKNOWN_ERROR';

export interface PutMessageRequest {
  /** The record to store; queueOffset, physicalOffset and storeTimestamp are set by the store. */
  readonly fields: StoredMessageFields;
  /** TAGS, KEYS and UNIQ_KEY of the message: the send path has them parsed already. */
  readonly tags?: string | undefined;
  readonly keys?: string | undefined;
  readonly uniqKey?: string | undefined;
  /** The WAIT property: false answers without waiting for the flush. Default true. */
  readonly waitStoreMsgOk?: boolean;
}

export interface PutMessageResult {
  readonly status: PutMessageStatus;
  readonly physicalOffset: number;
  readonly queueOffset: number;
  readonly totalSize: number;
  readonly storeTimestamp: number;
  /** Why the put was refused, for the remark of the response. */
  readonly error?: KeelError;
}

export interface MessageStoreOptions {
  readonly config: MessageStoreConfig;
  readonly disk: Disk;
  readonly clock: Clock;
  /** Consume-queue tagsCode of scheduling topics (delivery times); default: every topic by tag. */
  readonly tagsCodeRule?: TagsCodeRule;
  /**
   * A slave's store: puts are refused (SERVICE_NOT_AVAILABLE); only `appendReplicated` writes, so
   * the log stays a byte-for-byte copy of the master's. Default false.
   */
  readonly replica?: boolean;
}

/** Where the log stands after `appendReplicated`. */
export interface ReplicaAppendResult {
  /** The log's end: every byte of the master's log below it is here (records, or segment padding). */
  readonly end: number;
  /** Bytes the record starting at `end` needs in all, when the data stopped inside it; else 0. */
  readonly needed: number;
}

/**
 * The broker's storage: commit log, consume queues, checkpoint and recovery behind one API. A
 * facade: each concern lives in its own module.
 */
export class MessageStore {
  readonly config: MessageStoreConfig;
  readonly recovery: RecoveryReport;
  readonly #disk: Disk;
  readonly #clock: Clock;
  readonly #tagsCodeRule: TagsCodeRule | undefined;
  readonly #replica: boolean;
  readonly #commitLog: CommitLog;
  readonly #queues: ConsumeQueueTable;
  readonly #checkpoint: StoreCheckpoint;
  readonly #index: IndexService | undefined;
  #retention: RetentionService | undefined;
  readonly #lock: DiskLock;
  #indexFailures = 0;
  /** Settles once the last index build started has (index builds run in dispatch order). */
  #indexed: Promise<void> = Promise.resolve();
  readonly #dispatchListeners: Array<(request: DispatchRequest) => void> = [];
  #checkpointTimer: TimerHandle | undefined;
  #checkpointRun: Promise<void> | undefined;
  #closed = false;

  private constructor(
    options: MessageStoreOptions,
    parts: {
      commitLog: CommitLog;
      queues: ConsumeQueueTable;
      checkpoint: StoreCheckpoint;
      index: IndexService | undefined;
      lock: DiskLock;
      recovery: RecoveryReport;
    },
  ) {
    this.config = options.config;
    this.#disk = options.disk;
    this.#clock = options.clock;
    this.#tagsCodeRule = options.tagsCodeRule;
    this.#replica = options.replica ?? false;
    this.#commitLog = parts.commitLog;
    this.#queues = parts.queues;
    this.#checkpoint = parts.checkpoint;
    this.#index = parts.index;
    this.#lock = parts.lock;
    this.recovery = parts.recovery;
  }

  /** Opens (and, after a crash, recovers) the store; it is writable when this resolves. */
  static async open(options: MessageStoreOptions): Promise<MessageStore> {
    const { config, disk } = options;
    await disk.mkdirp(config.storePathRootDir);
    const lock = await disk.lock(config.lockFile).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
      throw new KeelError(StoreErrorCodes.LOCKED, (error as Error).message, { cause: error });
    });
    try {
      return await MessageStore.#openLocked(options, lock);
    } catch (error) {
      await lock.release();
      throw error;
    }
  }

  static async #openLocked(options: MessageStoreOptions, lock: DiskLock): Promise<MessageStore> {
    const { config, disk, clock } = options;
    await disk.mkdirp(config.storePathCommitLog);
    const abortFileExists = await disk.exists(config.abortFile);
    const checkpoint = await StoreCheckpoint.open(disk, config.storeCheckpoint);
    const commitLog = await CommitLog.open({
      disk,
      dir: config.storePathCommitLog,
      clock,
      segmentSizeBytes: config.mappedFileSizeCommitLog,
      flushDiskType: config.flushDiskType,
      flushIntervalMs: config.flushIntervalCommitLog,
      syncFlushTimeoutMs: config.syncFlushTimeout,
      writeChunkBytes: config.commitLogWriteChunkBytes,
    });
    const queues = await ConsumeQueueTable.load(
      disk,
      config.storePathConsumeQueue,
      config.mappedFileSizeConsumeQueue,
    );
    const index = config.messageIndexEnable
      ? await IndexService.open({
          disk,
          clock,
          storePathRootDir: config.storePathRootDir,
          storePathIndex: config.storePathIndex,
          maxHashSlotNum: config.maxHashSlotNum,
          maxIndexNum: config.maxIndexNum,
          // Derived data must never be more durable than the log it points into.
          ensureCommitLogDurable: async (endPhyOffset) => {
            if (commitLog.flushedOffset <= endPhyOffset) await commitLog.flush();
          },
        })
      : undefined;
    const rebuilt: Promise<void>[] = [];
    const recovery = await recoverStore(
      commitLog,
      queues,
      checkpoint,
      abortFileExists,
      (request) => {
        dispatchToQueue(queues, request);
        if (index !== undefined) rebuilt.push(index.buildIndex(indexRequest(request)));
      },
      options.tagsCodeRule,
    );
    await Promise.all(rebuilt);
    const store = new MessageStore(options, { commitLog, queues, checkpoint, index, lock, recovery });
    // From here until a clean close, a crash must be detectable: the abort file says so.
    const abort = await disk.open(config.abortFile);
    await abort.close();
    await disk.syncDirectory(config.storePathRootDir);
    await store.#saveCheckpoint(-1);
    store.#checkpointTimer = clock.setInterval(
      () => store.#periodicCheckpoint(),
      config.flushIntervalConsumeQueue,
    );
    store.#retention = new RetentionService({
      config: config.retention,
      clock,
      disk,
      commitLog,
      queues,
      index,
      usagePaths: [config.storePathCommitLog, config.storePathConsumeQueue],
      onError: (error) => {
        process.emitWarning(
          `retention step ${error.step} on ${error.subject} failed: ${String(error.cause)}`,
          'KeelStoreWarning',
        );
      },
      onDiskFullChange: (status) => {
        const usage = `${(100 * (status.usedSpaceRatio ?? 0)).toFixed(1)}%`;
        process.emitWarning(
          status.diskFull
            ? `disk of ${status.usedSpacePath ?? 'the store'} is ${usage} full: the store refuses new messages`
            : `disk usage is back to ${usage}: the store accepts messages again`,
          'KeelStoreWarning',
        );
      },
    });
    await store.#retention.start();
    return store;
  }

  /** Appends a message and resolves once it is acknowledged per the flush mode. */
  async putMessage(request: PutMessageRequest): Promise<PutMessageResult> {
    const appended = this.#append(request);
    if (appended.status !== 'PUT_OK' || request.waitStoreMsgOk === false) return appended;
    try {
      const status = await this.#commitLog.whenConfirmed(appended.physicalOffset + appended.totalSize);
      return status === 'PUT_OK' ? appended : { ...appended, status };
    } catch (error) {
      return { ...appended, status: 'SERVICE_NOT_AVAILABLE', error: toKeelError(error) };
    }
  }

  /**
   * Appends several messages and waits once, for the last of them: one acknowledgement for the
   * batch (SEND_BATCH_MESSAGE, or a send processor draining a socket read). Each message is checked
   * on its own; a refused one does not stop the others. Results are in request order.
   */
  async putMessages(requests: readonly PutMessageRequest[]): Promise<PutMessageResult[]> {
    const results = requests.map((request) => this.#append(request));
    let end = -1;
    results.forEach((result, i) => {
      if (result.status === 'PUT_OK' && requests[i]?.waitStoreMsgOk !== false) {
        end = Math.max(end, result.physicalOffset + result.totalSize);
      }
    });
    if (end < 0) return results;
    try {
      const status = await this.#commitLog.whenConfirmed(end);
      if (status === 'PUT_OK') return results;
      return results.map((result) => (result.status === 'PUT_OK' ? { ...result, status } : result));
    } catch (error) {
      const failure = toKeelError(error);
      return results.map((result) =>
        result.status === 'PUT_OK' ? { ...result, status: 'SERVICE_NOT_AVAILABLE', error: failure } : result,
      );
    }
  }

  /**
   * A slave's replication: appends the master's commit-log bytes `data`, which start at log offset
   * `dataOffset`, verified record by record and at the same offsets, and dispatches each record to
   * the consume queues and the index as recovery would. Bytes below the log's end are skipped (the
   * master resends from the offset the slave reported; after a blank record it streams the
   * segment's zero tail). A record cut off at the end of `data` is left for the next call:
   * `needed` says how much of it must be passed then. An empty log starts at `dataOffset`.
   * Throws (REPLICA_GAP, REPLICA_DATA_INVALID) without writing anything when the data does not
   * continue this log; calls must not overlap.
   */
  async appendReplicated(dataOffset: number, data: Buffer): Promise<ReplicaAppendResult> {
    const refused = this.#writeRefusal();
    if (refused !== undefined) throw refused;
    const log = this.#commitLog;
    if (log.segmentStarts().length === 0 && log.maxOffset === log.minOffset && log.maxOffset !== dataOffset) {
      // A new slave of a master whose log no longer starts at 0 (retention): begin where it begins.
      await this.#commitLog.truncateTo(dataOffset);
    }
    const end = this.#commitLog.maxOffset;
    if (dataOffset > end) {
      throw new KeelError(
        StoreErrorCodes.REPLICA_GAP,
        `replicated data starts at commit-log offset ${dataOffset}, past this log's end ${end}; ` +
          "the master skipped data this slave lacks (if the master deleted it, empty this slave's store and let it copy the master again)",
      );
    }
    if (dataOffset + data.length <= end) return { end, needed: 0 };
    const split = splitReplicatedRecords(data, dataOffset, end, this.#commitLog.segmentSizeBytes);
    for (const piece of split.pieces) {
      if (piece.kind === 'blank') {
        this.#commitLog.appendBlankRecord(piece.bytes);
        continue;
      }
      this.#commitLog.appendVerbatim(piece.bytes);
      this.#dispatch(dispatchRequestFromRecord(piece.message, this.#tagsCodeRule));
    }
    return { end: this.#commitLog.maxOffset, needed: split.needed };
  }

  /**
   * Up to `maxBytes` of the commit log from `offset`, acknowledged bytes only and never past the
   * end of the segment holding `offset` (a master's replication reads its log this way). Empty at
   * the acknowledged end and below the oldest segment kept.
   */
  readCommitLog(offset: number, maxBytes: number): Promise<Buffer> {
    const available = this.#commitLog.confirmedOffset - offset;
    if (available <= 0 || offset < this.#commitLog.minOffset) return Promise.resolve(Buffer.alloc(0));
    return this.#commitLog.read(offset, Math.min(maxBytes, available));
  }

  /**
   * Why a put of `request` would be refused by the checks of the message itself (text, field
   * ranges and sizes, maxMessageSize), or undefined when it would be appended unless the store
   * refuses every write then (closed, failed disk, disk full). For a caller that must know before
   * appending something else first (END_TRANSACTION's op record before the committed message).
   * The body is not checksummed here.
   */
  checkStorable(request: PutMessageRequest): KeelError | undefined {
    const measured = this.#measure(request);
    return 'status' in measured ? measured.error : undefined;
  }

  /** The message validated and measured, or the refusal a put answers with. */
  #measure(request: PutMessageRequest): MeasuredStoredMessage | PutMessageResult {
    const invalidText = checkStorableText(request.fields.topic, request.fields.properties);
    if (invalidText !== undefined) return failed('MESSAGE_ILLEGAL', invalidText);
    let measured: MeasuredStoredMessage;
    try {
      measured = measureStoredMessage(request.fields);
    } catch (error) {
      const status = isPropertiesError(error) ? 'PROPERTIES_SIZE_EXCEEDED' : 'MESSAGE_ILLEGAL';
      return failed(status, toKeelError(error));
    }
    if (measured.totalSize > this.config.maxMessageSize) {
      return failed(
        'MESSAGE_ILLEGAL',
        new KeelError(
          StoreErrorCodes.MESSAGE_TOO_LARGE,
          `message is ${measured.totalSize} bytes stored, more than maxMessageSize ${this.config.maxMessageSize}; send a smaller body (or compress it), or raise maxMessageSize on the broker`,
        ),
      );
    }
    return measured;
  }

  /** Checks and appends one message synchronously; its status is PUT_OK or why it was refused. */
  #append(request: PutMessageRequest): PutMessageResult {
    const refused = this.#refusal();
    if (refused !== undefined) return refused;
    const measured = this.#measure(request);
    if ('status' in measured) return measured;
    const prepared = withBodyCrc(measured);
    const { fields } = request;
    const type = transactionType(prepared.sysFlag);
    const queue = isConsumable(type) ? this.#queues.findOrCreate(fields.topic, fields.queueId) : undefined;
    const queueOffset = queue?.maxOffset ?? 0;
    const appended = this.#commitLog.append(prepared, queueOffset);
    this.#dispatch({
      topic: fields.topic,
      queueId: fields.queueId,
      queueOffset,
      commitLogOffset: appended.physicalOffset,
      size: appended.totalSize,
      tagsCode:
        this.#tagsCodeRule?.(fields.topic, fields.properties, appended.storeTimestamp) ??
        tagsCode(request.tags),
      storeTimestamp: appended.storeTimestamp,
      transactionType: type,
      keys: request.keys,
      uniqKey: request.uniqKey,
    });
    return {
      status: 'PUT_OK',
      physicalOffset: appended.physicalOffset,
      queueOffset,
      totalSize: appended.totalSize,
      storeTimestamp: appended.storeTimestamp,
    };
  }

  getMessage(
    topic: string,
    queueId: number,
    offset: number,
    limits: GetMessageLimits,
  ): Promise<GetMessageResult> {
    return getMessage(this.#commitLog, this.#queues.find(topic, queueId), offset, limits);
  }

  /**
   * The record at a commit-log offset (VIEW_MESSAGE_BY_ID), if it exists and is acknowledged.
   * `sizeHint`: the record's size when a queue entry gives it, so one exact read suffices.
   */
  readMessageAt(commitLogOffset: number, sizeHint?: number): Promise<DecodedStoredMessage | undefined> {
    return this.#commitLog.readRecord(commitLogOffset, sizeHint).then((record) => record?.message);
  }

  /**
   * The whole record at a commit-log offset, as stored (VIEW_MESSAGE_BY_ID's body), if it exists
   * and is acknowledged.
   */
  async readRecordBytes(commitLogOffset: number): Promise<Buffer | undefined> {
    return (await this.#commitLog.readRecord(commitLogOffset))?.bytes;
  }

  /**
   * Records stored under `key` (a KEYS value or the UNIQ_KEY) in `topic` between two store times,
   * newest first (QUERY_MESSAGE). Like RocketMQ's broker this matches key hashes: callers keep the
   * records whose key really matches.
   */
  async queryMessage(
    topic: string,
    key: string,
    maxNum: number,
    beginMs: number,
    endMs: number,
  ): Promise<{ records: Buffer[]; indexLastUpdateTimestampMs: number; indexLastUpdatePhyOffset: number }> {
    if (this.#index === undefined)
      return { records: [], indexLastUpdateTimestampMs: 0, indexLastUpdatePhyOffset: 0 };
    // Index entries are written after the append; waiting for the last one started means a
    // message is found by key as soon as its send was acknowledged.
    await this.#indexed;
    const found = await this.#index.queryOffsets(topic, key, maxNum, beginMs, endMs);
    const records: Buffer[] = [];
    for (const offset of found.phyOffsets) {
      const record = await this.#commitLog.readRecord(offset);
      if (record !== undefined) records.push(record.bytes);
    }
    return {
      records,
      indexLastUpdateTimestampMs: found.indexLastUpdateTimestampMs,
      indexLastUpdatePhyOffset: found.indexLastUpdatePhyOffset,
    };
  }

  /** The first queue offset stored at or after `timestampMs` (SEARCH_OFFSET_BY_TIMESTAMP). */
  async offsetInQueueByTime(topic: string, queueId: number, timestampMs: number): Promise<number> {
    const queue = this.#queues.find(topic, queueId);
    return queue === undefined ? 0 : offsetByTime(this.#commitLog, queue, timestampMs);
  }

  /** Store time of the oldest message kept in a queue (GET_EARLIEST_MSG_STORETIME), or -1. */
  async earliestMessageTime(topic: string, queueId: number): Promise<number> {
    const queue = this.#queues.find(topic, queueId);
    if (queue === undefined) return -1;
    for (const entry of await queue.read(queue.minOffset, 32)) {
      const stored = await storeTimestampAt(this.#commitLog, entry.commitLogOffset);
      if (stored !== undefined) return stored;
    }
    return -1;
  }

  /** Deletes expired commit-log segments now (DELETE_EXPIRED_COMMITLOG): RocketMQ's 20 passes. */
  deleteExpiredCommitLog(): Promise<RetentionPassReport> {
    if (this.#retention === undefined || this.#closed) {
      return Promise.reject(new KeelError(StoreErrorCodes.CLOSED, 'the message store is shut down'));
    }
    return this.#retention.deleteExpiredNow();
  }

  /** Disk usage, the refuse-writes state and what retention has deleted. */
  retentionStatus(): RetentionStatus | undefined {
    return this.#retention?.status();
  }

  /** Lookups by key that will miss records because indexing them failed (see warnings). */
  get indexFailures(): number {
    return this.#indexFailures;
  }

  maxOffsetInQueue(topic: string, queueId: number): number {
    return this.#queues.find(topic, queueId)?.visibleMaxOffset(this.#commitLog.confirmedOffset) ?? 0;
  }

  /**
   * Up to `maxCount` acknowledged consume-queue entries from `fromOffset` (raised to the queue's
   * minimum), without loading their messages: the schedule and timer services read delivery times
   * (tagsCode) this way, the transaction checker half-message positions. Blank entries (a queue
   * rebuilt over removed records) are left out.
   */
  async readQueueEntries(
    topic: string,
    queueId: number,
    fromOffset: number,
    maxCount: number,
  ): Promise<ConsumeQueueEntry[]> {
    const queue = this.#queues.find(topic, queueId);
    if (queue === undefined) return [];
    const end = queue.visibleMaxOffset(this.#commitLog.confirmedOffset);
    const from = Math.max(fromOffset, queue.minOffset);
    if (from >= end || maxCount <= 0) return [];
    const entries = await queue.read(from, Math.min(maxCount, end - from));
    return entries.filter((entry) => entry.size !== CQ_BLANK_SIZE);
  }

  minOffsetInQueue(topic: string, queueId: number): number {
    return this.#queues.find(topic, queueId)?.minOffset ?? 0;
  }

  /** Commit-log offsets of the store: first byte kept, acknowledged end, appended end. */
  commitLogOffsets(): { min: number; confirmed: number; max: number } {
    return {
      min: this.#commitLog.minOffset,
      confirmed: this.#commitLog.confirmedOffset,
      max: this.#commitLog.maxOffset,
    };
  }

  /**
   * Makes every record appended so far durable, whatever the flush mode; resolves with the durable
   * end. Services that save their own progress over stored messages (the timer) call it first.
   */
  flush(): Promise<number> {
    return this.#commitLog.flush();
  }

  /** Called for every record dispatched (index building, long-poll wake-ups, replication). */
  onDispatch(listener: (request: DispatchRequest) => void): void {
    this.#dispatchListeners.push(listener);
  }

  /** Called whenever acknowledged data grows; readers waiting for new messages listen here. */
  onConfirmed(listener: (confirmedOffset: number) => void): void {
    this.#commitLog.onConfirmed(listener);
  }

  /** Flushes everything, writes the clean-shutdown checkpoint and removes the abort file. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#retention?.close();
    if (this.#checkpointTimer !== undefined) this.#clock.clearInterval(this.#checkpointTimer);
    await this.#checkpointRun;
    await this.#commitLog.flush();
    await this.#queues.flushAll();
    const failure = this.#commitLog.failure;
    if (failure === undefined) {
      await this.#saveCheckpoint(this.#commitLog.maxOffset);
      await this.#disk.remove(this.config.abortFile);
      await this.#disk.syncDirectory(this.config.storePathRootDir);
    }
    await this.#queues.closeAll();
    await this.#index?.close();
    await this.#commitLog.close();
    await this.#checkpoint.close();
    await this.#lock.release();
  }

  #dispatch(request: DispatchRequest): void {
    dispatchToQueue(this.#queues, request, this.#commitLog.confirmedOffset);
    // A record with neither KEYS nor UNIQ_KEY has nothing to index: skip the call on the hot path.
    if (this.#index !== undefined && (request.keys !== undefined || request.uniqKey !== undefined)) {
      this.#indexed = this.#index.buildIndex(indexRequest(request)).catch((error: unknown) => {
        // The message is stored and consumable; only lookups by key miss it. Counted (indexFailures)
        // and reported; failing the put for it would make a stored message look lost.
        this.#indexFailures++;
        process.emitWarning(
          `indexing ${request.topic} record at ${request.commitLogOffset} failed: ${String(error)}`,
          'KeelStoreWarning',
        );
      });
    }
    for (const listener of this.#dispatchListeners) listener(request);
  }

  #refusal(): PutMessageResult | undefined {
    if (this.#replica) {
      return failed(
        'SERVICE_NOT_AVAILABLE',
        new KeelError(
          StoreErrorCodes.READ_ONLY,
          "this broker's store is a slave's copy of its master's log and takes no messages; send them to the master",
        ),
      );
    }
    const refused = this.#writeRefusal();
    return refused === undefined ? undefined : failed('SERVICE_NOT_AVAILABLE', refused);
  }

  /** Why nothing can be written now (closed, failed disk, disk full), or undefined. */
  #writeRefusal(): KeelError | undefined {
    if (this.#closed) {
      return new KeelError(StoreErrorCodes.CLOSED, 'the message store is shut down; retry on another broker');
    }
    if (this.#commitLog.failure !== undefined) {
      return new KeelError(
        StoreErrorCodes.NOT_WRITABLE,
        'the commit log failed a write or fdatasync and accepts no more messages; check the disk and restart the broker',
        { cause: this.#commitLog.failure },
      );
    }
    return this.#retention?.diskFullError();
  }

  #periodicCheckpoint(): void {
    if (this.#checkpointRun !== undefined || this.#closed) return;
    this.#checkpointRun = this.#saveCheckpoint(-1)
      .catch((error: unknown) => {
        // A failed checkpoint costs only recovery time (recovery starts from the previous one), so
        // the store keeps running; the next period tries again.
        process.emitWarning(`checkpoint failed: ${String(error)}`, 'KeelStoreWarning');
      })
      .finally(() => {
        this.#checkpointRun = undefined;
      });
  }

  /**
   * Records how far the consume queues are durable. Order matters: take the commit log's durable
   * offset first (every record below it is already dispatched), then flush the queues, then write
   * it; recovery re-dispatches from there.
   */
  async #saveCheckpoint(cleanEndOffset: number): Promise<void> {
    const durable = cleanEndOffset >= 0 ? cleanEndOffset : await this.#commitLog.flush();
    await this.#queues.flushAll();
    const indexed = await this.#index?.flush();
    const now = this.#clock.now();
    await this.#checkpoint.save({
      dispatchedDurableOffset: durable,
      cleanEndOffset,
      physicMsgTimestamp: now,
      logicsMsgTimestamp: now,
      indexMsgTimestamp: indexed?.endTimestampMs ?? this.#checkpoint.state.indexMsgTimestamp,
    });
  }
}

function dispatchToQueue(queues: ConsumeQueueTable, request: DispatchRequest, confirmedOffset = -1): void {
  if (!isConsumable(request.transactionType)) return;
  queues
    .findOrCreate(request.topic, request.queueId)
    .put(request.queueOffset, request.commitLogOffset, request.size, request.tagsCode, confirmedOffset);
}

const INDEX_TRANSACTION_TYPES: Record<TransactionType, IndexTransactionType> = {
  [MessageSysFlag.TRANSACTION_NOT_TYPE]: 'NOT_TYPE',
  [MessageSysFlag.TRANSACTION_PREPARED_TYPE]: 'PREPARED',
  [MessageSysFlag.TRANSACTION_COMMIT_TYPE]: 'COMMIT',
  [MessageSysFlag.TRANSACTION_ROLLBACK_TYPE]: 'ROLLBACK',
};

function indexRequest(request: DispatchRequest) {
  return {
    topic: request.topic,
    commitLogOffset: request.commitLogOffset,
    storeTimestampMs: request.storeTimestamp,
    transactionType: INDEX_TRANSACTION_TYPES[request.transactionType],
    ...(request.keys === undefined ? {} : { keys: request.keys }),
    ...(request.uniqKey === undefined ? {} : { uniqKey: request.uniqKey }),
  };
}

function failed(status: PutMessageStatus, error: KeelError): PutMessageResult {
  return { status, physicalOffset: -1, queueOffset: -1, totalSize: 0, storeTimestamp: 0, error };
}

function isPropertiesError(error: unknown): boolean {
  return error instanceof KeelError && error.code === MessageErrorCodes.PROPERTIES_TOO_LONG;
}

function toKeelError(error: unknown): KeelError {
  if (error instanceof KeelError) return error;
  return new KeelError('STORE_IO_ERROR', `store I/O failed: ${String(error)}`, { cause: error });
}
