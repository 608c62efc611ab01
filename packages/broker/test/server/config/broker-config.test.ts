import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, type ConfigProblem } from '../../../src/common/errors';
import { parseProperties } from '../../../src/common/properties-file';
import {
  brokerConfigSchema,
  loadBrokerConfigFile,
  resolveBrokerConfig,
  type BrokerConfigOverrides,
} from '../../../src/server/broker-config';
import { ConfigFileUnreadableError } from '../../../src/server/config/config-sources';
import type { HostFacts } from '../../../src/server/config/host-facts';
import { messageStoreConfigSchema } from '../../../src/store/message-store-config';

const host: HostFacts = { hostname: 'host-1', homeDir: '/home/op', firstExternalIPv4: '192.168.1.9' };
const SOURCE = 'broker.properties';

function resolve(lines: readonly string[], overrides: BrokerConfigOverrides = {}) {
  return resolveBrokerConfig(parseProperties(lines.join('\n'), { source: SOURCE }), overrides, {
    source: SOURCE,
    host,
  });
}

function problemsOf(lines: readonly string[], overrides: BrokerConfigOverrides = {}): ConfigProblem[] {
  try {
    resolve(lines, overrides);
  } catch (error: unknown) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('resolveBrokerConfig', () => {
  it("reads RocketMQ's shipped broker.conf, filling machine defaults", () => {
    const config = resolve([
      'brokerClusterName = DefaultCluster',
      'brokerName = broker-a',
      'brokerId = 0',
      'deleteWhen = 04',
      'fileReservedTime = 48',
      'brokerRole = ASYNC_MASTER',
      'flushDiskType = ASYNC_FLUSH',
    ]);
    expect(config).toMatchObject({
      brokerClusterName: 'DefaultCluster',
      brokerName: 'broker-a',
      brokerId: 0,
      brokerRole: 'ASYNC_MASTER',
      listenPort: 10911,
      fastListenPort: 10909,
      haListenPort: 10912,
      brokerIP1: '192.168.1.9',
      brokerIP2: '192.168.1.9',
      namesrvAddr: [],
      defaultTopicQueueNums: 8,
      autoCreateTopicEnable: true,
      autoCreateSubscriptionGroup: true,
      registerNameServerPeriod: 30_000,
      logLevel: 'info',
      logMessageBodies: false,
      pidFile: join('/home/op', 'store', 'keel-broker.pid'),
    });
    expect(config.store).toMatchObject({
      storePathRootDir: join('/home/op', 'store'),
      storePathCommitLog: join('/home/op', 'store', 'commitlog'),
      flushDiskType: 'ASYNC_FLUSH',
      retention: { deleteWhen: '04', fileReservedTime: 48 },
    });
    expect(config.messageDelayLevelsMs.slice(0, 5)).toEqual([1000, 5000, 10_000, 30_000, 60_000]);
    expect(config.messageDelayLevelsMs).toHaveLength(18);
  });

  it('defaults brokerName to the host name, as RocketMQ does', () => {
    expect(resolve([]).brokerName).toBe('host-1');
  });

  it('resolves store paths against storePathRootDir and honours explicit ones', () => {
    const config = resolve(['storePathRootDir=/data/s', 'storePathIndex=/fast/index', 'brokerIP1=10.0.0.1']);
    expect(config.store.storePathConsumeQueue).toBe(join('/data/s', 'consumequeue'));
    expect(config.store.storePathIndex).toBe('/fast/index');
    expect(config.pidFile).toBe(join('/data/s', 'keel-broker.pid'));
    expect(config.brokerIP2).toBe('10.0.0.1');
  });

  it('accepts the legacy spelling mapedFileSizeCommitLog', () => {
    expect(resolve(['mapedFileSizeCommitLog=104857600']).store.mappedFileSizeCommitLog).toBe(104_857_600);
  });

  it('parses namesrvAddr as a ;-separated list and validates every address', () => {
    expect(resolve(['namesrvAddr=10.0.0.1:9876; ns2.example.com:9876']).namesrvAddr).toEqual([
      '10.0.0.1:9876',
      'ns2.example.com:9876',
    ]);
    const problems = problemsOf(['brokerName=a', 'namesrvAddr=10.0.0.1;ns:99999']);
    expect(problems.map((p) => [p.line, p.key, p.message])).toEqual([
      [2, 'namesrvAddr', "'10.0.0.1' has no port; write host:port, e.g. 10.0.0.1:9876"],
      [2, 'namesrvAddr', "'ns:99999': the port '99999' is not a number from 1 to 65535"],
    ]);
  });

  it('overrides replace the file value (and its legacy alias) without a duplicate-key problem', () => {
    const config = resolve(['namesrvAddr=a:1', 'mapedFileSizeCommitLog=104857600'], {
      namesrvAddr: 'b:2;c:3',
      mappedFileSizeCommitLog: '209715200',
    });
    expect(config.namesrvAddr).toEqual(['b:2', 'c:3']);
    expect(config.store.mappedFileSizeCommitLog).toBe(209_715_200);
  });

  it('reports every problem of broker and store keys at once, in line order', () => {
    const problems = problemsOf([
      'brokerld=1',
      'listenPort=abc',
      'flushDiskType=SYNC',
      'this line is wrong',
      'maxMessageSize=big',
      'autoCreateTopicEnable=yes',
      'fetchNamesrvAddrByAddressServer=true',
    ]);
    expect(problems.map((p) => [p.line, p.kind, p.key])).toEqual([
      [1, 'unknown-key', 'brokerld'],
      [2, 'invalid-type', 'listenPort'],
      [3, 'invalid-value', 'flushDiskType'],
      [4, 'syntax', undefined],
      [5, 'invalid-type', 'maxMessageSize'],
      [6, 'invalid-type', 'autoCreateTopicEnable'],
      [7, 'unknown-key', 'fetchNamesrvAddrByAddressServer'],
    ]);
    expect(problems[0]?.suggestion).toBe('brokerId');
    expect(problems.every((p) => p.source === SOURCE)).toBe(true);
  });

  it('refuses a master with a slave id, naming the brokerId line', () => {
    const problems = problemsOf(['brokerRole=SYNC_MASTER', 'brokerId=2']);
    expect(problems).toEqual([
      expect.objectContaining({ kind: 'rule', key: 'brokerId', line: 2, source: SOURCE }),
    ]);
    expect(problems[0]?.message).toContain('set brokerId=0, or brokerRole=SLAVE');
  });

  it('refuses a SLAVE with the master id 0, naming the brokerRole line', () => {
    const problems = problemsOf(['brokerName=b', 'brokerRole=SLAVE']);
    expect(problems).toEqual([expect.objectContaining({ kind: 'rule', key: 'brokerRole', line: 2 })]);
    expect(resolve(['brokerRole=SLAVE', 'brokerId=1']).brokerRole).toBe('SLAVE');
  });

  it('leaves room for the VIP port (listenPort-2) and the HA port (listenPort+1)', () => {
    expect(problemsOf(['listenPort=2'])[0]?.message).toBe(
      '2 is below the minimum 3; use a value from 3 to 65534',
    );
    expect(problemsOf(['listenPort=65535'])[0]?.kind).toBe('out-of-range');
  });

  it('refuses registerNameServerPeriod outside 10-60 s instead of clamping silently', () => {
    expect(problemsOf(['registerNameServerPeriod=5000'])[0]).toMatchObject({
      key: 'registerNameServerPeriod',
      kind: 'out-of-range',
    });
  });

  it('checks brokerIP1, haMasterAddress and messageDelayLevel', () => {
    const problems = problemsOf(['brokerIP1=::1', 'haMasterAddress=master', 'messageDelayLevel=1s 5x']);
    expect(problems.map((p) => p.key)).toEqual(['brokerIP1', 'haMasterAddress', 'messageDelayLevel']);
    expect(problems[0]?.message).toContain('IPv6');
    expect(problems[2]?.message).toContain("'5x' is not a delay");
  });

  it('runs the store rules too', () => {
    expect(problemsOf(['mappedFileSizeConsumeQueue=1000001'])[0]).toMatchObject({
      kind: 'rule',
      key: 'mappedFileSizeConsumeQueue',
      line: 1,
    });
  });

  it('declares no key twice across the broker and store schemas', () => {
    const brokerKeys = Object.keys(brokerConfigSchema.options);
    expect(brokerKeys.filter((key) => key in messageStoreConfigSchema.options)).toEqual([]);
  });
});

describe('loadBrokerConfigFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'keel-broker-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('names the file and line in problems and creates nothing', async () => {
    const path = join(dir, 'broker.properties');
    writeFileSync(path, `storePathRootDir=${join(dir, 'store')}\nbrokerld=1\n`);
    const error = await loadBrokerConfigFile(path, { host }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain(
      `${path}:2: brokerld: unknown key, did you mean brokerId?`,
    );
    expect(readdirSync(dir)).toEqual(['broker.properties']);
  });

  it('reads through an injected reader', async () => {
    const config = await loadBrokerConfigFile('virtual.properties', {
      host,
      readTextFile: () => Promise.resolve('brokerName=v\nlistenPort=30911\n'),
    });
    expect(config).toMatchObject({ brokerName: 'v', listenPort: 30911 });
  });

  it('throws ConfigFileUnreadableError for a missing file', async () => {
    await expect(loadBrokerConfigFile(join(dir, 'nope.properties'), { host })).rejects.toBeInstanceOf(
      ConfigFileUnreadableError,
    );
  });
});
