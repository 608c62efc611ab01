import { resolveConfigFromProperties } from '../../../src/common/config';
import { ConfigError } from '../../../src/common/errors';
import {
  DEFAULT_RETENTION_CONFIG,
  resolveRetentionConfig,
  retentionConfigSchema,
} from '../../../src/store/retention/retention-config';

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => `${p.key}: ${p.message}`);
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('retention config', () => {
  it("has RocketMQ's defaults", () => {
    expect(DEFAULT_RETENTION_CONFIG).toEqual({
      deleteWhen: '04',
      fileReservedTime: 72,
      diskMaxUsedSpaceRatio: 75,
      cleanResourceInterval: 10_000,
      cleanResourceFirstDelayMs: 60_000,
      deleteCommitLogFilesInterval: 100,
      cleanFileForciblyEnable: true,
      diskSpaceCleanForciblyRatio: 0.85,
      diskSpaceWarningLevelRatio: 0.9,
    });
  });

  it('reads broker.properties values, including the JVM property names of the two ratios', () => {
    const config = resolveConfigFromProperties(
      retentionConfigSchema,
      [
        'deleteWhen=01;04',
        'fileReservedTime=48',
        'diskMaxUsedSpaceRatio=88',
        'cleanFileForciblyEnable=false',
        'rocketmq.broker.diskSpaceCleanForciblyRatio=0.8',
        'rocketmq.broker.diskSpaceWarningLevelRatio=0.95',
      ].join('\n'),
      { source: 'broker.properties' },
    );
    expect(config).toMatchObject({
      deleteWhen: '01;04',
      fileReservedTime: 48,
      diskMaxUsedSpaceRatio: 88,
      cleanFileForciblyEnable: false,
      diskSpaceCleanForciblyRatio: 0.8,
      diskSpaceWarningLevelRatio: 0.95,
    });
  });

  it('accepts a diskMaxUsedSpaceRatio outside 10..95, which the policy clamps as RocketMQ does', () => {
    expect(resolveRetentionConfig({ diskMaxUsedSpaceRatio: 99 }).diskMaxUsedSpaceRatio).toBe(99);
  });

  it('names the option and the fix for a bad deleteWhen', () => {
    expect(problemsOf(() => resolveRetentionConfig({ deleteWhen: '4am' }))).toEqual([
      expect.stringMatching(/^deleteWhen: '4am' in '4am' is not an hour; use hours 0-23 separated by ';'/),
    ]);
  });

  it('rejects a forcible-clean ratio above the warning ratio', () => {
    expect(
      problemsOf(() =>
        resolveRetentionConfig({ diskSpaceCleanForciblyRatio: 0.95, diskSpaceWarningLevelRatio: 0.9 }),
      ),
    ).toEqual([
      expect.stringMatching(/^diskSpaceCleanForciblyRatio: 0.95 is above diskSpaceWarningLevelRatio 0.9/),
    ]);
  });

  it('rejects out-of-range values with their bounds and suggests spellings', () => {
    const problems = problemsOf(() =>
      resolveRetentionConfig({ fileReservedTime: 0, diskSpaceWarningLevelRatio: 1.5, deleteWhem: '04' }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^fileReservedTime: 0 is below the minimum 1/),
        expect.stringMatching(/^diskSpaceWarningLevelRatio: 1.5 is above the maximum 1/),
        expect.stringMatching(/^deleteWhem: unknown key, did you mean deleteWhen\?/),
      ]),
    );
  });
});
