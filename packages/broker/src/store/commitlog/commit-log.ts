import type { Clock, TimerHandle } from '../../common/clock';
import {
  encodeBlankRecord,
  encodeStoredMessage,
  type PreparedStoredMessage,
} from '../../protocol/message/stored-message';
import {
  decodeStoredMessage,
  verifyStoredMessage,
  type DecodedStoredMessage,
} from '../../protocol/message/stored-message-decoder';
import { BLANK_RECORD_SIZE } from '../../protocol/message/stored-message-layout';
import type { Disk } from '../disk/disk';
import { SegmentedFile } from '../segment/segmented-file';
import { DurabilityWaiters, type DurabilityStatus } from './durability-waiters';

export type FlushDiskType = 'ASYNC_FLUSH' | 'SYNC_FLUSH';

export interface CommitLogOptions {
  readonly disk: Disk;
  readonly dir: string;
  readonly clock: Clock;
  /** `mappedFileSizeCommitLog` */
  readonly segmentSizeBytes: number;
  readonly flushDiskType: FlushDiskType;
  /** ASYNC_FLUSH: how often committed bytes are made durable (`flushIntervalCommitLog`). */
  readonly flushIntervalMs: number;
  /** SYNC_FLUSH: a put not durable after this long answers FLUSH_DISK_TIMEOUT (`syncFlushTimeout`). */
  readonly syncFlushTimeoutMs: number;
  /** Size of the in-memory write chunks handed to the kernel in one write. */
  readonly writeChunkBytes: number;
}

export interface AppendedRecord {
  readonly physicalOffset: number;
  readonly totalSize: number;
  readonly storeTimestamp: number;
}

/** Bytes read at a time by the recovery scan. */
const SCAN_WINDOW_BYTES = 8 << 20;

/**
 * The commit log: every message of every topic, appended by one writer, in RocketMQ 4.x's record
 * format. It decides when a put is acknowledged:
 *
 *   ASYNC_FLUSH  when the record has been handed to the kernel (it survives a crash of the process,
 *                not of the machine); the log is fdatasync'd every `flushIntervalMs`.
 *   SYNC_FLUSH   when an fdatasync covering the record has completed (group commit: one fdatasync
 *                covers every record appended before it started).
 *
 * Records become readable (`confirmedOffset`) only once acknowledged that way, so a consumer never
 * sees a message that a crash could still take back.
 */
export class CommitLog {
  readonly #log: SegmentedFile;
  readonly #clock: Clock;
  readonly #syncFlush: boolean;
  readonly #waiters: DurabilityWaiters;
  readonly #confirmedListeners: Array<(confirmedOffset: number) => void> = [];
  #committing = false;
  #syncing = false;
  #failure: unknown;
  #flushTimer: TimerHandle | undefined;
  /** A periodic flush still running; ticks that find one skip instead of queueing behind it. */
  #periodicFlushRunning = false;

  private constructor(log: SegmentedFile, options: CommitLogOptions) {
    this.#log = log;
    this.#clock = options.clock;
    this.#syncFlush = options.flushDiskType === 'SYNC_FLUSH';
    this.#waiters = new DurabilityWaiters(options.clock, options.syncFlushTimeoutMs, 'FLUSH_DISK_TIMEOUT');
    if (!this.#syncFlush) {
      this.#flushTimer = options.clock.setInterval(() => this.#periodicFlush(), options.flushIntervalMs);
    }
  }

  /** Opens the segments; the caller recovers (`scan` + `truncateTo`) before appending. */
  static async open(options: CommitLogOptions): Promise<CommitLog> {
    const log = await SegmentedFile.open({
      disk: options.disk,
      dir: options.dir,
      segmentSizeBytes: options.segmentSizeBytes,
      writeChunkBytes: options.writeChunkBytes,
    });
    return new CommitLog(log, options);
  }

  get minOffset(): number {
    return this.#log.minOffset;
  }

  /** Offset after the last appended record. */
  get maxOffset(): number {
    return this.#log.writeOffset;
  }

  get flushedOffset(): number {
    return this.#log.flushedOffset;
  }

  /** Records below this offset are acknowledged and may be served to consumers. */
  get confirmedOffset(): number {
    return this.#syncFlush ? this.#log.flushedOffset : this.#log.committedOffset;
  }

  get segmentSizeBytes(): number {
    return this.#log.segmentSizeBytes;
  }

  /** Set when a write or fdatasync failed: nothing can be acknowledged any more. */
  get failure(): unknown {
    return this.#failure;
  }

  /** Called with the new confirmed offset whenever it advances (long polls wait on it). */
  onConfirmed(listener: (confirmedOffset: number) => void): void {
    this.#confirmedListeners.push(listener);
  }

