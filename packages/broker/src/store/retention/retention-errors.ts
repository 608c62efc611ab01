import { KeelError } from '../../common/errors';

/** Codes of retention's errors. */
export const RetentionErrorCodes = {
  /** One step of a pass failed; the pass went on where it could and the next pass retries. */
  STEP_FAILED: 'RETENTION_STEP_FAILED',
  /** The store refuses writes because its disk is above diskSpaceWarningLevelRatio. */
  DISK_FULL: 'STORE_DISK_FULL',
} as const;

/** The step of a retention pass that failed. */
export type RetentionStep =
  /** Something no step caught (a bug); the passes go on. */
  | 'pass'
  | 'measure-disk-usage'
  | 'read-segment-time'
  | 'delete-commit-log-segment'
  | 'correct-queue-min-offset'
  | 'delete-queue-segments'
  | 'delete-index-files';

/**
 * A retention step failed. Retriable: passes keep running, and the next one tries again (a
 * deleted segment stays deleted; the follow-up on queues and index is redone until it succeeds).
 */
export class RetentionStepError extends KeelError {
  readonly step: RetentionStep;
  /** What the step was working on: a file path, `topic:queueId`, ... */
  readonly subject: string;

  constructor(step: RetentionStep, subject: string, cause: unknown) {
    super(RetentionErrorCodes.STEP_FAILED, `retention ${step} failed for ${subject}: ${String(cause)}`, {
      retriable: true,
      cause,
    });
    this.step = step;
    this.subject = subject;
  }
}

export interface DiskFullDetails {
  /** The path whose partition is the fullest of those measured. */
  readonly path: string;
  readonly usedSpaceRatio: number;
  readonly diskSpaceWarningLevelRatio: number;
  readonly diskSpaceCleanForciblyRatio: number;
  readonly cleanFileForciblyEnable: boolean;
}

/**
 * The answer to a put while the disk is full (SERVICE_NOT_AVAILABLE). Retriable: the same message
 * can go to another broker now, or to this one once retention has freed space.
 */
export class DiskFullError extends KeelError {
  readonly details: DiskFullDetails;

  constructor(details: DiskFullDetails) {
    const cleaning = details.cleanFileForciblyEnable
      ? 'retention is deleting the oldest commit-log segments'
      : 'cleanFileForciblyEnable=false, so retention deletes only segments past fileReservedTime';
    super(
      RetentionErrorCodes.DISK_FULL,
      `disk full: the partition of ${details.path} is ${percent(details.usedSpaceRatio)} used, above ` +
        `diskSpaceWarningLevelRatio ${percent(details.diskSpaceWarningLevelRatio)}; the store accepts ` +
        `messages again at ${percent(details.diskSpaceCleanForciblyRatio)} (diskSpaceCleanForciblyRatio) ` +
        `or below (${cleaning}). Free space on that partition, lower fileReservedTime, or give the ` +
        `store a larger disk; meanwhile send to another broker`,
      { retriable: true },
    );
    this.details = details;
  }
}

export function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(1)}%`;
}
