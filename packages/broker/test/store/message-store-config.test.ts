import { ConfigError } from '../../src/common/errors';
import { parseProperties } from '../../src/common/properties-file';
import { defaultStoreConfig, resolveStoreConfig } from '../../src/store/message-store-config';

function problemsOf(text: string): string[] {
  try {
    resolveStoreConfig(parseProperties(text, { source: 'broker.properties' }).entries, {
      source: 'broker.properties',
    });
  } catch (error) {
    if (error instanceof ConfigError)
      return error.message
        .split('\n')
        .slice(1)
        .map((line) => line.trim());
    throw error;
  }
  return [];
}

describe('store configuration', () => {
  it('derives every path from the root and groups the retention settings', () => {
    const config = defaultStoreConfig('/srv/keel', { retention: { fileReservedTime: 48 } });
    expect(config.storePathCommitLog).toBe('/srv/keel/commitlog');
    expect(config.storePathConsumeQueue).toBe('/srv/keel/consumequeue');
    expect(config.storeCheckpoint).toBe('/srv/keel/checkpoint');
    expect(config.lockFile).toBe('/srv/keel/lock');
    expect(config.retention.fileReservedTime).toBe(48);
    expect(config.retention.deleteWhen).toBe('04');
    expect(config.flushDiskType).toBe('ASYNC_FLUSH');
  });

  it('reads RocketMQ property names, legacy spellings included', () => {
    const entries = parseProperties(
      [
        'storePathRootDir=/data',
        'mapedFileSizeCommitLog=8388608',
        'flushDiskType=SYNC_FLUSH',
        'fileReservedTime=48',
      ].join('\n'),
    ).entries;
    const config = resolveStoreConfig(entries);
    expect(config.mappedFileSizeCommitLog).toBe(8388608);
    expect(config.flushDiskType).toBe('SYNC_FLUSH');
    expect(config.retention.fileReservedTime).toBe(48);
  });

  it('reports every problem at once with its line and the fix', () => {
    const problems = problemsOf(
      [
        'storePathRootDir=/data',
        'flushDiskTyp=SYNC_FLUSH',
        'mappedFileSizeConsumeQueue=1001',
        'mappedFileSizeCommitLog=65536',
        'maxMessageSize=65536',
      ].join('\n'),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^broker.properties:2: flushDiskTyp: unknown key.*flushDiskType/),
      ]),
    );
    const rules = problemsOf(
      [
        'storePathRootDir=/data',
        'mappedFileSizeConsumeQueue=1001',
        'mappedFileSizeCommitLog=65536',
        'maxMessageSize=65536',
      ].join('\n'),
    );
    expect(rules).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/mappedFileSizeConsumeQueue: 1001 is not a multiple of the 20-byte entry/),
        expect.stringMatching(/maxMessageSize: 65536 does not fit a commit-log segment of 65536 bytes/),
      ]),
    );
  });
});
