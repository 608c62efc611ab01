// A name server, a master and a slave of one broker group on loopback, in this process, each broker
// on its own real store in a temp directory: what the in-process replication tests talk to. The
// crash tests use real processes instead (test/cli/process/ha-*.test.ts).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { systemClock } from '../../../src/common/clock';
import { createLogger, silentLogger, stderrSink } from '../../../src/common/logger';
import { parseProperties } from '../../../src/common/properties-file';
import { NameServer } from '../../../src/namesrv/name-server';
import { Broker } from '../../../src/server/broker';
import { resolveBrokerConfig, type BrokerConfigOverrides } from '../../../src/server/broker-config';
import { NodeDisk } from '../../../src/store/disk/node-disk';
import { findFreeBrokerPort } from '../../../src/testing/servers';
import { RemotingClient } from '../../../src/transport/remoting-client';

export const GROUP_NAME = 'broker-ha';

export interface HaTestCluster {
  readonly nameServer: NameServer;
  readonly client: RemotingClient;
  readonly dir: string;
  master: Broker | undefined;
  slave: Broker | undefined;
  readonly masterAddress: string;
  readonly slaveAddress: string;
  startMaster(): Promise<Broker>;
  startSlave(): Promise<Broker>;
  stopMaster(): Promise<void>;
  stopSlave(): Promise<void>;
  stop(): Promise<void>;
}

export interface HaClusterOptions {
  readonly master?: BrokerConfigOverrides;
  readonly slave?: BrokerConfigOverrides;
  /** Start the slave too (default true). */
  readonly withSlave?: boolean;
}

export async function startHaCluster(options: HaClusterOptions = {}): Promise<HaTestCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'keel-ha-'));
  const nameServer = await NameServer.start({
    listenPort: 0,
    host: '127.0.0.1',
    kvConfigPath: join(dir, 'namesrv', 'kvConfig.json'),
    orderMessageEnable: false,
    scanNotActiveBrokerIntervalMs: 10_000,
    brokerChannelExpiredTimeMs: 120_000,
    clock: systemClock,
    disk: new NodeDisk(),
    log: silentLogger,
  });
  const common: BrokerConfigOverrides = {
    brokerName: GROUP_NAME,
    brokerIP1: '127.0.0.1',
    namesrvAddr: nameServer.address,
    mappedFileSizeCommitLog: 1024 * 1024,
    mappedFileSizeConsumeQueue: 20 * 1000,
    maxMessageSize: 64 * 1024,
    maxHashSlotNum: 1000,
    maxIndexNum: 4000,
  };
  const masterPort = await findFreeBrokerPort();
  const slavePort = await findFreeBrokerPort();
  const masterConfig = resolveBrokerConfig(parseProperties(''), {
    ...common,
    brokerId: 0,
    brokerRole: 'SYNC_MASTER',
    listenPort: masterPort,
    storePathRootDir: join(dir, 'master'),
    ...options.master,
  });
  const slaveConfig = resolveBrokerConfig(parseProperties(''), {
    ...common,
    brokerId: 1,
    brokerRole: 'SLAVE',
    listenPort: slavePort,
    storePathRootDir: join(dir, 'slave'),
    ...options.slave,
  });
  // KEEL_TEST_LOG=debug shows the brokers' logs when a test needs explaining.
  const level = process.env.KEEL_TEST_LOG;
  const log = (component: string) =>
    level === 'debug' || level === 'info'
      ? createLogger({ clock: systemClock, component, level, sink: stderrSink })
      : silentLogger;
  const start = (config: typeof masterConfig) =>
    Broker.start({
      config,
      log: log(config.brokerRole),
      clock: systemClock,
      disk: new NodeDisk(),
      bindAddress: '127.0.0.1',
    });
  const cluster: HaTestCluster = {
    nameServer,
    client: new RemotingClient({ clock: systemClock }),
    dir,
    master: undefined,
    slave: undefined,
    masterAddress: `127.0.0.1:${masterConfig.listenPort}`,
    slaveAddress: `127.0.0.1:${slaveConfig.listenPort}`,
    async startMaster() {
      cluster.master = await start(masterConfig);
      return cluster.master;
    },
    async startSlave() {
      cluster.slave = await start(slaveConfig);
      return cluster.slave;
    },
    async stopMaster() {
      await cluster.master?.close('test');
      cluster.master = undefined;
    },
    async stopSlave() {
      await cluster.slave?.close('test');
      cluster.slave = undefined;
    },
    async stop() {
      await cluster.client.close();
      await cluster.stopSlave();
      await cluster.stopMaster();
      await nameServer.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await cluster.startMaster();
  if (options.withSlave !== false) await cluster.startSlave();
  return cluster;
}
