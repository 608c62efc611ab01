// Saving how far the transaction service has read, so a restart rebuilds the half-message table
// from there (half-message-rebuild.ts) instead of from the beginning of the queues.
//
// A snapshot is one consistent cut, taken synchronously: the visible end of the half, op and parked
// queues, and the open half messages below the half end. It is consistent because the table
// changes in the same tick as the appends it reflects: a half message enters the table when it is
// appended (so every half message below the visible end is in the table or resolved), and an op
// record or parked copy still being written lowers its queue's position to where it was appended
// (opFloor, parkFloor), so the rebuild reads it again.
//
// Besides the snapshot file, the positions are committed as the CID_RMQ_SYS_TRANS group's offsets
// (half queue: the lowest open half message; op queue: the op position), where RocketMQ keeps its
// check progress, so `keel admin consumerProgress CID_RMQ_SYS_TRANS` shows how far checks are.

import type { Disk } from '../../store/disk/disk';
import type { MessageStore } from '../../store/message-store';
import type { ConsumerOffsetManager } from '../offset/consumer-offset-manager';
import { SystemGroup } from '../subscription/system-groups';
import { SystemTopic } from '../topic/system-topics';
import { HalfMessageState } from './half-message-state';
import type { HalfMessageTable } from './half-message-table';
import {
  writeTransactionSnapshot,
  type SnapshotEntry,
  type TransactionSnapshot,
} from './transaction-state-file';

export interface TransactionProgressOptions {
  readonly store: MessageStore;
  readonly table: HalfMessageTable;
  readonly offsets: ConsumerOffsetManager;
  readonly disk: Disk;
  readonly path: string;
}

/** The cut described at the top of this file. */
export function takeSnapshot(store: MessageStore, table: HalfMessageTable): TransactionSnapshot {
  const halfQueueOffset = store.maxOffsetInQueue(SystemTopic.TRANS_HALF, 0);
  let opQueueOffset = store.maxOffsetInQueue(SystemTopic.TRANS_OP_HALF, 0);
  let parkQueueOffset = store.maxOffsetInQueue(SystemTopic.TRANS_CHECK_MAX_TIME, 0);
  const open: SnapshotEntry[] = [];
  for (const entry of table.entries()) {
    if (entry.opFloor !== undefined) opQueueOffset = Math.min(opQueueOffset, entry.opFloor);
    if (entry.parkFloor !== undefined) parkQueueOffset = Math.min(parkQueueOffset, entry.parkFloor);
    if (entry.halfOffset >= halfQueueOffset) continue;
    if (entry.state !== HalfMessageState.PREPARED && entry.state !== HalfMessageState.PARKED) continue;
    open.push({
      halfOffset: entry.halfOffset,
      commitLogOffset: entry.commitLogOffset,
      checks: entry.checks,
      lastCheckAt: entry.lastCheckAt,
      state: entry.state,
    });
  }
  return { halfQueueOffset, opQueueOffset, parkQueueOffset, open };
}

/**
 * Takes the snapshot, makes the records it counts durable (after a power loss the queues must hold
 * at least what the snapshot says they held), then writes it.
 */
export async function saveTransactionProgress(options: TransactionProgressOptions): Promise<void> {
  const { store, table, offsets } = options;
  const snapshot = takeSnapshot(store, table);
  await store.flush();
  await writeTransactionSnapshot(options.disk, options.path, snapshot);
  const lowestOpen = table.lowestOffset() ?? snapshot.halfQueueOffset;
  offsets.commit(
    SystemGroup.SYS_TRANS,
    SystemTopic.TRANS_HALF,
    0,
    Math.min(lowestOpen, snapshot.halfQueueOffset),
  );
  offsets.commit(SystemGroup.SYS_TRANS, SystemTopic.TRANS_OP_HALF, 0, snapshot.opQueueOffset);
}
