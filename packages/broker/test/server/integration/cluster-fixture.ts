// A name server and a broker on loopback with a real disk in a temp directory, plus a raw
// remoting client: what the broker integration tests talk to.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { systemClock } from '../../../src/common/clock';
import { silentLogger } from '../../../src/common/logger';
import { parseProperties } from '../../../src/common/properties-file';
import { NameServer } from '../../../src/namesrv/name-server';
import { Broker } from '../../../src/server/broker';
import {
  resolveBrokerConfig,
  type BrokerConfig,
  type BrokerConfigOverrides,
} from '../../../src/server/broker-config';
import { NodeDisk } from '../../../src/store/disk/node-disk';
import { findFreeBrokerPort } from '../../../src/testing/servers';
import { RemotingClient } from '../../../src/transport/remoting-client';

export interface TestCluster {
  readonly nameServer: NameServer;
  broker: Broker;
  readonly client: RemotingClient;
  readonly dir: string;
  readonly config: BrokerConfig;
  /** Closes the broker and starts it again on the same directory and port. */
  restartBroker(): Promise<void>;
  stop(): Promise<void>;
}

export async function startCluster(overrides: BrokerConfigOverrides = {}): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'keel-broker-'));
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
  const config = resolveBrokerConfig(parseProperties(''), {
    brokerName: 'broker-a',
    brokerIP1: '127.0.0.1',
    listenPort: await findFreeBrokerPort(),
    namesrvAddr: nameServer.address,
    storePathRootDir: join(dir, 'store'),
    mappedFileSizeCommitLog: 8 * 1024 * 1024,
    mappedFileSizeConsumeQueue: 20 * 1000,
    ...overrides,
  });
  const start = () =>
    Broker.start({
      config,
      log: silentLogger,
      clock: systemClock,
      disk: new NodeDisk(),
      bindAddress: '127.0.0.1',
    });
  const client = new RemotingClient({ clock: systemClock });
  const cluster: TestCluster = {
    nameServer,
    broker: await start(),
    client,
    dir,
    config,
    async restartBroker() {
      await cluster.broker.close('test restart');
      cluster.broker = await start();
    },
    async stop() {
      await client.close();
      await cluster.broker.close('test over');
      await nameServer.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return cluster;
}
