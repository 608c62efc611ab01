// Rebuilding the half-message table at start-up, from the store and the last snapshot
// (transaction-progress.ts), before the broker serves a request:
//
//   1. the snapshot's open half messages (with their check counts and PARKED states);
//   2. every half message from the snapshot's half position to the end of RMQ_SYS_TRANS_HALF_TOPIC;
//   3. every parked copy from its position in TRANS_CHECK_MAX_TIME_TOPIC: that half message is PARKED;
//   4. every op record from its position in RMQ_SYS_TRANS_OP_HALF_TOPIC: that half message is
//      resolved and leaves the table;
//   5. the repair of the one crash the write order allows: the last op record says COMMIT but its
//      committed message is missing (the crash came between the two). The message is written now,
//      once: the op record already makes the half message resolved, so no check will ask for it
//      again, and a later rebuild finds the message anywhere after the op record (the broker opens
//      every other service before starting any, so normally right behind it), so it does not write
//      it again.
//
// Without a snapshot (a new store, or one from before this feature) the positions are the queues'
// first offsets: everything still kept is read once.

import type { Logger } from '../../common/logger';
import type { DecodedStoredMessage } from '../../protocol/message/stored-message-decoder';
import type { ConsumeQueueEntry } from '../../store/consumequeue/consume-queue-layout';
import type { MessageStore } from '../../store/message-store';
import type { DeliveryTimeSettings } from '../delivery/delivery-time';
import { SystemTopic } from '../topic/system-topics';
import { committedMessagePut } from './committed-message';
import { parkedOrigin } from './half-message-record';
import type { HalfMessageTable } from './half-message-table';
import { parseOpRecord, type OpRecord } from './op-record';
import type { TransactionSnapshot } from './transaction-state-file';
import { MessageSysFlag, transactionType } from '../../protocol/message/message-sys-flag';

export interface RebuildReport {
  readonly fromSnapshot: boolean;
  readonly halfMessagesRead: number;
  readonly parkedCopiesRead: number;
  readonly opRecordsRead: number;
  /** Records the queues point at that could not be read (expired or damaged); skipped. */
  readonly unreadable: number;
  /** Whether a committed message missing after its op record was written again. */
  readonly repairedCommit: boolean;
}

export interface RebuildOptions {
  readonly store: MessageStore;
  readonly table: HalfMessageTable;
  readonly snapshot: TransactionSnapshot | undefined;
  readonly log: Logger;
  readonly nowMs: number;
  readonly settings: DeliveryTimeSettings;
}

const BATCH = 512;

export async function rebuildHalfMessageTable(options: RebuildOptions): Promise<RebuildReport> {
  const { store, table, snapshot, log } = options;
  const halfEnd = store.maxOffsetInQueue(SystemTopic.TRANS_HALF, 0);
  const from = {
    half: startOf(store, SystemTopic.TRANS_HALF, snapshot?.halfQueueOffset),
    op: startOf(store, SystemTopic.TRANS_OP_HALF, snapshot?.opQueueOffset),
    park: startOf(store, SystemTopic.TRANS_CHECK_MAX_TIME, snapshot?.parkQueueOffset),
  };
  if (snapshot !== undefined && snapshot.halfQueueOffset > halfEnd) {
    // The store lost its tail (an unflushed crash): the half messages from there are gone and the
    // snapshot's offsets will be reused by new ones.
    log.warn('the transaction snapshot is ahead of the half queue; its newest entries are dropped', {
      snapshotHalfOffset: snapshot.halfQueueOffset,
      halfQueueEnd: halfEnd,
    });
  }
  for (const entry of snapshot?.open ?? []) {
    if (entry.halfOffset < from.half) table.add(entry);
  }
  let unreadable = 0;
  const halfMessagesRead = await forEachQueueEntry(store, SystemTopic.TRANS_HALF, from.half, (entry) => {
    table.add({ halfOffset: entry.queueOffset, commitLogOffset: entry.commitLogOffset });
  });
  const parkedCopiesRead = await forEachRecord(store, SystemTopic.TRANS_CHECK_MAX_TIME, from.park, (copy) => {
    const origin = copy === undefined ? undefined : parkedOrigin(copy);
    if (origin === undefined) {
      unreadable++;
      return;
    }
    const entry = table.get(origin);
    if (entry !== undefined && table.canApply(entry, 'park')) table.apply(entry, 'park');
  });
  let lastOp: { op: OpRecord; record: DecodedStoredMessage } | undefined;
  const opRecordsRead = await forEachRecord(store, SystemTopic.TRANS_OP_HALF, from.op, (record) => {
    const op = record === undefined ? undefined : parseOpRecord(record);
    if (op === undefined || record === undefined) {
      unreadable++;
      return;
    }
    lastOp = { op, record };
    const entry = table.get(op.halfOffset);
    // A RocketMQ op record does not say which way; either leaves the table, which is all it must do.
    if (entry !== undefined) table.apply(entry, op.resolution ?? 'rollback');
  });
  const repairedCommit = await repairLastCommit(options, lastOp ?? (await readLastOp(store)));
  return {
    fromSnapshot: snapshot !== undefined,
    halfMessagesRead,
    parkedCopiesRead,
    opRecordsRead,
    unreadable,
    repairedCommit,
  };
}