  /**
   * Appends one record synchronously; the offsets in it are final once this returns. A record that
   * does not fit the rest of the segment (with 8 bytes to spare for the blank record) goes to the
   * next segment, as RocketMQ does. `totalSize` must not exceed the segment size minus 8.
   */
  append(message: PreparedStoredMessage, queueOffset: number): AppendedRecord {
    const totalSize = message.totalSize;
    if (totalSize + BLANK_RECORD_SIZE > this.#log.remainingInSegment()) {
      const blank = Buffer.allocUnsafe(BLANK_RECORD_SIZE);
      encodeBlankRecord(blank, 0, this.#log.remainingInSegment());
      this.#log.padToSegmentEnd(blank);
    }
    const { buffer, position, offset } = this.#log.reserve(totalSize);
    const storeTimestamp = this.#clock.now();
    encodeStoredMessage(message, buffer, position, { queueOffset, physicalOffset: offset, storeTimestamp });
    this.#kick();
    return { physicalOffset: offset, totalSize, storeTimestamp };
  }

  /**
   * Replication (a slave): appends a record exactly as the master stored it, at the end of the log,
   * which must be where the record says it lies. The caller has verified the record
   * (replica-records.ts); the blank record that ends a segment goes through `appendBlankRecord`.
   */
  appendVerbatim(record: Uint8Array): number {
    if (record.length + BLANK_RECORD_SIZE > this.#log.remainingInSegment()) {
      throw new RangeError(
        `a replicated record of ${record.length} bytes at ${this.#log.writeOffset} does not fit its segment`,
      );
    }
    const offset = this.#log.append(record);
    this.#kick();
    return offset;
  }

  /** Replication: the master's end-of-segment blank record; the log continues in the next segment. */
  appendBlankRecord(blank: Uint8Array): number {
    const offset = this.#log.padToSegmentEnd(blank);
    this.#kick();
    return offset;
  }

  /** Resolves once the bytes below `endOffset` are acknowledged (see the class comment). */
  whenConfirmed(endOffset: number): Promise<DurabilityStatus> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (endOffset <= this.confirmedOffset) return Promise.resolve('PUT_OK');
    const waiting = this.#waiters.add(endOffset);
    this.#kick();
    return waiting;
  }

  /** Reads `size` bytes at `offset` (a record or a run of records); fewer past the end. */
  read(offset: number, size: number, into?: Buffer): Promise<Buffer> {
    return this.#log.read(offset, size, into);
  }

  /**
   * The record at `offset`, whole as stored and decoded, or undefined when there is none there or
   * it is not acknowledged yet. `sizeHint` is the first read's size (a queue entry knows it).
   */
  async readRecord(
    offset: number,
    sizeHint = 4096,
  ): Promise<{ bytes: Buffer; message: DecodedStoredMessage } | undefined> {
    if (offset < this.minOffset || offset >= this.confirmedOffset) return undefined;
    let bytes = await this.read(offset, sizeHint);
    let result = decodeStoredMessage(bytes, 0);
    if (result.kind === 'incomplete') {
      bytes = await this.read(offset, result.needed);
      result = decodeStoredMessage(bytes, 0);
    }
    return result.kind === 'message'
      ? { bytes: bytes.subarray(0, result.size), message: result.message }
      : undefined;
  }

  /**
   * Walks the records from `fromOffset`, verifying magic, sizes, CRC, text and that each record's
   * PHYSICALOFFSET is where it lies (so stale bytes from before a truncation are never taken for a
   * record), and calls `onRecord` with each (decoded without its body). Returns the offset after
   * the last valid record: the recovered end of the log.
   */
  scan(fromOffset: number, onRecord: (message: DecodedStoredMessage) => void): Promise<ScanOutcome> {
    return this.#walk(fromOffset, onRecord);
  }

  /** The same walk as `scan` without decoding anything: recovery runs it over the unverified log. */
  verify(fromOffset: number): Promise<ScanOutcome> {
    return this.#walk(fromOffset, undefined);
  }

