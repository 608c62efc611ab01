// What retention needs from the rest of the store, and nothing more. CommitLog, ConsumeQueueTable,
// IndexService and Disk satisfy these structurally, so the facade passes them as they are; tests may
// pass fakes.

/** The commit log (`CommitLog`). */
export interface RetentionCommitLog {
  /** Offset of the first byte still on disk: the start of the oldest segment. */
  readonly minOffset: number;
  readonly segmentSizeBytes: number;
  /** Start offsets of the segments, oldest first; the last is the one being written. */
  segmentStarts(): number[];
  segmentPath(start: number): string;
  /** Deletes whole segments ending at or before `offset`, oldest first, never the newest. */
  deleteSegmentsBefore(offset: number, maxSegments?: number): Promise<number[]>;
}

/** One consume queue (`ConsumeQueue`). */
export interface RetentionConsumeQueue {
  readonly topic: string;
  readonly queueId: number;
  /** Raises the queue's minimum offset to its first entry still in the commit log. */
  correctMinOffset(commitLogMinOffset: number): Promise<void>;
  /** Deletes the queue's segments wholly below its minimum offset; resolves with their starts. */
  deleteExpiredSegments(): Promise<number[]>;
}

/** The consume queues of the store (`ConsumeQueueTable`). */
export interface RetentionQueues {
  all(): readonly RetentionConsumeQueue[];
}

/** The index files (`IndexService`); absent when `messageIndexEnable` is false. */
export interface RetentionIndex {
  /** Deletes the oldest files whose endPhyOffset is below `commitLogMinOffset`; resolves with how many. */
  deleteFilesBelow(commitLogMinOffset: number): Promise<number>;
}

/** The disk (`Disk`): file ages and partition usage. */
export interface RetentionDisk {
  modifiedAtMs(path: string): Promise<number>;
  usedSpaceRatio(path: string): Promise<number>;
}
