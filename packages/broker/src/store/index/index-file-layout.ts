import { ConfigError, type ConfigProblem } from '../../common/errors';
import { readJavaLong, writeJavaLong } from '../../protocol/message/java-long';

/**
 * One index file (`index/yyyyMMddHHmmssSSS`), byte-identical to RocketMQ's `IndexFile` and
 * `IndexHeader` (all integers big-endian):
 *
 *   header, 40 bytes
 *   0              8              16             24             32        36        40
 *   +--------------+--------------+--------------+--------------+---------+---------+
 *   | beginTs i64  | endTs i64    | beginPhy i64 | endPhy i64   | hashSlot| index   |
 *   | (ms)         | (ms)         | (commit-log offsets of the  | Count   | Count   |
 *   |              |              |  first and last record)     | i32     | i32     |
 *   +--------------+--------------+--------------+--------------+---------+---------+
 *
 *   slot table, maxHashSlotNum × 4 bytes, from byte 40
 *   +---------+---------+-----+-------------------+
 *   | slot 0  | slot 1  | ... | slot N-1          |   int32: number of the newest entry whose
 *   +---------+---------+-----+-------------------+   keyHash % N is this slot; 0 = empty
 *
 *   entries, maxIndexNum × 20 bytes, from byte 40 + 4N; entry 0 is never used
 *   0         4                   12         16         20
 *   +---------+-------------------+----------+----------+
 *   | keyHash | commitLogOffset   | timeDiff | prevIndex|   prevIndex: the slot's previous head,
 *   | i32     | i64               | i32 (s)  | i32      |   so each slot heads a chain, newest first
 *   +---------+-------------------+----------+----------+
 *
 * indexCount is the number of the next entry, so it starts at 1 ("0 = none" in slots and prev
 * links). hashSlotCount counts puts that found their slot empty (4.9.x; later versions count every
 * put); nothing reads it. timeDiff = (storeTimestamp − beginTimestamp) / 1000, clamped to
 * [0, 2^31 − 1]. With the defaults a file is 40 + 5,000,000 × 4 + 20,000,000 × 20 = 420,000,040
 * bytes; it is created at full size (sparse until written), as RocketMQ's mapped file is.
 */
export const INDEX_HEADER = {
  BEGIN_TIMESTAMP_AT: 0,
  END_TIMESTAMP_AT: 8,
  BEGIN_PHY_OFFSET_AT: 16,
  END_PHY_OFFSET_AT: 24,
  HASH_SLOT_COUNT_AT: 32,
  INDEX_COUNT_AT: 36,
  SIZE: 40,
} as const;

export const HASH_SLOT_SIZE = 4;

export const INDEX_ENTRY = {
  KEY_HASH_AT: 0,
  COMMIT_LOG_OFFSET_AT: 4,
  TIME_DIFF_AT: 12,
  PREV_INDEX_AT: 16,
  SIZE: 20,
} as const;

/** Slot value and prev link meaning "no entry" (RocketMQ's `invalidIndex`). */
export const INVALID_INDEX = 0;
/** indexCount of a file with no entries: entry 0 is reserved so that 0 can mean "none". */
export const FIRST_INDEX = 1;

export const DEFAULT_MAX_HASH_SLOT_NUM = 5_000_000;
export const DEFAULT_MAX_INDEX_NUM = 20_000_000;
export const DEFAULT_INDEX_FILE_SIZE = 420_000_040;

/** Unit of dirty tracking of the in-memory slot table: one OS page of the file. */
export const SLOT_PAGE_SIZE = 4096;

const INT32_MAX = 0x7fffffff;

