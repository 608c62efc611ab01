import type { CommitLog, ScanOutcome } from './commitlog/commit-log';
import type { ConsumeQueueTable } from './consumequeue/consume-queue-table';
import type { StoreCheckpoint } from './checkpoint/store-checkpoint';
import { dispatchRequestFromRecord, type DispatchRequest, type TagsCodeRule } from './dispatch-request';

export interface RecoveryReport {
  readonly kind: 'clean' | 'crash';
  /** Where verification started and where the log now ends. */
  readonly fromOffset: number;
  readonly endOffset: number;
  readonly verifiedBytes: number;
  readonly redispatchedRecords: number;
  readonly stop: ScanOutcome['stop'] | 'clean-shutdown';
}

/**
 * Brings the commit log and the consume queues back into agreement after a restart.
 *
 * Clean restart (no abort file, checkpoint written at shutdown): the checkpoint holds the end of the
 * log, so nothing is scanned. After a crash: every record from the checkpoint's
 * dispatchedDurableOffset on is verified (magic, sizes, CRC, position); the log is cut after the
 * last good record; queue entries written since the checkpoint are dropped (they may be torn or
 * garbage); then the records from the checkpoint on are dispatched again.
 */
export async function recoverStore(
  commitLog: CommitLog,
  queues: ConsumeQueueTable,
  checkpoint: StoreCheckpoint,
  abortFileExists: boolean,
  dispatch: (request: DispatchRequest) => void,
  tagsCodeRule?: TagsCodeRule,
): Promise<RecoveryReport> {
  const state = checkpoint.state;
  const cleanEnd = state.cleanEndOffset;
  const extentEnd = commitLog.maxOffset;
  const isFresh = commitLog.segmentStarts().length === 0;
  if (
    isFresh ||
    (!abortFileExists &&
      checkpoint.hadValidExtension &&
      cleanEnd >= commitLog.minOffset &&
      cleanEnd <= extentEnd)
  ) {
    const end = isFresh ? commitLog.minOffset : cleanEnd;
    await commitLog.truncateTo(end);
    return {
      kind: 'clean',
      fromOffset: end,
      endOffset: end,
      verifiedBytes: 0,
      redispatchedRecords: 0,
      stop: 'clean-shutdown',
    };
  }

  const fromOffset = Math.max(
    commitLog.minOffset,
    checkpoint.hadValidExtension ? Math.min(state.dispatchedDurableOffset, extentEnd) : commitLog.minOffset,
  );
  const verified = await commitLog.verify(fromOffset);
  await commitLog.truncateTo(verified.end);
  for (const queue of queues.all()) {
    await queue.dropEntriesFrom(fromOffset, async (entry) => {
      const record = (await commitLog.readRecord(entry.commitLogOffset, entry.size))?.message;
      return (
        record !== undefined &&
        record.totalSize === entry.size &&
        record.topic === queue.topic &&
        record.queueId === queue.queueId &&
        record.queueOffset === entry.queueOffset
      );
    });
  }
  let redispatchedRecords = 0;
  await commitLog.scan(fromOffset, (message) => {
    dispatch(dispatchRequestFromRecord(message, tagsCodeRule));
    redispatchedRecords++;
  });
  return {
    kind: 'crash',
    fromOffset,
    endOffset: verified.end,
    verifiedBytes: verified.verifiedBytes,
    redispatchedRecords,
    stop: verified.stop,
  };
}
