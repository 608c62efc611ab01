import { readJavaLong, writeJavaLong } from '../../protocol/message/java-long';

/**
 * One consume-queue entry, RocketMQ's `ConsumeQueue.CQ_STORE_UNIT_SIZE` unit (big-endian):
 *
 *   0                   8          12                  20
 *   +-------------------+----------+-------------------+
 *   | commitLogOffset   | size     | tagsCode          |
 *   | int64             | int32    | int64             |
 *   +-------------------+----------+-------------------+
 *
 * Entry N of a queue lives at byte N × 20 of the queue's log; segment files hold
 * `mappedFileSizeConsumeQueue` bytes (default 300,000 entries). tagsCode is the Java hashCode of
 * the TAGS property widened to 64 bits (0 without a tag); for SCHEDULE_TOPIC_XXXX it is the
 * delivery time in ms.
 */
export const CQ_COMMIT_LOG_OFFSET_AT = 0;
export const CQ_SIZE_AT = 8;
export const CQ_TAGS_CODE_AT = 12;
export const CQ_ENTRY_SIZE = 20;
export const CQ_DEFAULT_ENTRIES_PER_SEGMENT = 300_000;

/** A filler entry, written where a queue starts at a logical offset past 0 in a fresh segment. */
export const CQ_BLANK_SIZE = 0x7fffffff;

const layoutIsConsistent =
  CQ_SIZE_AT === CQ_COMMIT_LOG_OFFSET_AT + 8 &&
  CQ_TAGS_CODE_AT === CQ_SIZE_AT + 4 &&
  CQ_ENTRY_SIZE === CQ_TAGS_CODE_AT + 8;
if (!layoutIsConsistent) throw new Error('consume-queue layout constants disagree');

export interface ConsumeQueueEntry {
  readonly queueOffset: number;
  readonly commitLogOffset: number;
  readonly size: number;
  readonly tagsCode: number;
}

export function writeConsumeQueueEntry(
  target: Buffer,
  at: number,
  commitLogOffset: number,
  size: number,
  tagsCode: number,
): void {
  writeJavaLong(target, at + CQ_COMMIT_LOG_OFFSET_AT, commitLogOffset);
  target.writeInt32BE(size, at + CQ_SIZE_AT);
  writeJavaLong(target, at + CQ_TAGS_CODE_AT, tagsCode);
}

/** An entry is valid when it points at a record (RocketMQ: offset ≥ 0 and size > 0). */
export function isValidEntry(commitLogOffset: number, size: number): boolean {
  return commitLogOffset >= 0 && size > 0;
}

export function readCommitLogOffset(source: Buffer, at: number): number {
  return readJavaLong(source, at + CQ_COMMIT_LOG_OFFSET_AT);
}

export function readConsumeQueueEntry(source: Buffer, at: number, queueOffset: number): ConsumeQueueEntry {
  return {
    queueOffset,
    commitLogOffset: readCommitLogOffset(source, at),
    size: source.readInt32BE(at + CQ_SIZE_AT),
    tagsCode: readJavaLong(source, at + CQ_TAGS_CODE_AT),
  };
}
