// Retention (`CleanCommitLogService` / `CleanConsumeQueueService`): deletes old commit-log segments
// and what pointed into them, and says when the disk is too full to accept writes.
export {
  DEFAULT_RETENTION_CONFIG,
  resolveRetentionConfig,
  retentionConfigSchema,
  type RetentionConfig,
} from './retention-config';
export {
  DiskFullError,
  RetentionErrorCodes,
  RetentionStepError,
  type DiskFullDetails,
  type RetentionStep,
} from './retention-errors';
export {
  decideRetention,
  effectiveDiskMaxUsedRatio,
  isSegmentExpired,
  MANUAL_DELETE_PASSES,
  MAX_SEGMENTS_PER_PASS,
  nextDiskFull,
  parseDeleteWhen,
  selectSegmentsToDelete,
  type DeleteExpiredReason,
  type RetentionAction,
  type RetentionDecision,
  type RetentionSituation,
  type RetentionThresholds,
  type SegmentAge,
  type SegmentSelection,
} from './retention-policy';
export type {
  RetentionCommitLog,
  RetentionConsumeQueue,
  RetentionDisk,
  RetentionIndex,
  RetentionQueues,
} from './retention-ports';
export {
  RetentionService,
  type RetentionPassReport,
  type RetentionServiceOptions,
  type RetentionStatus,
} from './retention-service';
