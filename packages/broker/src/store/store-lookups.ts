import { readJavaLong } from '../protocol/message/java-long';
import { SYS_FLAG_OFFSET, storeTimestampOffset } from '../protocol/message/stored-message-layout';
import type { CommitLog } from './commitlog/commit-log';
import type { ConsumeQueue } from './consumequeue/consume-queue';
import { CQ_BLANK_SIZE } from './consumequeue/consume-queue-layout';

/**
 * Reads that go from a consume-queue entry to the commit log: store timestamps and the offset
 * search by time (SEARCH_OFFSET_BY_TIMESTAMP).
 */

/** The store timestamp of the record at `commitLogOffset`, or undefined when it is not readable. */
export async function storeTimestampAt(
  commitLog: CommitLog,
  commitLogOffset: number,
): Promise<number | undefined> {
  if (commitLogOffset < commitLog.minOffset || commitLogOffset >= commitLog.confirmedOffset) return undefined;
  // The store timestamp's position depends on the born host's family (sysFlag), so read both.
  const head = await commitLog.read(commitLogOffset, storeTimestampOffset(0x10) + 8);
  if (head.length < SYS_FLAG_OFFSET + 4) return undefined;
  const at = storeTimestampOffset(head.readInt32BE(SYS_FLAG_OFFSET));
  return head.length >= at + 8 ? readJavaLong(head, at) : undefined;
}

/**
 * The first queue offset whose message was stored at or after `timestampMs` (binary search on
 * store timestamps, which grow with the queue offset); the visible max offset when none was.
 */
export async function offsetByTime(
  commitLog: CommitLog,
  queue: ConsumeQueue,
  timestampMs: number,
): Promise<number> {
  let low = queue.minOffset;
  let high = queue.visibleMaxOffset(commitLog.confirmedOffset);
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    const stored = await timestampOfEntry(commitLog, queue, middle);
    if (stored !== undefined && stored >= timestampMs) high = middle;
    else low = middle + 1;
  }
  return low;
}

/** Store timestamp of the message at a queue offset; a blank or removed entry counts as older. */
export async function timestampOfEntry(
  commitLog: CommitLog,
  queue: ConsumeQueue,
  queueOffset: number,
): Promise<number | undefined> {
  const entry = await queue.entryAt(queueOffset);
  if (entry === undefined || entry.size === CQ_BLANK_SIZE) return undefined;
  return storeTimestampAt(commitLog, entry.commitLogOffset);
}
