import type { Disk } from '../disk/disk';
import { SegmentedFile } from '../segment/segmented-file';
import {
  CQ_BLANK_SIZE,
  CQ_ENTRY_SIZE,
  CQ_SIZE_AT,
  type ConsumeQueueEntry,
  isValidEntry,
  readCommitLogOffset,
  readConsumeQueueEntry,
  writeConsumeQueueEntry,
} from './consume-queue-layout';

export interface ConsumeQueueOptions {
  readonly disk: Disk;
  /** `consumequeue/<topic>/<queueId>` */
  readonly dir: string;
  readonly topic: string;
  readonly queueId: number;
  /** Bytes per segment file; a multiple of 20 (`mappedFileSizeConsumeQueue`). */
  readonly segmentSizeBytes: number;
}

/** Bytes read at a time when recovery looks for the end of a queue. */
const RECOVERY_READ_BYTES = 1 << 20;

/**
 * The index of one (topic, queueId): entry N points at the commit-log record with queue offset N.
 * It is derived data: the dispatcher writes it from what the commit log holds, and recovery can
 * rebuild any part of it from the commit log.
 */
export class ConsumeQueue {
  readonly topic: string;
  readonly queueId: number;
  readonly #log: SegmentedFile;
  /** End (offset + size) of the newest commit-log record this queue points at. */
  #maxPhysicalOffset = -1;
  /** Raised by retention when the commit log below it is gone (RocketMQ's correctMinOffset). */
  #minLogicalOffset = 0;
  /**
   * Commit-log end offsets of the newest entries whose records are not acknowledged yet, oldest
   * first from #pendingHead: the entries a reader must not see yet (see `visibleMaxOffset`).
   */
  #pendingEnds: number[] = [];
  #pendingHead = 0;

  private constructor(options: ConsumeQueueOptions, log: SegmentedFile) {
    this.topic = options.topic;
    this.queueId = options.queueId;
    this.#log = log;
    this.#minLogicalOffset = log.minOffset / CQ_ENTRY_SIZE;
  }

  static create(options: ConsumeQueueOptions): ConsumeQueue {
    checkSegmentSize(options.segmentSizeBytes);
    return new ConsumeQueue(options, SegmentedFile.createEmpty(segmentedOptions(options)));
  }

  /** Opens a queue's segments and finds its end: the first invalid entry, as RocketMQ recovers. */
  static async load(options: ConsumeQueueOptions): Promise<ConsumeQueue> {
    checkSegmentSize(options.segmentSizeBytes);
    const log = await SegmentedFile.open(segmentedOptions(options));
    const starts = log.segmentStarts();
    let end = log.minOffset;
    let maxPhysicalOffset = -1;
    const lastStart = starts[starts.length - 1];
    if (lastStart !== undefined) {
      // Segments before the last are full by construction; only the last one needs a scan.
      end = lastStart;
      scan: for (let at = lastStart; at < lastStart + options.segmentSizeBytes; at += RECOVERY_READ_BYTES) {
        const bytes = await log.read(at, RECOVERY_READ_BYTES);
        for (let i = 0; i + CQ_ENTRY_SIZE <= bytes.length; i += CQ_ENTRY_SIZE) {
          const offset = readCommitLogOffset(bytes, i);
          const size = bytes.readInt32BE(i + CQ_SIZE_AT);
          if (!isValidEntry(offset, size)) break scan;
          if (size !== CQ_BLANK_SIZE) maxPhysicalOffset = offset + size;
          end = at + i + CQ_ENTRY_SIZE;
        }
      }
      if (maxPhysicalOffset < 0 && end > CQ_ENTRY_SIZE) {
        maxPhysicalOffset = await lastRealEntryEnd(log, end);
      }
      await log.truncateTo(end);
    }
    const queue = new ConsumeQueue(options, log);
    queue.#maxPhysicalOffset = maxPhysicalOffset;
    return queue;
  }