const layoutIsConsistent =
  INDEX_HEADER.END_TIMESTAMP_AT === INDEX_HEADER.BEGIN_TIMESTAMP_AT + 8 &&
  INDEX_HEADER.BEGIN_PHY_OFFSET_AT === INDEX_HEADER.END_TIMESTAMP_AT + 8 &&
  INDEX_HEADER.END_PHY_OFFSET_AT === INDEX_HEADER.BEGIN_PHY_OFFSET_AT + 8 &&
  INDEX_HEADER.HASH_SLOT_COUNT_AT === INDEX_HEADER.END_PHY_OFFSET_AT + 8 &&
  INDEX_HEADER.INDEX_COUNT_AT === INDEX_HEADER.HASH_SLOT_COUNT_AT + 4 &&
  INDEX_HEADER.SIZE === INDEX_HEADER.INDEX_COUNT_AT + 4 &&
  INDEX_ENTRY.COMMIT_LOG_OFFSET_AT === INDEX_ENTRY.KEY_HASH_AT + 4 &&
  INDEX_ENTRY.TIME_DIFF_AT === INDEX_ENTRY.COMMIT_LOG_OFFSET_AT + 8 &&
  INDEX_ENTRY.PREV_INDEX_AT === INDEX_ENTRY.TIME_DIFF_AT + 4 &&
  INDEX_ENTRY.SIZE === INDEX_ENTRY.PREV_INDEX_AT + 4 &&
  // Slot ints stay 4-byte aligned in the file, so no int straddles a disk sector.
  INDEX_HEADER.SIZE % HASH_SLOT_SIZE === 0 &&
  DEFAULT_INDEX_FILE_SIZE ===
    INDEX_HEADER.SIZE +
      DEFAULT_MAX_HASH_SLOT_NUM * HASH_SLOT_SIZE +
      DEFAULT_MAX_INDEX_NUM * INDEX_ENTRY.SIZE &&
  DEFAULT_INDEX_FILE_SIZE <= INT32_MAX;
if (!layoutIsConsistent) throw new Error('index-file layout constants disagree');

/** The sizes of an index file, named as RocketMQ's MessageStoreConfig options. */
export interface IndexFileGeometry {
  /** Number of hash slots (default 5,000,000). */
  readonly maxHashSlotNum: number;
  /** Number of entries including the unused entry 0 (default 20,000,000). */
  readonly maxIndexNum: number;
}

export const DEFAULT_INDEX_FILE_GEOMETRY: IndexFileGeometry = Object.freeze({
  maxHashSlotNum: DEFAULT_MAX_HASH_SLOT_NUM,
  maxIndexNum: DEFAULT_MAX_INDEX_NUM,
});

/**
 * Validates sizes: both positive integers, at least one usable entry, and a file of at most
 * 2^31 − 1 bytes, because RocketMQ computes the file size as a Java int and maps it whole.
 */
export function checkIndexFileGeometry(geometry: IndexFileGeometry): IndexFileGeometry {
  const problems: ConfigProblem[] = [];
  const { maxHashSlotNum, maxIndexNum } = geometry;
  if (!Number.isSafeInteger(maxHashSlotNum) || maxHashSlotNum < 1) {
    problems.push({
      kind: 'out-of-range',
      key: 'maxHashSlotNum',
      message: `must be an integer ≥ 1, got ${maxHashSlotNum}`,
    });
  }
  if (!Number.isSafeInteger(maxIndexNum) || maxIndexNum < FIRST_INDEX + 1) {
    problems.push({
      kind: 'out-of-range',
      key: 'maxIndexNum',
      message: `must be an integer ≥ 2 (entry 0 is never used), got ${maxIndexNum}`,
    });
  }
  if (problems.length === 0 && indexFileSize(geometry) > INT32_MAX) {
    problems.push({
      kind: 'rule',
      message:
        `40 + maxHashSlotNum × 4 + maxIndexNum × 20 = ${indexFileSize(geometry)} bytes exceeds ` +
        `${INT32_MAX}, the largest index file RocketMQ can map; lower maxIndexNum or maxHashSlotNum`,
    });
  }
  if (problems.length > 0) throw new ConfigError(problems, { subject: 'index file' });
  return geometry;
}

export function indexFileSize(geometry: IndexFileGeometry): number {
  return (
    INDEX_HEADER.SIZE + geometry.maxHashSlotNum * HASH_SLOT_SIZE + geometry.maxIndexNum * INDEX_ENTRY.SIZE
  );
}

export function slotPosition(slot: number): number {
  return INDEX_HEADER.SIZE + slot * HASH_SLOT_SIZE;
}

export function entryPosition(geometry: IndexFileGeometry, indexNo: number): number {
  return INDEX_HEADER.SIZE + geometry.maxHashSlotNum * HASH_SLOT_SIZE + indexNo * INDEX_ENTRY.SIZE;
}

