import { join } from 'node:path';
import { defineConfigSchema, resolveConfig, type ConfigInput, type ConfigOf } from '../common/config';
import { retentionConfigSchema, type RetentionConfig } from './retention/retention-config';

/**
 * The store's settings, named as in RocketMQ's MessageStoreConfig (so a broker.properties file
 * carries over), one validated schema; Keel's additions say so. Sizes are bytes, times ms unless
 * the name says otherwise. Retention's settings are part of it (retention-config.ts).
 */
export const DEFAULT_COMMIT_LOG_SEGMENT_BYTES = 1024 * 1024 * 1024;
export const DEFAULT_CONSUME_QUEUE_SEGMENT_BYTES = 300_000 * 20;
/** The end-of-file blank record needs 8 bytes after the last record of a segment. */
const BLANK_RECORD_BYTES = 8;

export const messageStoreConfigSchema = defineConfigSchema({
  name: 'store',
  options: {
    storePathRootDir: { type: 'string', doc: 'Root directory of the store (RocketMQ default ~/store).' },
    storePathCommitLog: {
      type: 'string',
      optional: true,
      doc: 'Commit-log directory; default `storePathRootDir/commitlog`.',
    },
    storePathConsumeQueue: {
      type: 'string',
      optional: true,
      doc: 'Consume-queue directory; default `storePathRootDir/consumequeue`.',
    },
    storePathIndex: {
      type: 'string',
      optional: true,
      doc: 'Index directory; default `storePathRootDir/index`.',
    },
    storeCheckpoint: {
      type: 'string',
      optional: true,
      doc: 'Checkpoint file; default `storePathRootDir/checkpoint`.',
    },
    abortFile: { type: 'string', optional: true, doc: 'Abort file; default `storePathRootDir/abort`.' },
    mappedFileSizeCommitLog: {
      type: 'int',
      default: DEFAULT_COMMIT_LOG_SEGMENT_BYTES,
      min: 1024,
      aliases: ['mapedFileSizeCommitLog'],
      doc: 'Bytes per commit-log segment file (1 GiB).',
    },
    mappedFileSizeConsumeQueue: {
      type: 'int',
      default: DEFAULT_CONSUME_QUEUE_SEGMENT_BYTES,
      min: 20,
      aliases: ['mapedFileSizeConsumeQueue'],
      doc: 'Bytes per consume-queue segment file, a multiple of 20 (300,000 entries).',
    },
    maxMessageSize: {
      type: 'int',
      default: 4 * 1024 * 1024,
      min: 128,
      doc: 'Largest accepted message, as stored (4 MiB).',
    },
    flushDiskType: {
      type: 'enum',
      values: ['ASYNC_FLUSH', 'SYNC_FLUSH'],
      default: 'ASYNC_FLUSH',
      doc: 'ASYNC_FLUSH acknowledges once in the page cache; SYNC_FLUSH after an fdatasync covering the message.',
    },
    flushIntervalCommitLog: {
      type: 'int',
      default: 500,
      min: 1,
      doc: 'ASYNC_FLUSH: milliseconds between fdatasyncs of the commit log.',
    },
    syncFlushTimeout: {
      type: 'int',
      default: 5000,
      min: 1,
      doc: 'SYNC_FLUSH: milliseconds after which a put not yet durable answers FLUSH_DISK_TIMEOUT.',
    },
    flushIntervalConsumeQueue: {
      type: 'int',
      default: 1000,
      min: 1,
      doc: 'Milliseconds between consume-queue flushes and the checkpoint that records them.',
    },
    commitLogWriteChunkBytes: {
      type: 'int',
      default: 4 * 1024 * 1024,
      min: 64,
      doc: 'Keel: capacity of one in-memory commit-log write chunk (one positional write).',
    },
    messageIndexEnable: { type: 'boolean', default: true, doc: 'Index messages by KEYS and UNIQ_KEY.' },
    maxHashSlotNum: { type: 'int', default: 5_000_000, min: 1, doc: 'Hash slots per index file.' },
    maxIndexNum: { type: 'int', default: 20_000_000, min: 2, doc: 'Entries per index file.' },
    ...retentionConfigSchema.options,
  },
  rules: [
    (c) =>
      c.mappedFileSizeConsumeQueue % 20 === 0
        ? []
        : [
            {
              key: 'mappedFileSizeConsumeQueue',
              message: `${c.mappedFileSizeConsumeQueue} is not a multiple of the 20-byte entry; use e.g. ${DEFAULT_CONSUME_QUEUE_SEGMENT_BYTES}`,
            },
          ],
    (c) =>
      c.maxMessageSize + BLANK_RECORD_BYTES <= c.mappedFileSizeCommitLog
        ? []
        : [
            {
              key: 'maxMessageSize',
              message: `${c.maxMessageSize} does not fit a commit-log segment of ${c.mappedFileSizeCommitLog} bytes; lower it or raise mappedFileSizeCommitLog`,
            },
          ],
    ...retentionConfigSchema.rules,
  ],
});

type ResolvedStoreSettings = ConfigOf<typeof messageStoreConfigSchema>;
type RetentionKey = keyof RetentionConfig;
type PathKey =
  'storePathCommitLog' | 'storePathConsumeQueue' | 'storePathIndex' | 'storeCheckpoint' | 'abortFile';

/** The resolved store configuration: every path filled in, retention's settings grouped. */
export type MessageStoreConfig = Omit<ResolvedStoreSettings, RetentionKey | PathKey> & {
  readonly [K in PathKey]: string;
} & {
  /** Held while the store is open, so that two brokers never share a store. */
  readonly lockFile: string;
  /** When old segments are deleted and when a full disk refuses writes. */
  readonly retention: RetentionConfig;
};

/** Validates store settings (typed values or properties entries); throws ConfigError listing every problem. */
export function resolveStoreConfig(
  input: ConfigInput,
  options: { readonly source?: string } = {},
): MessageStoreConfig {
  return completeStoreConfig(resolveConfig(messageStoreConfigSchema, input, options));
}

/** The defaults for a store rooted at `storePathRootDir`, with `overrides` validated too. */
export function defaultStoreConfig(
  storePathRootDir: string,
  overrides: Partial<Omit<MessageStoreConfig, 'retention'>> & {
    readonly retention?: Partial<RetentionConfig>;
  } = {},
): MessageStoreConfig {
  const { retention, ...rest } = overrides;
  return resolveStoreConfig({ storePathRootDir, ...retention, ...rest });
}

function completeStoreConfig(settings: ResolvedStoreSettings): MessageStoreConfig {
  const root = settings.storePathRootDir;
  const retentionKeys = Object.keys(retentionConfigSchema.options) as RetentionKey[];
  const retention = Object.fromEntries(retentionKeys.map((key) => [key, settings[key]])) as RetentionConfig;
  const store = Object.fromEntries(
    Object.entries(settings).filter(([key]) => !(retentionKeys as string[]).includes(key)),
  ) as Omit<ResolvedStoreSettings, RetentionKey>;
  return {
    ...store,
    storePathCommitLog: settings.storePathCommitLog ?? join(root, 'commitlog'),
    storePathConsumeQueue: settings.storePathConsumeQueue ?? join(root, 'consumequeue'),
    storePathIndex: settings.storePathIndex ?? join(root, 'index'),
    storeCheckpoint: settings.storeCheckpoint ?? join(root, 'checkpoint'),
    abortFile: settings.abortFile ?? join(root, 'abort'),
    lockFile: join(root, 'lock'),
    retention,
  };
}
