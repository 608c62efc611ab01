import type { RetentionStep } from './retention-errors';
import type { RetentionIndex, RetentionQueues } from './retention-ports';

export interface FollowUp {
  readonly queueSegmentsDeleted: number;
  readonly indexFilesDeleted: number;
}

export interface FollowUpResult extends FollowUp {
  /** Every queue and the index were brought in line; false means a later pass must redo it. */
  readonly complete: boolean;
}

/**
 * Brings consume queues and index files in line with the commit log's new minimum offset (RocketMQ's
 * CleanConsumeQueueService): each queue's minimum is raised to its first entry still in the commit
 * log and its segments wholly below are deleted, then index files ending below it are deleted.
 * Queues first: once a queue's minimum is raised, readers are answered OFFSET_TOO_SMALL instead of
 * reaching entries whose records are gone. A failure is reported and the rest still done; the
 * steps are idempotent, so redoing them all on a later pass is safe.
 */
export async function followCommitLogMinOffset(
  commitLogMinOffset: number,
  queues: RetentionQueues,
  index: RetentionIndex | undefined,
  report: (step: RetentionStep, subject: string, cause: unknown) => void,
): Promise<FollowUpResult> {
  let complete = true;
  let queueSegmentsDeleted = 0;
  let indexFilesDeleted = 0;
  for (const queue of queues.all()) {
    const subject = `${queue.topic}:${queue.queueId}`;
    try {
      await queue.correctMinOffset(commitLogMinOffset);
    } catch (error) {
      complete = false;
      report('correct-queue-min-offset', subject, error);
      continue;
    }
    try {
      queueSegmentsDeleted += (await queue.deleteExpiredSegments()).length;
    } catch (error) {
      complete = false;
      report('delete-queue-segments', subject, error);
    }
  }
  if (index !== undefined) {
    try {
      indexFilesDeleted = await index.deleteFilesBelow(commitLogMinOffset);
    } catch (error) {
      complete = false;
      report('delete-index-files', `index files below commit-log offset ${commitLogMinOffset}`, error);
    }
  }
  return { complete, queueSegmentsDeleted, indexFilesDeleted };
}
