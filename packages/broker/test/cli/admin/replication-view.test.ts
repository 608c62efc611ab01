// clusterList's Role and Lag columns from the brokers' runtime tables.

import type { ClusterMember } from '../../../src/client/admin/cluster-admin';
import { replicationView } from '../../../src/cli/admin/replication-view';

function member(brokerId: number, runtime: Record<string, string>, error?: string): ClusterMember {
  return {
    cluster: 'c',
    brokerName: 'b',
    brokerId,
    address: `10.0.0.${brokerId}:10911`,
    runtime: new Map(Object.entries(runtime)),
    ...(error === undefined ? {} : { error }),
  };
}

describe('replicationView', () => {
  const master = member(0, {
    keelHaRole: 'SYNC_MASTER',
    commitLogMaxOffset: '5000',
    slaveFallBehindMuch: '120',
  });

  it('shows a master role and what its slave has not acknowledged', () => {
    expect(replicationView(master, [master])).toEqual({ role: 'SYNC_MASTER', lag: '120 B' });
    const alone = member(0, { keelHaRole: 'ASYNC_MASTER', commitLogMaxOffset: '10' });
    expect(replicationView(alone, [alone])).toEqual({ role: 'ASYNC_MASTER', lag: 'no slave' });
  });

  it("shows a slave's distance to its master's log end, or why there is none", () => {
    const slave = member(1, {
      keelHaRole: 'SLAVE',
      keelHaMasterConnected: 'true',
      keelHaReplicatedOffset: '4000',
    });
    expect(replicationView(slave, [master, slave])).toEqual({ role: 'SLAVE', lag: '1000 B' });
    expect(replicationView(slave, [slave])).toEqual({ role: 'SLAVE', lag: 'master down' });
    const cut = member(1, {
      keelHaRole: 'SLAVE',
      keelHaMasterConnected: 'false',
      keelHaReplicatedOffset: '4000',
    });
    expect(replicationView(cut, [master, cut])).toEqual({ role: 'SLAVE', lag: 'link down' });
    expect(replicationView(member(1, {}, 'unreachable'), [master])).toEqual({ role: 'slave', lag: '-' });
  });
});