function startOf(store: MessageStore, topic: string, saved: number | undefined): number {
  const min = store.minOffsetInQueue(topic, 0);
  const max = store.maxOffsetInQueue(topic, 0);
  return Math.min(Math.max(saved ?? min, min), max);
}

/** Calls `onEntry` for every entry of queue 0 of `topic` from `from` to its visible end. */
async function forEachQueueEntry(
  store: MessageStore,
  topic: string,
  from: number,
  onEntry: (entry: ConsumeQueueEntry) => void | Promise<void>,
): Promise<number> {
  const end = store.maxOffsetInQueue(topic, 0);
  let count = 0;
  for (let cursor = from; cursor < end; cursor += BATCH) {
    for (const entry of await store.readQueueEntries(topic, 0, cursor, Math.min(BATCH, end - cursor))) {
      await onEntry(entry);
      count++;
    }
  }
  return count;
}

/** As forEachQueueEntry, with each entry's record (undefined when it cannot be read). */
function forEachRecord(
  store: MessageStore,
  topic: string,
  from: number,
  onRecord: (record: DecodedStoredMessage | undefined) => void,
): Promise<number> {
  return forEachQueueEntry(store, topic, from, async (entry) => {
    onRecord(await store.readMessageAt(entry.commitLogOffset));
  });
}

/** The op queue's last record, when the scan above read none (it started at the end). */
async function readLastOp(
  store: MessageStore,
): Promise<{ op: OpRecord; record: DecodedStoredMessage } | undefined> {
  const end = store.maxOffsetInQueue(SystemTopic.TRANS_OP_HALF, 0);
  if (end <= store.minOffsetInQueue(SystemTopic.TRANS_OP_HALF, 0)) return undefined;
  const [entry] = await store.readQueueEntries(SystemTopic.TRANS_OP_HALF, 0, end - 1, 1);
  const record = entry === undefined ? undefined : await store.readMessageAt(entry.commitLogOffset);
  const op = record === undefined ? undefined : parseOpRecord(record);
  return op === undefined || record === undefined ? undefined : { op, record };
}

/** Step 5 at the top of this file. */
async function repairLastCommit(
  options: RebuildOptions,
  last: { op: OpRecord; record: DecodedStoredMessage } | undefined,
): Promise<boolean> {
  const { store, log } = options;
  // Only Keel's op records say COMMIT, and only they record the half message's offset.
  if (last === undefined || last.op.resolution !== 'commit') return false;
  const halfCommitLogOffset = last.op.halfCommitLogOffset;
  if (await isCommittedAfter(store, last.record, halfCommitLogOffset)) return false;
  const half = await store.readMessageAt(halfCommitLogOffset);
  if (half === undefined) {
    log.error(
      'a committed message is missing after its op record and its half message is gone; it cannot be delivered',
      {
        halfCommitLogOffset,
        halfOffset: last.op.halfOffset,
      },
    );
    return false;
  }
  const committed = committedMessagePut(half, options.nowMs, options.settings, store);
  if (!committed.ok) {
    log.error('a committed message is missing after its op record and cannot be written', {
      halfCommitLogOffset,
      problem: committed.problem,
    });
    return false;
  }
  const result = await store.putMessage(committed.put);
  if (result.physicalOffset < 0) {
    log.error('writing a committed message missing after a crash failed', {
      halfCommitLogOffset,
      status: result.status,
      error: result.error?.message ?? '',
    });
    return false;
  }
  log.warn(
    'the broker stopped between the op record and the committed message; the message was written now',
    {
      halfCommitLogOffset,
      halfOffset: last.op.halfOffset,
    },
  );
  return true;
}

/**
 * Whether the committed message of the half message at `halfCommitLogOffset` (a COMMIT-type record
 * whose PREPARED TRANSACTION OFFSET is that offset) is stored after `op`. It is the very next record
 * when the commit's batch was written whole; a repair appended it where the log ended then, which
 * is further on if anything was written in between. The log is read from the op record on, up to
 * the first match: normally the next record. Only a message that is really missing (and that an
 * earlier start could not write) makes it read the whole tail behind the last op record.
 */
async function isCommittedAfter(
  store: MessageStore,
  op: DecodedStoredMessage,
  halfCommitLogOffset: number,
): Promise<boolean> {
  let offset = op.physicalOffset + op.totalSize;
  for (;;) {
    const record = await recordAtOrAfterSegmentEnd(store, offset);
    if (record === undefined) return false;
    if (
      record.preparedTransactionOffset === halfCommitLogOffset &&
      transactionType(record.sysFlag) === MessageSysFlag.TRANSACTION_COMMIT_TYPE
    ) {
      return true;
    }
    offset = record.physicalOffset + record.totalSize;
  }
}

/**
 * The record at `offset`, or, when a segment ends there (its blank tail), the first record of the
 * next segment: where the store put the record appended right after the one ending at `offset`.
 */
async function recordAtOrAfterSegmentEnd(
  store: MessageStore,
  offset: number,
): Promise<DecodedStoredMessage | undefined> {
  const found = await store.readMessageAt(offset);
  if (found !== undefined) return found;
  const segment = store.config.mappedFileSizeCommitLog;
  const nextSegment = (Math.floor(offset / segment) + 1) * segment;
  return store.readMessageAt(nextSegment);
}
