// keel_replication_lag_bytes from the HA service's status.

import { replicationLagBytes } from '../../../src/server/metrics/broker-metrics';
import type { ReplicationStatus } from '../../../src/server/ha/replication';

type MasterStatus = Extract<ReplicationStatus, { role: 'SYNC_MASTER' | 'ASYNC_MASTER' }>;
type SlaveStatus = Extract<ReplicationStatus, { role: 'SLAVE' }>;
type Link = NonNullable<SlaveStatus['link']>;

const master = (slaves: number, slaveAckOffset: number, commitLogMaxOffset: number): MasterStatus => ({
  role: 'SYNC_MASTER',
  listening: true,
  slaves: Array.from({ length: slaves }, () => ({}) as MasterStatus['slaves'][number]),
  slaveAckOffset,
  commitLogMaxOffset,
});

const slave = (masterOffset: number, replicatedOffset: number): SlaveStatus => ({
  role: 'SLAVE',
  link: { masterOffset, replicatedOffset } as Link,
  sync: undefined,
});

describe('replicationLagBytes', () => {
  it("is a master's log end minus its best slave's acknowledged offset", () => {
    expect(replicationLagBytes(master(1, 700, 1000))).toBe(300);
    expect(replicationLagBytes(master(2, 1000, 1000))).toBe(0);
  });

  it("is a slave's distance behind the offset its master last reported", () => {
    expect(replicationLagBytes(slave(5000, 4200))).toBe(800);
  });

  it('is unknown without a slave, before any acknowledgement, or before the master is heard from', () => {
    expect(replicationLagBytes(master(0, -1, 1000))).toBeUndefined();
    expect(replicationLagBytes(master(1, -1, 1000))).toBeUndefined();
    expect(replicationLagBytes(slave(-1, 0))).toBeUndefined();
    expect(replicationLagBytes({ role: 'SLAVE', link: undefined, sync: undefined })).toBeUndefined();
  });
});
