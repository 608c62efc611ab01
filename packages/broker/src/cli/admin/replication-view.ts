// A broker's role and replication lag as `keel admin clusterList` shows them, from the runtime
// tables of the group's brokers (GET_BROKER_RUNTIME_INFO, server/ha/ha-runtime-info.ts). Pure.
//
//   master   its role (ASYNC_MASTER / SYNC_MASTER) and slaveFallBehindMuch: bytes its best slave
//            has not acknowledged; "no slave" when none is connected
//   slave    SLAVE, and how many bytes it is behind its master's log end; "master down" when the
//            master is not listed or did not answer, "link down" when the slave is not connected

import type { ClusterMember } from '../../client/admin/cluster-admin';

export interface ReplicationView {
  readonly role: string;
  readonly lag: string;
}

export function replicationView(member: ClusterMember, members: readonly ClusterMember[]): ReplicationView {
  const { runtime } = member;
  if (member.error !== undefined) return { role: member.brokerId === 0 ? 'master' : 'slave', lag: '-' };
  const role = runtime.get('keelHaRole') ?? (member.brokerId === 0 ? 'MASTER' : 'SLAVE');
  if (member.brokerId === 0) {
    const behind = runtime.get('slaveFallBehindMuch');
    return { role, lag: behind === undefined ? 'no slave' : `${behind} B` };
  }
  const master = members.find(
    (m) => m.cluster === member.cluster && m.brokerName === member.brokerName && m.brokerId === 0,
  );
  const masterEnd = Number(master?.runtime.get('commitLogMaxOffset'));
  if (master === undefined || master.error !== undefined || !Number.isFinite(masterEnd)) {
    return { role, lag: 'master down' };
  }
  if (runtime.get('keelHaMasterConnected') === 'false') return { role, lag: 'link down' };
  const replicated = Number(runtime.get('keelHaReplicatedOffset') ?? runtime.get('commitLogMaxOffset'));
  return { role, lag: Number.isFinite(replicated) ? `${Math.max(0, masterEnd - replicated)} B` : '-' };
}