  /** Reads ahead one window while it checks the current one (two reused 8 MiB buffers). */
  async #walk(
    fromOffset: number,
    onRecord: ((message: DecodedStoredMessage) => void) | undefined,
  ): Promise<ScanOutcome> {
    const buffers = [Buffer.allocUnsafeSlow(SCAN_WINDOW_BYTES), Buffer.allocUnsafeSlow(SCAN_WINDOW_BYTES)];
    let spare = 0;
    const readWindow = (start: number): Promise<{ start: number; bytes: Buffer }> => {
      const target = buffers[spare]!;
      spare = 1 - spare;
      return this.read(start, SCAN_WINDOW_BYTES, target).then((bytes) => ({ start, bytes }));
    };
    let offset = Math.max(fromOffset, this.minOffset);
    let verifiedBytes = 0;
    let window = await readWindow(offset);
    let ahead = readWindow(window.start + window.bytes.length);
    const stop = async (why: ScanOutcome['stop']): Promise<ScanOutcome> => {
      await ahead;
      return { end: offset, verifiedBytes, stop: why };
    };
    for (;;) {
      if (offset >= this.#log.writeOffset) return stop('end-of-log');
      const at = offset - window.start;
      if (at >= window.bytes.length || at < 0) {
        const next = await ahead;
        window = next.start === offset ? next : await readWindow(offset);
        ahead = readWindow(window.start + window.bytes.length);
        if (window.bytes.length === 0) return stop('end-of-data');
        continue;
      }
      const result = verifyStoredMessage(window.bytes, at);
      if (result.kind === 'incomplete') {
        const segmentEnd = this.#log.segmentStartOf(offset) + this.#log.segmentSizeBytes;
        const available = Math.min(segmentEnd, this.#log.writeOffset) - offset;
        if (result.needed > available || at === 0) return stop('torn-record');
        // The record runs past the window: continue with a window that starts at the record (a
        // record larger than a window gets a buffer of its own).
        await ahead;
        window = {
          start: offset,
          bytes: await this.read(offset, Math.max(result.needed, SCAN_WINDOW_BYTES)),
        };
        ahead = readWindow(window.start + window.bytes.length);
        continue;
      }
      if (result.kind === 'blank') {
        offset = this.#log.segmentStartOf(offset) + this.#log.segmentSizeBytes;
        continue;
      }
      if (result.kind === 'corrupt') return stop(result.reason === 'bad-magic' ? 'end-of-data' : 'corrupt');
      if (result.physicalOffset !== offset) return stop('stale-record');
      if (onRecord !== undefined) {
        const decoded = decodeStoredMessage(window.bytes, at, { withBody: false });
        if (decoded.kind === 'message') onRecord(decoded.message);
      }
      offset += result.size;
      verifiedBytes += result.size;
    }
  }

  /** Sets the end of the log after recovery; see SegmentedFile.truncateTo. */
  truncateTo(end: number): Promise<void> {
    return this.#log.truncateTo(end);
  }

  /** Makes everything appended so far durable, whatever the flush mode. */
  async flush(): Promise<number> {
    const flushed = await this.#log.flush();
    this.#notifyConfirmed();
    return flushed;
  }

  deleteSegmentsBefore(offset: number, maxSegments?: number): Promise<number[]> {
    return this.#log.deleteSegmentsBefore(offset, maxSegments);
  }

  segmentStarts(): number[] {
    return this.#log.segmentStarts();
  }

  segmentPath(start: number): string {
    return this.#log.segmentPath(start);
  }

  async close(): Promise<void> {
    if (this.#flushTimer !== undefined) this.#clock.clearInterval(this.#flushTimer);
    this.#flushTimer = undefined;
    await this.#log.close();
    this.#waiters.complete(this.#log.flushedOffset);
  }

  /**
   * Starts the loops that are needed and not running. The commit loop hands appended bytes to the
   * kernel as long as there are any; in SYNC_FLUSH mode the sync loop fdatasyncs what is committed,
   * concurrently, so while one fdatasync runs the next group's bytes are already being written.
   */
  #kick(): void {
    if (this.#failure !== undefined) return;
    if (!this.#committing) {
      this.#committing = true;
      // Deferred so that every record appended in this tick shares the first write.
      queueMicrotask(() => void this.#commitLoop());
    }
    if (this.#syncFlush && !this.#syncing) {
      this.#syncing = true;
      queueMicrotask(() => void this.#syncLoop());
    }
  }

  async #commitLoop(): Promise<void> {
    try {
      while (this.#failure === undefined && this.#log.committedOffset < this.#log.writeOffset) {
        await this.#log.commit();
        if (!this.#syncFlush) this.#notifyConfirmed();
      }
    } catch (error) {
      this.#fail(error);
    } finally {
      this.#committing = false;
    }
  }

  async #syncLoop(): Promise<void> {
    try {
      while (this.#failure === undefined && this.#log.flushedOffset < this.#log.writeOffset) {
        if (this.#log.committedOffset <= this.#log.flushedOffset) await this.#log.commit();
        await this.#log.syncCommitted();
        this.#notifyConfirmed();
      }
    } catch (error) {
      this.#fail(error);
    } finally {
      this.#syncing = false;
    }
  }

  /**
   * After a failed write or fdatasync the kernel may have dropped the pages: nothing written since
   * the last good flush can be promised any more, and writing on would hide that.
   */
  #fail(error: unknown): void {
    this.#failure ??= error;
    this.#waiters.failAll(error);
  }

  #periodicFlush(): void {
    if (this.#periodicFlushRunning || this.#failure !== undefined) return;
    if (this.#log.flushedOffset >= this.#log.writeOffset) return;
    // Without this guard a disk slower than the interval (or a clock that jumps) would pile up one
    // pending flush per tick, each holding memory until the disk catches up.
    this.#periodicFlushRunning = true;
    this.#log
      .flush()
      .then(
        () => this.#notifyConfirmed(),
        (error: unknown) => this.#fail(error),
      )
      .finally(() => {
        this.#periodicFlushRunning = false;
      });
  }

  #notifyConfirmed(): void {
    const confirmed = this.confirmedOffset;
    this.#waiters.complete(confirmed);
    for (const listener of this.#confirmedListeners) listener(confirmed);
  }
}

export interface ScanOutcome {
  /** Offset after the last valid record: the recovered end of the log. */
  readonly end: number;
  readonly verifiedBytes: number;
  /** Why the scan stopped: the normal end, or the kind of damage found there. */
  readonly stop: 'end-of-log' | 'end-of-data' | 'torn-record' | 'corrupt' | 'stale-record';
}
