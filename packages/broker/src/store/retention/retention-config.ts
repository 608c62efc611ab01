// Retention settings, named as in RocketMQ's MessageStoreConfig so broker.properties carries over;
// Keel's additions carry their unit in the name. `resolveRetentionConfig` validates them all at once.

import { defineConfigSchema, resolveConfig, type ConfigInput, type ConfigOf } from '../../common/config';
import { parseDeleteWhen } from './retention-policy';

export const retentionConfigSchema = defineConfigSchema({
  name: 'retention',
  options: {
    deleteWhen: {
      type: 'string',
      default: '04',
      doc: "Local hours (0-23, ';'-separated, e.g. 01;04) at which segments past fileReservedTime are deleted.",
    },
    fileReservedTime: {
      type: 'int',
      default: 72,
      min: 1,
      doc: 'Hours a commit-log segment is kept after it was last written (RocketMQ code default 72; its shipped broker.conf sets 48).',
    },
    diskMaxUsedSpaceRatio: {
      type: 'int',
      default: 75,
      doc: 'Percent of the partition in use above which expired segments are deleted at any hour; clamped to 10..95 as RocketMQ does.',
    },
    cleanResourceInterval: {
      type: 'int',
      default: 10_000,
      min: 1,
      doc: 'Milliseconds between the end of one retention pass and the start of the next.',
    },
    cleanResourceFirstDelayMs: {
      type: 'int',
      default: 60_000,
      min: 0,
      doc: 'Keel: milliseconds from start-up to the first retention pass (RocketMQ hard-codes 60 s). Disk usage is measured at start-up regardless.',
    },
    deleteCommitLogFilesInterval: {
      type: 'int',
      default: 100,
      min: 0,
      doc: 'Milliseconds between two segment deletions in one pass, so a burst of unlinks does not stall the disk.',
    },
    cleanFileForciblyEnable: {
      type: 'boolean',
      default: true,
      doc: 'Above diskSpaceCleanForciblyRatio, delete segments oldest first even if not expired yet.',
    },
    diskSpaceCleanForciblyRatio: {
      type: 'number',
      default: 0.85,
      min: 0.01,
      max: 1,
      aliases: ['rocketmq.broker.diskSpaceCleanForciblyRatio'],
      doc: 'Fraction of the partition in use above which segments are cleaned forcibly; refused writes resume at or below it.',
    },
    diskSpaceWarningLevelRatio: {
      type: 'number',
      default: 0.9,
      min: 0.01,
      max: 1,
      aliases: ['rocketmq.broker.diskSpaceWarningLevelRatio'],
      doc: 'Fraction of the partition in use above which the store refuses writes (SERVICE_NOT_AVAILABLE).',
    },
  },
  rules: [
    (c) => {
      const parsed = parseDeleteWhen(c.deleteWhen);
      return parsed.ok ? [] : [{ key: 'deleteWhen', message: parsed.message }];
    },
    (c) =>
      c.diskSpaceCleanForciblyRatio > c.diskSpaceWarningLevelRatio
        ? [
            {
              key: 'diskSpaceCleanForciblyRatio',
              message: `${c.diskSpaceCleanForciblyRatio} is above diskSpaceWarningLevelRatio ${c.diskSpaceWarningLevelRatio}: writes would stop before forcible cleaning starts; keep it at or below (defaults 0.85 and 0.90)`,
            },
          ]
        : [],
  ],
});

export type RetentionConfig = ConfigOf<typeof retentionConfigSchema>;

/** Typed or raw (properties) values in, validated settings out; throws ConfigError listing every problem. */
export function resolveRetentionConfig(input: ConfigInput = {}): RetentionConfig {
  return resolveConfig(retentionConfigSchema, input);
}

export const DEFAULT_RETENTION_CONFIG: RetentionConfig = resolveRetentionConfig();