/** The slot of a key hash; the hash is already non-negative (`indexKeyHash`). */
export function slotOf(geometry: IndexFileGeometry, keyHash: number): number {
  return keyHash % geometry.maxHashSlotNum;
}

export interface IndexHeader {
  readonly beginTimestampMs: number;
  readonly endTimestampMs: number;
  readonly beginPhyOffset: number;
  readonly endPhyOffset: number;
  readonly hashSlotCount: number;
  readonly indexCount: number;
}

export function encodeIndexHeader(header: IndexHeader): Buffer {
  const bytes = Buffer.alloc(INDEX_HEADER.SIZE);
  writeJavaLong(bytes, INDEX_HEADER.BEGIN_TIMESTAMP_AT, header.beginTimestampMs);
  writeJavaLong(bytes, INDEX_HEADER.END_TIMESTAMP_AT, header.endTimestampMs);
  writeJavaLong(bytes, INDEX_HEADER.BEGIN_PHY_OFFSET_AT, header.beginPhyOffset);
  writeJavaLong(bytes, INDEX_HEADER.END_PHY_OFFSET_AT, header.endPhyOffset);
  bytes.writeInt32BE(header.hashSlotCount, INDEX_HEADER.HASH_SLOT_COUNT_AT);
  bytes.writeInt32BE(header.indexCount, INDEX_HEADER.INDEX_COUNT_AT);
  return bytes;
}

/** Reads the header as stored; RocketMQ's "indexCount ≤ 0 means 1" is the loader's business. */
export function decodeIndexHeader(bytes: Buffer): IndexHeader {
  return {
    beginTimestampMs: readJavaLong(bytes, INDEX_HEADER.BEGIN_TIMESTAMP_AT),
    endTimestampMs: readJavaLong(bytes, INDEX_HEADER.END_TIMESTAMP_AT),
    beginPhyOffset: readJavaLong(bytes, INDEX_HEADER.BEGIN_PHY_OFFSET_AT),
    endPhyOffset: readJavaLong(bytes, INDEX_HEADER.END_PHY_OFFSET_AT),
    hashSlotCount: bytes.readInt32BE(INDEX_HEADER.HASH_SLOT_COUNT_AT),
    indexCount: bytes.readInt32BE(INDEX_HEADER.INDEX_COUNT_AT),
  };
}

export interface IndexEntry {
  readonly keyHash: number;
  readonly commitLogOffset: number;
  readonly timeDiffSeconds: number;
  readonly prevIndex: number;
}

export function writeIndexEntry(target: Buffer, at: number, entry: IndexEntry): void {
  target.writeInt32BE(entry.keyHash, at + INDEX_ENTRY.KEY_HASH_AT);
  writeJavaLong(target, at + INDEX_ENTRY.COMMIT_LOG_OFFSET_AT, entry.commitLogOffset);
  target.writeInt32BE(entry.timeDiffSeconds, at + INDEX_ENTRY.TIME_DIFF_AT);
  target.writeInt32BE(entry.prevIndex, at + INDEX_ENTRY.PREV_INDEX_AT);
}

export function readIndexEntry(source: Buffer, at: number): IndexEntry {
  return {
    keyHash: source.readInt32BE(at + INDEX_ENTRY.KEY_HASH_AT),
    commitLogOffset: readJavaLong(source, at + INDEX_ENTRY.COMMIT_LOG_OFFSET_AT),
    timeDiffSeconds: source.readInt32BE(at + INDEX_ENTRY.TIME_DIFF_AT),
    prevIndex: source.readInt32BE(at + INDEX_ENTRY.PREV_INDEX_AT),
  };
}

/**
 * The timeDiff an entry stores (`IndexFile.putKey`): whole seconds since the file's begin, 0 while
 * the file has no begin yet, clamped to an int. Java's long division truncates toward zero.
 */
export function indexTimeDiffSeconds(storeTimestampMs: number, beginTimestampMs: number): number {
  if (beginTimestampMs <= 0) return 0;
  const seconds = Math.trunc((storeTimestampMs - beginTimestampMs) / 1000);
  return Math.min(INT32_MAX, Math.max(0, seconds));
}

/** The store time a query attributes to an entry: begin plus whole seconds (sub-second lost). */
export function entryTimestampMs(beginTimestampMs: number, timeDiffSeconds: number): number {
  return beginTimestampMs + timeDiffSeconds * 1000;
}
