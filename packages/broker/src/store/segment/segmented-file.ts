import { join } from 'node:path';
import type { Disk, DiskFile } from '../disk/disk';
import { StoreCorruptionError } from '../store-errors';
import { parseSegmentFileName, segmentFileName } from './segment-name';

/**
 * An append-only byte log split into fixed-size segment files — what RocketMQ calls a
 * MappedFileQueue, built for a runtime with no mmap.
 *
 *   logical offset:  0           S           2S          3S
 *                    |-segment 0-|-segment 1-|-segment 2-|     (files named by start offset)
 *
 *   appends ──► in-memory chunks ──commit()──► files (page cache) ──flush()──► durable (fdatasync)
 *
 * Appends are synchronous: the caller reserves bytes in the newest chunk and encodes into it
 * directly, so the append path has no I/O and no per-append allocation. `commit` hands every
 * appended byte to the kernel with large positional writes; `flush` then makes them durable. A chunk
 * never spans two segments. Chunks stay in memory until they are fully committed and no longer the
 * newest, so a read of recent data is served from memory (copied) and a read of older data from the
 * file.
 *
 * Segment files are created at full size (`ftruncate`, so they are sparse until written), as
 * RocketMQ's mapped files are.
 */
export interface SegmentedFileOptions {
  readonly disk: Disk;
  readonly dir: string;
  readonly segmentSizeBytes: number;
  /** Capacity of each in-memory write chunk (the size of a typical commit write). */
  readonly writeChunkBytes: number;
}

/** Spare chunk buffers kept for reuse. */
const MAX_FREE_CHUNKS = 4;

interface Chunk {
  /** Logical offset of buffer[0]. */
  readonly start: number;
  readonly buffer: Buffer;
  filled: number;
  committed: number;
}

export class SegmentedFile {
  readonly #disk: Disk;
  readonly #dir: string;
  readonly #segmentSize: number;
  readonly #chunkBytes: number;
  /** Open segment files by start offset, in ascending order of start. */
  readonly #segments = new Map<number, DiskFile>();
  #chunks: Chunk[] = [];
  readonly #freeBuffers: Buffer[] = [];
  /** Offset of the first byte still kept (start of the oldest segment, or of the log if none). */
  #minOffset = 0;
  #writeOffset = 0;
  #committedOffset = 0;
  #flushedOffset = 0;
  #directoryExists = false;
  #commitRun: Promise<void> | undefined;
  #flushRun: Promise<number> | undefined;

  private constructor(options: SegmentedFileOptions) {
    if (!Number.isSafeInteger(options.segmentSizeBytes) || options.segmentSizeBytes <= 0) {
      throw new RangeError(`segmentSizeBytes must be a positive integer, got ${options.segmentSizeBytes}`);
    }
    this.#disk = options.disk;
    this.#dir = options.dir;
    this.#segmentSize = options.segmentSizeBytes;
    this.#chunkBytes = Math.max(1, Math.min(options.writeChunkBytes, options.segmentSizeBytes));
  }

  /**
   * A log with no segments yet, starting at `startOffset`; does no I/O (the directory is created
   * with the first segment), so a writer can create one on its synchronous append path.
   */
  static createEmpty(options: SegmentedFileOptions, startOffset = 0): SegmentedFile {
    const file = new SegmentedFile(options);
    file.#minOffset = file.#writeOffset = file.#committedOffset = file.#flushedOffset = startOffset;
    return file;
  }