  /** The queue offset the next entry gets (RocketMQ's max offset: the number of entries). */
  get maxOffset(): number {
    return this.#log.writeOffset / CQ_ENTRY_SIZE;
  }

  get minOffset(): number {
    return Math.max(this.#minLogicalOffset, this.#log.minOffset / CQ_ENTRY_SIZE);
  }

  get maxPhysicalOffset(): number {
    return this.#maxPhysicalOffset;
  }

  /**
   * Adds the entry for queue offset `queueOffset`; `confirmedOffset` is the commit log's
   * acknowledged end at this moment. Returns false, and changes nothing, when the
   * queue already holds an entry for that record: recovery re-dispatches records the queue may
   * already have. A gap (a queue starting past 0) is filled with blank entries.
   */
  put(
    queueOffset: number,
    commitLogOffset: number,
    size: number,
    tagsCode: number,
    confirmedOffset = -1,
  ): boolean {
    if (commitLogOffset + size <= this.#maxPhysicalOffset) return false;
    // Forget the entries acknowledged meanwhile, so a queue nobody reads does not grow the list.
    this.visibleMaxOffset(confirmedOffset);
    const expected = this.maxOffset;
    if (queueOffset < expected) {
      throw new Error(
        `${this.topic}:${this.queueId}: entry for queue offset ${queueOffset} arrived after offset ${expected - 1}`,
      );
    }
    for (let blank = expected; blank < queueOffset; blank++) this.#append(0, CQ_BLANK_SIZE, 0);
    this.#append(commitLogOffset, size, tagsCode);
    this.#maxPhysicalOffset = commitLogOffset + size;
    this.#pendingEnds.push(this.#maxPhysicalOffset);
    return true;
  }

  /**
   * The queue offset after the last entry whose record lies below `confirmedOffset` (the commit
   * log's acknowledged end): what readers may see. Entries are in commit-log order, so the
   * unacknowledged ones are always a suffix of the queue.
   */
  visibleMaxOffset(confirmedOffset: number): number {
    const ends = this.#pendingEnds;
    while (this.#pendingHead < ends.length && (ends[this.#pendingHead] ?? Infinity) <= confirmedOffset) {
      this.#pendingHead++;
    }
    if (this.#pendingHead === ends.length) {
      this.#pendingEnds = [];
      this.#pendingHead = 0;
    } else if (this.#pendingHead > 1024) {
      this.#pendingEnds = ends.slice(this.#pendingHead);
      this.#pendingHead = 0;
    }
    return this.maxOffset - (this.#pendingEnds.length - this.#pendingHead);
  }

  /** Up to `maxCount` entries from `fromOffset`, stopping at the end of a segment. */
  async read(fromOffset: number, maxCount: number): Promise<ConsumeQueueEntry[]> {
    const from = Math.max(fromOffset, this.minOffset);
    const count = Math.min(maxCount, this.maxOffset - from);
    if (count <= 0) return [];
    const bytes = await this.#log.read(from * CQ_ENTRY_SIZE, count * CQ_ENTRY_SIZE);
    const entries: ConsumeQueueEntry[] = [];
    for (let i = 0; i + CQ_ENTRY_SIZE <= bytes.length; i += CQ_ENTRY_SIZE) {
      entries.push(readConsumeQueueEntry(bytes, i, from + i / CQ_ENTRY_SIZE));
    }
    return entries;
  }

  /** The entry at one queue offset, or undefined when the queue does not hold it. */
  async entryAt(queueOffset: number): Promise<ConsumeQueueEntry | undefined> {
    const [entry] = await this.read(queueOffset, 1);
    return entry?.queueOffset === queueOffset ? entry : undefined;
  }

  /**
   * Crash recovery: keeps only the entries written before the last checkpoint, which are durable
   * and whole, so that re-dispatch from `redispatchFrom` rebuilds the rest. Entries written after
   * it may be lost, torn or garbage (a torn offset can even point below `redispatchFrom`), so the
   * walk goes back from the end, dropping every entry until one points below `redispatchFrom` and
   * `isIntact` confirms it against the commit log; everything before that one is older still.
   */
  async dropEntriesFrom(
    redispatchFrom: number,
    isIntact: (entry: ConsumeQueueEntry) => Promise<boolean>,
  ): Promise<void> {
    let end = this.maxOffset;
    while (end > this.minOffset) {
      const entry = await this.entryAt(end - 1);
      if (
        entry !== undefined &&
        entry.size !== CQ_BLANK_SIZE &&
        entry.commitLogOffset < redispatchFrom &&
        (await isIntact(entry))
      ) {
        break;
      }
      end--;
    }
    if (end === this.maxOffset) return;
    await this.#log.commit();
    await this.#log.truncateTo(end * CQ_ENTRY_SIZE);
    this.#pendingEnds = [];
    this.#pendingHead = 0;
    this.#maxPhysicalOffset = end > 0 ? await lastRealEntryEnd(this.#log, end * CQ_ENTRY_SIZE) : -1;
  }

  /** Raises the minimum offset to the first entry whose record is still in the commit log. */
  async correctMinOffset(commitLogMinOffset: number): Promise<void> {
    let low = this.minOffset;
    let high = this.maxOffset;
    while (low < high) {
      const middle = Math.floor((low + high) / 2);
      const entry = await this.entryAt(middle);
      if (
        entry !== undefined &&
        entry.size !== CQ_BLANK_SIZE &&
        entry.commitLogOffset >= commitLogMinOffset
      ) {
        high = middle;
      } else {
        low = middle + 1;
      }
    }
    this.#minLogicalOffset = low;
  }

  /** Deletes whole segments below the minimum offset (after `correctMinOffset`). */
  async deleteExpiredSegments(): Promise<number[]> {
    return this.#log.deleteSegmentsBefore(this.#minLogicalOffset * CQ_ENTRY_SIZE);
  }

  commit(): Promise<void> {
    return this.#log.commit();
  }

  flush(): Promise<number> {
    return this.#log.flush();
  }

  close(): Promise<void> {
    return this.#log.close();
  }

  #append(commitLogOffset: number, size: number, tagsCode: number): void {
    const { buffer, position } = this.#log.reserve(CQ_ENTRY_SIZE);
    writeConsumeQueueEntry(buffer, position, commitLogOffset, size, tagsCode);
  }
}

function segmentedOptions(options: ConsumeQueueOptions) {
  return {
    disk: options.disk,
    dir: options.dir,
    segmentSizeBytes: options.segmentSizeBytes,
    // A queue gets a small share of the writes; small chunks keep thousands of queues cheap.
    writeChunkBytes: Math.min(options.segmentSizeBytes, 64 * CQ_ENTRY_SIZE * 16),
  };
}

function checkSegmentSize(segmentSizeBytes: number): void {
  if (segmentSizeBytes % CQ_ENTRY_SIZE !== 0 || segmentSizeBytes <= 0) {
    throw new RangeError(
      `mappedFileSizeConsumeQueue must be a positive multiple of ${CQ_ENTRY_SIZE} bytes, got ${segmentSizeBytes}`,
    );
  }
}

/** End of the newest non-blank entry below `endByte`, or -1 when there is none. */
async function lastRealEntryEnd(log: SegmentedFile, endByte: number): Promise<number> {
  for (let at = endByte - CQ_ENTRY_SIZE; at >= log.minOffset; at -= CQ_ENTRY_SIZE) {
    const bytes = await log.read(at, CQ_ENTRY_SIZE);
    if (bytes.length < CQ_ENTRY_SIZE) return -1;
    const size = bytes.readInt32BE(CQ_SIZE_AT);
    if (size !== CQ_BLANK_SIZE) return readCommitLogOffset(bytes, 0) + size;
  }
  return -1;
}
