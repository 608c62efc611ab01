// A name server and any number of brokers (each its own brokerName, directory and port) on
// loopback, for client integration tests. Brokers can be stopped and added while a test runs.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { systemClock } from '../../src/common/clock';
import { silentLogger } from '../../src/common/logger';
import { parseProperties } from '../../src/common/properties-file';
import { NameServer } from '../../src/namesrv/name-server';
import { Broker } from '../../src/server/broker';
import { resolveBrokerConfig, type BrokerConfigOverrides } from '../../src/server/broker-config';
import { NodeDisk } from '../../src/store/disk/node-disk';
import { findFreeBrokerPort } from '../../src/testing/servers';

export interface ClientTestCluster {
  readonly nameServer: NameServer;
  readonly brokers: Map<string, Broker>;
  readonly dir: string;
  startBroker(brokerName: string, overrides?: BrokerConfigOverrides): Promise<Broker>;
  stopBroker(brokerName: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startClientCluster(
  brokerNames: readonly string[] = ['broker-a'],
): Promise<ClientTestCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'keel-client-'));
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
  const brokers = new Map<string, Broker>();
  const cluster: ClientTestCluster = {
    nameServer,
    brokers,
    dir,
    async startBroker(brokerName, overrides = {}) {
      const config = resolveBrokerConfig(parseProperties(''), {
        brokerName,
        brokerIP1: '127.0.0.1',
        listenPort: await findFreeBrokerPort(),
        namesrvAddr: nameServer.address,
        storePathRootDir: join(dir, brokerName),
        mappedFileSizeCommitLog: 8 * 1024 * 1024,
        mappedFileSizeConsumeQueue: 20 * 10_000,
        ...overrides,
      });
      const broker = await Broker.start({
        config,
        log: silentLogger,
        clock: systemClock,
        disk: new NodeDisk(),
        bindAddress: '127.0.0.1',
      });
      brokers.set(brokerName, broker);
      return broker;
    },
    async stopBroker(brokerName) {
      const broker = brokers.get(brokerName);
      brokers.delete(brokerName);
      await broker?.close('test stops it');
    },
    async stop() {
      for (const name of [...brokers.keys()]) await cluster.stopBroker(name);
      await nameServer.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  for (const name of brokerNames) await cluster.startBroker(name);
  return cluster;
}
