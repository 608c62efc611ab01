import { join } from 'node:path';
import { ConfigError } from '../../../src/common/errors';
import { parseProperties } from '../../../src/common/properties-file';
import { loadNameServerConfigFile, resolveNameServerConfig } from '../../../src/namesrv/namesrv-config';

const homeDir = '/home/op';

describe('resolveNameServerConfig', () => {
  it("has RocketMQ's defaults without a file", () => {
    expect(resolveNameServerConfig(undefined, {}, { homeDir })).toEqual({
      listenPort: 9876,
      namesrvRootDir: join(homeDir, 'namesrv'),
      kvConfigPath: join(homeDir, 'namesrv', 'kvConfig.json'),
      pidFile: join(homeDir, 'namesrv', 'keel-namesrv.pid'),
      orderMessageEnable: false,
      scanNotActiveBrokerIntervalMs: 10_000,
      brokerChannelExpiredTimeMs: 120_000,
      serverChannelMaxIdleTimeSeconds: 120,
      logLevel: 'info',
    });
  });

  it('derives paths from namesrvRootDir, keeps an explicit kvConfigPath, and lets -p win', () => {
    const parsed = parseProperties('namesrvRootDir=/ns\nkvConfigPath=/etc/kv.json\nlistenPort=9000\n');
    const config = resolveNameServerConfig(parsed, { listenPort: '9001' }, { homeDir });
    expect(config).toMatchObject({
      listenPort: 9001,
      kvConfigPath: '/etc/kv.json',
      pidFile: join('/ns', 'keel-namesrv.pid'),
    });
  });

  it('reports every problem with its line, including the expiry rule', () => {
    const parsed = parseProperties(
      'orderMessageEnable=maybe\nscanNotActiveBrokerIntervalMs=60000\nbrokerChannelExpiredTimeMs=30000\n',
      {
        source: 'ns.properties',
      },
    );
    let error: unknown;
    try {
      resolveNameServerConfig(parsed, {}, { source: 'ns.properties', homeDir });
    } catch (caught: unknown) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    // Rules run only once every value is valid, so the expiry rule waits for the boolean to be fixed.
    expect((error as ConfigError).problems.map((p) => [p.line, p.key])).toEqual([[1, 'orderMessageEnable']]);

    const fixed = parseProperties('scanNotActiveBrokerIntervalMs=60000\nbrokerChannelExpiredTimeMs=30000\n');
    expect(() => resolveNameServerConfig(fixed, {}, { homeDir })).toThrow(
      /brokerChannelExpiredTimeMs: 30000 is not above scanNotActiveBrokerIntervalMs/,
    );
  });

  it('loads a file through an injected reader', async () => {
    const config = await loadNameServerConfigFile('ns.properties', {
      homeDir,
      readTextFile: () => Promise.resolve('listenPort=19876\nlogLevel=debug\n'),
    });
    expect(config).toMatchObject({ listenPort: 19876, logLevel: 'debug' });
  });
});
