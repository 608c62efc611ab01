// Bringing the timer's files back to what its checkpoint (E = enqueueOffset, D = deliveredThroughMs)
// describes, before the service starts:
//
// - E is clamped into the timer queue as recovered (a machine crash in ASYNC_FLUSH can take back
//   queue entries; retention can remove old ones).
// - P = the commit-log offset of the queue entry at E. Entries are filed in queue order, so within
//   each bucket file the entries filed after the checkpoint are exactly a tail of entries pointing
//   at P or beyond. That tail is cut (with any torn entry) and the service files those queue
//   entries again from E: nothing is filed twice, so loading a bucket needs no de-duplication.
// - Buckets that end at or before D + 1 (rounded down to a bucket) hold only delivered entries and
//   are deleted, as the running service would have done.
//
// Without a checkpoint (a new store, or an operator deleted it to rebuild) any bucket files are
// deleted and the whole timer queue is filed again: every timed message still in the commit log
// whose time has passed is delivered again. Never lost, possibly duplicated.

import type { Logger } from '../../common/logger';
import type { Disk } from '../../store/disk/disk';
import { SystemTopic } from '../topic/system-topics';
import { bucketStartOf, isWellFormedEntry, TIMER_ENTRY_SIZE } from './timer-bucket-layout';
import type { TimerBucketFiles } from './timer-bucket-files';
import { loadTimerCheckpoint } from './timer-checkpoint';
import type { TimerStore } from './timer-store';

/** What a bucket file holds that is still to be delivered. */
export interface BucketSummary {
  count: number;
  minDueMs: number;
}

export interface RecoveredTimer {
  readonly enqueueOffset: number;
  /** -1 when nothing is known to be delivered. */
  readonly deliveredThroughMs: number;
  /** Buckets starting before this are deleted; late entries are filed at or after it. */
  readonly closedUntilMs: number;
  /** Every bucket file left, by start, with its undelivered entries. */
  readonly buckets: Map<number, BucketSummary>;
}

export interface TimerRecoveryOptions {
  readonly disk: Disk;
  readonly store: TimerStore;
  readonly files: TimerBucketFiles;
  readonly checkpointPath: string;
  readonly bucketMs: number;
  readonly log: Logger;
}

export async function recoverTimer(options: TimerRecoveryOptions): Promise<RecoveredTimer> {
  const { store, files, bucketMs, log } = options;
  await files.ensureDirectory();
  const rebuildHint =
    `delete ${options.checkpointPath}, its .bak and ${files.dir} to rebuild from the timer queue ` +
    `(timed messages whose time has passed are then delivered again)`;
  const checkpoint = await loadTimerCheckpoint(options.disk, options.checkpointPath, bucketMs, rebuildHint);
  const { starts, strangers } = await files.list();
  if (strangers.length > 0) {
    log.warn('files in the timer bucket directory that the timer service did not write are ignored', {
      dir: files.dir,
      names: strangers.join(' '),
    });
  }
  const queueMin = store.minOffsetInQueue(SystemTopic.TIMER, 0);
  const queueMax = store.maxOffsetInQueue(SystemTopic.TIMER, 0);
  if (checkpoint === undefined) {
    if (starts.length > 0) {
      log.warn('no timer checkpoint: rebuilding the timer buckets from the timer queue', {
        removedBuckets: starts.length,
        timerQueueEntries: queueMax - queueMin,
      });
    }
    for (const start of starts) await files.remove(start);
    await files.syncDirty();
    return { enqueueOffset: queueMin, deliveredThroughMs: -1, closedUntilMs: 0, buckets: new Map() };
  }
  if (checkpoint.backupBecause !== undefined) {
    log.warn('timer checkpoint unusable, using its backup', { problem: checkpoint.backupBecause });
  }
  const { deliveredThroughMs } = checkpoint.state;
  const enqueueOffset = clampEnqueueOffset(checkpoint.state.enqueueOffset, queueMin, queueMax, log);
  const [next] = await store.readQueueEntries(SystemTopic.TIMER, 0, enqueueOffset, 1);
  const refileFrom = next?.commitLogOffset ?? Number.POSITIVE_INFINITY;
  const closedUntilMs = bucketStartOf(deliveredThroughMs + 1, bucketMs);
  const buckets = new Map<number, BucketSummary>();
  for (const start of starts) {
    if (start + bucketMs <= closedUntilMs) {
      await files.remove(start);
      continue;
    }
    const summary = await cutBucket(files, start, bucketMs, refileFrom, deliveredThroughMs);
    if (summary === undefined) await files.remove(start);
    else buckets.set(start, summary);
  }
  await files.syncDirty();
  return { enqueueOffset, deliveredThroughMs, closedUntilMs, buckets };
}

function clampEnqueueOffset(saved: number, queueMin: number, queueMax: number, log: Logger): number {
  if (saved > queueMax) {
    log.warn('the timer queue is shorter than the timer checkpoint says; filing resumes at its end', {
      checkpointOffset: saved,
      queueMaxOffset: queueMax,
    });
    return queueMax;
  }
  if (saved < queueMin) {
    log.error('timed messages were removed by retention before the timer service filed them', {
      lost: queueMin - saved,
      fix: 'keep the store fileReservedTime above timerMaxDelaySec',
    });
    return queueMin;
  }
  return saved;
}

/**
 * Cuts the bucket's file before its first entry that is not well formed or was filed at or after
 * `refileFrom`; returns what is left to deliver, or undefined when the file is left empty.
 */
async function cutBucket(
  files: TimerBucketFiles,
  start: number,
  bucketMs: number,
  refileFrom: number,
  deliveredThroughMs: number,
): Promise<BucketSummary | undefined> {
  let kept = 0;
  const summary: BucketSummary = { count: 0, minDueMs: Number.POSITIVE_INFINITY };
  await files.read(start, (entries) => {
    for (const entry of entries) {
      if (!isWellFormedEntry(entry, start, bucketMs) || entry.commitLogOffset >= refileFrom) return false;
      kept++;
      if (entry.dueMs > deliveredThroughMs) {
        summary.count++;
        summary.minDueMs = Math.min(summary.minDueMs, entry.dueMs);
      }
    }
    return true;
  });
  if (kept === 0) return undefined;
  if (kept * TIMER_ENTRY_SIZE !== (await files.byteLength(start))) await files.truncate(start, kept);
  return summary;
}
