import type { CommitLog } from './commitlog/commit-log';
import type { ConsumeQueue } from './consumequeue/consume-queue';
import { CQ_BLANK_SIZE, type ConsumeQueueEntry } from './consumequeue/consume-queue-layout';

/** RocketMQ's GetMessageStatus. */
export type GetMessageStatus =
  | 'FOUND'
  | 'NO_MATCHED_MESSAGE'
  | 'MESSAGE_WAS_REMOVING'
  | 'OFFSET_FOUND_NULL'
  | 'OFFSET_OVERFLOW_BADLY'
  | 'OFFSET_OVERFLOW_ONE'
  | 'OFFSET_TOO_SMALL'
  | 'NO_MATCHED_LOGIC_QUEUE'
  | 'NO_MESSAGE_IN_QUEUE';

export interface GetMessageResult {
  readonly status: GetMessageStatus;
  /** Where the next pull of this queue should start. */
  readonly nextBeginOffset: number;
  readonly minOffset: number;
  readonly maxOffset: number;
  /** Whole commit-log records, ready to be sent as a pull body. */
  readonly records: Buffer[];
  readonly totalBytes: number;
}

export interface GetMessageLimits {
  readonly maxMessages: number;
  /** Stop adding records past this many bytes (RocketMQ's maxTransferBytesOnMessageInMemory). */
  readonly maxBytes: number;
  /** Accept only these tag hash codes; undefined accepts every message ("*"). */
  readonly tagsCodes?: ReadonlySet<number>;
}

/** Consume-queue entries read per pass while looking for matching messages. */
const ENTRIES_PER_PASS = 32;

/** Reads a queue's messages from `offset`, with RocketMQ's statuses and next-offset rules. */
export async function getMessage(
  commitLog: CommitLog,
  queue: ConsumeQueue | undefined,
  offset: number,
  limits: GetMessageLimits,
): Promise<GetMessageResult> {
  if (queue === undefined) return empty('NO_MATCHED_LOGIC_QUEUE', 0, 0, 0);
  const minOffset = queue.minOffset;
  const maxOffset = queue.visibleMaxOffset(commitLog.confirmedOffset);
  if (maxOffset === 0) return empty('NO_MESSAGE_IN_QUEUE', 0, minOffset, maxOffset);
  if (offset < minOffset) return empty('OFFSET_TOO_SMALL', minOffset, minOffset, maxOffset);
  if (offset === maxOffset) return empty('OFFSET_OVERFLOW_ONE', offset, minOffset, maxOffset);
  if (offset > maxOffset) {
    return empty('OFFSET_OVERFLOW_BADLY', minOffset === 0 ? minOffset : maxOffset, minOffset, maxOffset);
  }

  const records: Buffer[] = [];
  let totalBytes = 0;
  let next = offset;
  let sawRemoved = false;
  const end = Math.min(maxOffset, offset + Math.max(limits.maxMessages, ENTRIES_PER_PASS) * 16);
  scan: while (next < end && records.length < limits.maxMessages) {
    const entries = await queue.read(next, Math.min(ENTRIES_PER_PASS, end - next));
    if (entries.length === 0) break;
    const wanted: ConsumeQueueEntry[] = [];
    for (const entry of entries) {
      if (wanted.length + records.length >= limits.maxMessages) break;
      if (totalBytes + entry.size > limits.maxBytes && records.length + wanted.length > 0) break;
      next = entry.queueOffset + 1;
      if (entry.size === CQ_BLANK_SIZE) continue;
      if (entry.commitLogOffset < commitLog.minOffset) {
        sawRemoved = true;
        continue;
      }
      if (limits.tagsCodes !== undefined && !limits.tagsCodes.has(entry.tagsCode)) continue;
      wanted.push(entry);
      totalBytes += entry.size;
    }
    for (const record of await readRecords(commitLog, wanted)) records.push(record);
    if (next < entries[entries.length - 1]!.queueOffset + 1) break scan;
  }
  const status: GetMessageStatus =
    records.length > 0 ? 'FOUND' : sawRemoved ? 'MESSAGE_WAS_REMOVING' : 'NO_MATCHED_MESSAGE';
  return { status, nextBeginOffset: next, minOffset, maxOffset, records, totalBytes };
}

/** Reads the records of `entries`, one read per run of records adjacent in the commit log. */
async function readRecords(commitLog: CommitLog, entries: readonly ConsumeQueueEntry[]): Promise<Buffer[]> {
  const records: Buffer[] = [];
  let i = 0;
  while (i < entries.length) {
    const first = entries[i]!;
    let runEnd = first.commitLogOffset + first.size;
    let j = i + 1;
    while (j < entries.length && entries[j]!.commitLogOffset === runEnd) {
      runEnd += entries[j]!.size;
      j++;
    }
    const run = await commitLog.read(first.commitLogOffset, runEnd - first.commitLogOffset);
    for (let k = i; k < j; k++) {
      const entry = entries[k]!;
      const from = entry.commitLogOffset - first.commitLogOffset;
      if (from + entry.size <= run.length) records.push(run.subarray(from, from + entry.size));
    }
    i = j;
  }
  return records;
}

function empty(status: GetMessageStatus, nextBeginOffset: number, minOffset: number, maxOffset: number) {
  return { status, nextBeginOffset, minOffset, maxOffset, records: [], totalBytes: 0 };
}
