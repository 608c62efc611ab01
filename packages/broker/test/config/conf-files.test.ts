// The cluster layouts shipped in conf/ (docs/operations.md): every file is a valid broker config,
// and each layout is consistent (one master per group, slaves of existing groups, no two brokers
// of one machine sharing a port range or a store).

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadBrokerConfigFile, type BrokerConfig } from '../../src/server/broker-config';

const CONF = join(__dirname, '..', '..', '..', '..', 'conf');
const HOST = { hostname: 'test-host', homeDir: '/home/test', firstExternalIPv4: '10.0.0.1' };

async function layout(name: string): Promise<BrokerConfig[]> {
  const dir = join(CONF, name);
  const files = readdirSync(dir).filter((file) => file.endsWith('.properties'));
  return Promise.all(files.map((file) => loadBrokerConfigFile(join(dir, file), { host: HOST })));
}

describe('conf/', () => {
  it('ships the four layouts', () => {
    expect(readdirSync(CONF).sort()).toEqual(['2m-2s-async', '2m-2s-sync', '2m-noslave', 'single']);
  });

  it.each([
    ['single', 1, 0, 'ASYNC_MASTER'],
    ['2m-noslave', 2, 0, 'ASYNC_MASTER'],
    ['2m-2s-async', 2, 2, 'ASYNC_MASTER'],
    ['2m-2s-sync', 2, 2, 'SYNC_MASTER'],
  ])('%s: %i masters, %i slaves, masters %s', async (name, masters, slaves, masterRole) => {
    const configs = await layout(name);
    const masterConfigs = configs.filter((c) => c.brokerId === 0);
    const slaveConfigs = configs.filter((c) => c.brokerId > 0);
    expect([masterConfigs.length, slaveConfigs.length]).toEqual([masters, slaves]);
    expect(new Set(masterConfigs.map((c) => c.brokerRole))).toEqual(new Set([masterRole]));
    expect(slaveConfigs.every((c) => c.brokerRole === 'SLAVE')).toBe(true);
    // Every slave belongs to a group that has a master; groups have one master each.
    const groups = masterConfigs.map((c) => c.brokerName);
    expect(new Set(groups).size).toBe(groups.length);
    for (const slave of slaveConfigs) expect(groups).toContain(slave.brokerName);
    // All of a layout can run on one machine: port ranges (VIP, main, HA) and stores do not collide.
    const ports = configs.flatMap((c) => [c.fastListenPort, c.listenPort, c.haListenPort]);
    expect(new Set(ports).size).toBe(ports.length);
    const stores = configs.map((c) => c.store.storePathRootDir);
    expect(new Set(stores).size).toBe(stores.length);
  });
});
