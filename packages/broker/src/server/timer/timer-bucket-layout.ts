// The timer service's bucket files: `<storePathRootDir>/timer/buckets/<bucket start ms, 20 digits>`,
// one per TIMER_BUCKET_MS of due times, each an append-only run of 20-byte entries in the
// consume-queue entry layout (store/consumequeue/consume-queue-layout.ts), tagsCode holding the due
// time:
//
//   0                   8          12                  20
//   +-------------------+----------+-------------------+
//   | commitLogOffset   | size     | dueMs             |   entry 0
//   | int64             | int32    | int64             |
//   +-------------------+----------+-------------------+
//   | ...                                              |   entry 1, 2, ... in the order filed
//
// No header and no checksum: entries are appended in the timer queue's order, so within one file
// their commit-log offsets only grow, and recovery cuts each file at the first entry that is not
// durable by the checkpoint's rule (see timer-recovery.ts) or not well formed.
//
// An entry's due time lies in its bucket, [start, start + TIMER_BUCKET_MS), except for an entry
// filed late: its own bucket was already closed (fully delivered and deleted), so it is filed in the
// oldest open bucket with its earlier due time, which is then below that bucket's start.

import {
  CQ_ENTRY_SIZE,
  isValidEntry,
  readConsumeQueueEntry,
  writeConsumeQueueEntry,
} from '../../store/consumequeue/consume-queue-layout';

export const TIMER_ENTRY_SIZE = CQ_ENTRY_SIZE;

/**
 * Width of a bucket. A minute keeps a bucket of a million messages due in one minute at 20 MB on
 * disk and about as much in memory while it is loaded, and makes at most 4,320 files over the
 * default three-day horizon.
 */
export const TIMER_BUCKET_MS = 60_000;

/** Digits of a bucket file's name, zero-padded so names sort by time (as commit-log segments do). */
const BUCKET_NAME_DIGITS = 20;

export interface TimerEntry {
  readonly commitLogOffset: number;
  readonly size: number;
  readonly dueMs: number;
}

export function bucketStartOf(dueMs: number, bucketMs: number): number {
  return Math.floor(dueMs / bucketMs) * bucketMs;
}

export function bucketFileName(startMs: number): string {
  return String(startMs).padStart(BUCKET_NAME_DIGITS, '0');
}

/** The bucket start a file name stands for, or undefined for a name the service did not write. */
export function parseBucketFileName(name: string, bucketMs: number): number | undefined {
  if (name.length !== BUCKET_NAME_DIGITS || !/^\d+$/.test(name)) return undefined;
  const start = Number(name);
  return Number.isSafeInteger(start) && start % bucketMs === 0 ? start : undefined;
}

export function writeTimerEntry(target: Buffer, at: number, entry: TimerEntry): void {
  writeConsumeQueueEntry(target, at, entry.commitLogOffset, entry.size, entry.dueMs);
}

export function readTimerEntry(source: Buffer, at: number): TimerEntry {
  const { commitLogOffset, size, tagsCode } = readConsumeQueueEntry(source, at, 0);
  return { commitLogOffset, size, dueMs: tagsCode };
}

/**
 * Whether an entry read from the bucket starting at `startMs` can be one the service wrote: it
 * points at a record and is due before the bucket's end (zeros from a torn append fail this).
 */
export function isWellFormedEntry(entry: TimerEntry, startMs: number, bucketMs: number): boolean {
  return (
    isValidEntry(entry.commitLogOffset, entry.size) &&
    Number.isSafeInteger(entry.commitLogOffset) &&
    Number.isSafeInteger(entry.dueMs) &&
    entry.dueMs >= 0 &&
    entry.dueMs < startMs + bucketMs
  );
}