  /**
   * Opens the segments found in `dir`. The log's real end is unknown until the owner, which knows
   * the record format, has found it and called `truncateTo`; until then every byte of every segment
   * is readable and the end is the end of the last segment.
   */
  static async open(options: SegmentedFileOptions): Promise<SegmentedFile> {
    const file = new SegmentedFile(options);
    await options.disk.mkdirp(options.dir);
    file.#directoryExists = true;
    const starts = (await options.disk.list(options.dir))
      .map((name) => parseSegmentFileName(name))
      .filter((start): start is number => start !== undefined)
      .sort((a, b) => a - b);
    for (const start of starts) {
      const path = join(options.dir, segmentFileName(start));
      if (start % file.#segmentSize !== 0) {
        throw new StoreCorruptionError(
          `${path}: start offset is not a multiple of the segment size ${file.#segmentSize}; was the segment size changed? Restore the setting the store was created with.`,
        );
      }
      const handle = await options.disk.openExisting(path);
      const size = await handle.size();
      if (size === 0 && start === starts[starts.length - 1]) {
        // The newest segment was being created when the machine stopped: its size never became
        // durable, so nothing in it was ever acknowledged. Give it its full size back.
        await handle.truncate(file.#segmentSize);
        await handle.datasync();
      } else if (size !== file.#segmentSize) {
        await handle.close();
        throw new StoreCorruptionError(
          `${path}: segment is ${size} bytes, expected ${file.#segmentSize}; was the segment size changed? Restore the setting the store was created with.`,
        );
      }
      file.#segments.set(start, handle);
    }
    const first = starts[0] ?? 0;
    const last = starts[starts.length - 1];
    file.#minOffset = first;
    file.#writeOffset =
      file.#committedOffset =
      file.#flushedOffset =
        last === undefined ? first : last + file.#segmentSize;
    return file;
  }

  get segmentSizeBytes(): number {
    return this.#segmentSize;
  }

  /** Offset of the first byte still on disk (start of the oldest segment). */
  get minOffset(): number {
    return this.#minOffset;
  }

  /** Offset after the last appended byte. */
  get writeOffset(): number {
    return this.#writeOffset;
  }

  /** Every byte below this offset has been handed to the kernel. */
  get committedOffset(): number {
    return this.#committedOffset;
  }

  /** Every byte below this offset has been made durable. */
  get flushedOffset(): number {
    return this.#flushedOffset;
  }

  /** Start offsets of the segments on disk, oldest first. */
  segmentStarts(): number[] {
    return [...this.#segments.keys()];
  }

  segmentStartOf(offset: number): number {
    return offset - (offset % this.#segmentSize);
  }

  /** Bytes left in the segment the next append goes to. */
  remainingInSegment(): number {
    return this.#segmentSize - (this.#writeOffset % this.#segmentSize);
  }

  /**
   * Reserves `length` bytes at the end of the log and returns where to write them. They must fit
   * in the current segment (see `remainingInSegment`).
   */
  reserve(length: number): { buffer: Buffer; position: number; offset: number } {
    if (length <= 0 || length > this.remainingInSegment()) {
      throw new RangeError(
        `cannot reserve ${length} bytes with ${this.remainingInSegment()} left in the segment`,
      );
    }
    let chunk = this.#chunks[this.#chunks.length - 1];
    if (
      chunk === undefined ||
      chunk.start + chunk.filled !== this.#writeOffset ||
      chunk.buffer.length - chunk.filled < length
    ) {
      const capacity = Math.min(Math.max(this.#chunkBytes, length), this.remainingInSegment());
      chunk = { start: this.#writeOffset, buffer: this.#takeBuffer(capacity), filled: 0, committed: 0 };
      this.#chunks.push(chunk);
    }
    const position = chunk.filled;
    const offset = this.#writeOffset;
    chunk.filled += length;
    this.#writeOffset += length;
    return { buffer: chunk.buffer, position, offset };
  }

  /** Appends a copy of `bytes`; a convenience over `reserve` for small fixed-size entries. */
  append(bytes: Uint8Array): number {
    const { buffer, position, offset } = this.reserve(bytes.length);
    buffer.set(bytes, position);
    return offset;
  }

  /**
   * Writes `marker` (e.g. the commit log's blank end-of-file record) and moves the end of the log to
   * the start of the next segment. The bytes between the marker and the segment end stay as the
   * sparse file has them: zeros.
   */
  padToSegmentEnd(marker: Uint8Array): number {
    const offset = this.append(marker);
    this.#writeOffset = this.segmentStartOf(offset) + this.#segmentSize;
    return offset;
  }

  /** Hands every byte appended so far to the kernel. Concurrent callers share the writes. */
  async commit(): Promise<void> {
    const target = this.#writeOffset;
    while (this.#committedOffset < target) {
      this.#commitRun ??= this.#writeChunks().finally(() => {
        this.#commitRun = undefined;
      });
      await this.#commitRun;
    }
  }

  /**
   * Commits and then makes durable everything appended so far; resolves with the offset the
   * datasync covered (at least the end of the log at the time of the call). Concurrent callers
   * share one datasync when they can: that is the group commit.
   */
  async flush(): Promise<number> {
    const target = this.#writeOffset;
    while (this.#flushedOffset < target) {
      this.#flushRun ??= this.#syncCommitted().finally(() => {
        this.#flushRun = undefined;
      });
      await this.#flushRun;
    }
    return this.#flushedOffset;
  }

  /**
   * Reads up to `length` bytes at `offset`, never past the end of the log nor past the end of the
   * segment holding `offset`. Recent bytes are copied from memory, older ones read from the file
   * (into `into` when it is given and large enough).
   */
  async read(offset: number, length: number, into?: Buffer): Promise<Buffer> {
    const end = Math.min(offset + length, this.#writeOffset, this.segmentStartOf(offset) + this.#segmentSize);
    if (offset < this.minOffset || end <= offset) return Buffer.alloc(0);
    const memoryStart = this.#chunks[0]?.start ?? this.#writeOffset;
    if (offset >= memoryStart) return this.#readMemory(offset, end);
    const diskEnd = Math.min(end, memoryStart);
    const fromDisk = await this.#readDisk(offset, diskEnd - offset, into);
    // The first chunk may have been committed and dropped while the read was in flight; what it
    // held is in the file now, so re-read rather than serve a stale gap.
    if (diskEnd === end) return fromDisk;
    const rest = await this.read(diskEnd, end - diskEnd);
    return Buffer.concat([fromDisk, rest]);
  }

  /**
   * Sets the end of the log after recovery: segments past it are deleted and the tail of the
   * segment holding it is zeroed (truncate, then extend again), so stale records from before a
   * crash can never be mistaken for new ones.
   */
  async truncateTo(end: number): Promise<void> {
    if (this.#chunks.some((chunk) => chunk.committed < chunk.filled)) {
      throw new Error('truncateTo with uncommitted appends: it is meant for recovery, before any append');
    }
    for (const [start, handle] of [...this.#segments]) {
      if (start >= end && !(start === this.segmentStartOf(end) && end % this.#segmentSize !== 0)) {
        await handle.close();
        await this.#disk.remove(join(this.#dir, segmentFileName(start)));
        this.#segments.delete(start);
      }
    }
    const holder = this.#segments.get(this.segmentStartOf(end));
    if (holder !== undefined) {
      await holder.truncate(end % this.#segmentSize);
      await holder.truncate(this.#segmentSize);
      await holder.datasync();
    }
    await this.#disk.syncDirectory(this.#dir);
    this.#chunks = [];
    this.#writeOffset = this.#committedOffset = this.#flushedOffset = end;
    this.#minOffset = this.#segments.keys().next().value ?? this.segmentStartOf(end);
  }

  /** Deletes whole segments that end at or before `offset` (retention); never the newest one. */
  async deleteSegmentsBefore(offset: number, maxSegments = Number.MAX_SAFE_INTEGER): Promise<number[]> {
    const deleted: number[] = [];
    const starts = this.segmentStarts();
    const newest = this.segmentStartOf(Math.max(0, this.#writeOffset - 1));
    for (const start of starts) {
      if (deleted.length >= maxSegments || start + this.#segmentSize > offset || start >= newest) break;
      const handle = this.#segments.get(start);
      this.#segments.delete(start);
      await handle?.close();
      await this.#disk.remove(join(this.#dir, segmentFileName(start)));
      deleted.push(start);
      this.#minOffset = start + this.#segmentSize;
    }
    return deleted;
  }

  async close(): Promise<void> {
    await this.flush();
    for (const handle of this.#segments.values()) await handle.close();
    this.#segments.clear();
    this.#chunks = [];
  }

  /** Paths and last-modified times of the segments, for retention decisions. */
  segmentPath(start: number): string {
    return join(this.#dir, segmentFileName(start));
  }

  async #writeChunks(): Promise<void> {
    const passEnd = this.#writeOffset;
    const chunks = [...this.#chunks];
    for (const chunk of chunks) {
      const upTo = chunk.filled;
      if (chunk.committed >= upTo) continue;
      const segmentStart = this.segmentStartOf(chunk.start);
      const handle = await this.#segmentFor(segmentStart);
      const from = chunk.committed;
      await handle.write(chunk.buffer, from, upTo - from, chunk.start - segmentStart + from);
      chunk.committed = upTo;
    }
    this.#committedOffset = Math.max(this.#committedOffset, passEnd);
    // Keep the newest chunk (appends continue in it) and any chunk not yet fully written; recycle
    // the others' memory, which is already in the file.
    const newest = this.#chunks[this.#chunks.length - 1];
    const kept: Chunk[] = [];
    for (const chunk of this.#chunks) {
      if (chunk === newest || chunk.committed < chunk.filled) kept.push(chunk);
      else this.#recycle(chunk.buffer);
    }
    this.#chunks = kept;
  }

  /**
   * Chunk memory is reused: touching fresh pages costs a page fault each, which at hundreds of MB/s
   * dominated the append path. Reads from memory copy for the same reason (see #readMemory).
   */
  #takeBuffer(capacity: number): Buffer {
    if (capacity === this.#chunkBytes) {
      const free = this.#freeBuffers.pop();
      if (free !== undefined) return free;
    }
    return Buffer.allocUnsafeSlow(capacity);
  }

  #recycle(buffer: Buffer): void {
    if (buffer.length === this.#chunkBytes && this.#freeBuffers.length < MAX_FREE_CHUNKS) {
      this.#freeBuffers.push(buffer);
    }
  }

  /**
   * Makes durable what is committed now, without waiting for more commits; resolves with the offset
   * covered. Commits of newer appends may run meanwhile: that overlap is what lets a group commit
   * take about one fdatasync per round.
   */
  async syncCommitted(): Promise<number> {
    while (this.#flushedOffset < this.#committedOffset) {
      this.#flushRun ??= this.#syncNow().finally(() => {
        this.#flushRun = undefined;
      });
      await this.#flushRun;
    }
    return this.#flushedOffset;
  }

  async #syncCommitted(): Promise<number> {
    await this.commit();
    return this.#syncNow();
  }

  async #syncNow(): Promise<number> {
    const covered = this.#committedOffset;
    const from = this.segmentStartOf(this.#flushedOffset);
    for (const [start, handle] of this.#segments) {
      if (start + this.#segmentSize > from && start < covered) await handle.datasync();
    }
    this.#flushedOffset = Math.max(this.#flushedOffset, covered);
    return this.#flushedOffset;
  }

  async #segmentFor(start: number): Promise<DiskFile> {
    const existing = this.#segments.get(start);
    if (existing !== undefined) return existing;
    if (!this.#directoryExists) {
      await this.#disk.mkdirp(this.#dir);
      this.#directoryExists = true;
    }
    const handle = await this.#disk.open(join(this.#dir, segmentFileName(start)));
    await handle.truncate(this.#segmentSize);
    // The size and the new name must be durable before any datasync of the contents is reported
    // as durable: fdatasync of the contents alone does not promise either.
    await handle.datasync();
    await this.#disk.syncDirectory(this.#dir);
    this.#segments.set(start, handle);
    this.#sortSegments();
    return handle;
  }

  #sortSegments(): void {
    const sorted = [...this.#segments].sort((a, b) => a[0] - b[0]);
    this.#segments.clear();
    for (const [start, handle] of sorted) this.#segments.set(start, handle);
  }

  /** A copy, never a view: chunk memory is recycled once committed. */
  #readMemory(offset: number, end: number): Buffer {
    const holder = this.#chunkHolding(offset);
    if (holder !== undefined && end <= holder.start + holder.filled) {
      return Buffer.from(holder.buffer.subarray(offset - holder.start, end - holder.start));
    }
    // The range spans chunks, or a padded gap after an end-of-segment marker (zeros on disk too).
    const out = Buffer.alloc(end - offset);
    for (const chunk of this.#chunks) {
      const from = Math.max(offset, chunk.start);
      const to = Math.min(end, chunk.start + chunk.filled);
      if (from < to) chunk.buffer.copy(out, from - offset, from - chunk.start, to - chunk.start);
    }
    return out;
  }

  #chunkHolding(offset: number): Chunk | undefined {
    for (let i = this.#chunks.length - 1; i >= 0; i--) {
      const chunk = this.#chunks[i];
      if (chunk !== undefined && chunk.start <= offset) {
        return offset < chunk.start + chunk.filled ? chunk : undefined;
      }
    }
    return undefined;
  }

  async #readDisk(offset: number, length: number, into?: Buffer): Promise<Buffer> {
    const segmentStart = this.segmentStartOf(offset);
    const handle = this.#segments.get(segmentStart);
    if (handle === undefined) return Buffer.alloc(0);
    // A caller scanning the log passes its own buffer: fresh 8 MiB buffers cost a page fault per page.
    const out =
      into !== undefined && into.length >= length ? into.subarray(0, length) : Buffer.allocUnsafe(length);
    const read = await handle.read(out, 0, length, offset - segmentStart);
    return read === length ? out : out.subarray(0, read);
  }
}
