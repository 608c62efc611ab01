import { join } from 'node:path';
import type { FlushDiskType } from './commitlog/commit-log';
import { DEFAULT_RETENTION_CONFIG, type RetentionConfig } from './retention/retention-config';

/**
 * The store's settings, named as in RocketMQ's MessageStoreConfig (so a broker.properties file
 * carries over), with Keel's additions marked. Sizes are bytes, times ms unless the name says.
 */
export interface MessageStoreConfig {
  readonly storePathRootDir: string;
  readonly storePathCommitLog: string;
  readonly storePathConsumeQueue: string;
  readonly storePathIndex: string;
  readonly storeCheckpoint: string;
  readonly abortFile: string;
  /** Held while the store is open, so that two brokers never share a store. */
  readonly lockFile: string;
  /** Bytes per commit-log segment (default 1 GiB). */
  readonly mappedFileSizeCommitLog: number;
  /** Bytes per consume-queue segment (default 300,000 entries × 20 bytes). */
  readonly mappedFileSizeConsumeQueue: number;
  /** Largest accepted record (default 4 MiB), checked against the stored size. */
  readonly maxMessageSize: number;
  readonly flushDiskType: FlushDiskType;
  /** ASYNC_FLUSH: fdatasync period of the commit log. */
  readonly flushIntervalCommitLog: number;
  /** SYNC_FLUSH: a put not durable after this long answers FLUSH_DISK_TIMEOUT. */
  readonly syncFlushTimeout: number;
  /** Period of the consume-queue flush and of the checkpoint that follows it. */
  readonly flushIntervalConsumeQueue: number;
  /** Keel: capacity of one in-memory write chunk of the commit log. */
  readonly commitLogWriteChunkBytes: number;
  /** Index messages by key and UNIQ_KEY (QUERY_MESSAGE). */
  readonly messageIndexEnable: boolean;
  /** Hash slots per index file (default 5,000,000). */
  readonly maxHashSlotNum: number;
  /** Entries per index file (default 20,000,000). */
  readonly maxIndexNum: number;
  /** When old segments are deleted and when a full disk refuses writes (retention-config.ts). */
  readonly retention: RetentionConfig;
}

export const DEFAULT_COMMIT_LOG_SEGMENT_BYTES = 1024 * 1024 * 1024;
export const DEFAULT_CONSUME_QUEUE_SEGMENT_BYTES = 300_000 * 20;

/** The defaults for a store rooted at `storePathRootDir`, with paths derived as RocketMQ does. */
export function defaultStoreConfig(
  storePathRootDir: string,
  overrides: Partial<MessageStoreConfig> = {},
): MessageStoreConfig {
  const root = overrides.storePathRootDir ?? storePathRootDir;
  return {
    storePathRootDir: root,
    storePathCommitLog: join(root, 'commitlog'),
    storePathConsumeQueue: join(root, 'consumequeue'),
    storePathIndex: join(root, 'index'),
    storeCheckpoint: join(root, 'checkpoint'),
    abortFile: join(root, 'abort'),
    lockFile: join(root, 'lock'),
    mappedFileSizeCommitLog: DEFAULT_COMMIT_LOG_SEGMENT_BYTES,
    mappedFileSizeConsumeQueue: DEFAULT_CONSUME_QUEUE_SEGMENT_BYTES,
    maxMessageSize: 4 * 1024 * 1024,
    flushDiskType: 'ASYNC_FLUSH',
    flushIntervalCommitLog: 500,
    syncFlushTimeout: 5000,
    flushIntervalConsumeQueue: 1000,
    commitLogWriteChunkBytes: 4 * 1024 * 1024,
    messageIndexEnable: true,
    maxHashSlotNum: 5_000_000,
    maxIndexNum: 20_000_000,
    retention: DEFAULT_RETENTION_CONFIG,
    ...overrides,
  };
}
