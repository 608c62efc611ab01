// Replication's keys in GET_BROKER_RUNTIME_INFO. RocketMQ 4.x only logs how far the slave falls
// behind (slaveFallBehindMuch, every minute); Keel reports it under that name on a master with a
// connected slave, plus keelHa* keys that `keel admin clusterList` shows as role and lag. Absent
// rather than made up: slaveFallBehindMuch with no slave connected, offsets not known yet.

import type { ReplicationStatus } from './replication';

export function haRuntimeInfo(status: ReplicationStatus): Array<[string, string]> {
  if (status.role === 'SLAVE') {
    const entries: Array<[string, string]> = [['keelHaRole', 'SLAVE']];
    const { link, sync } = status;
    if (link !== undefined) {
      if (link.masterHaAddress !== undefined) entries.push(['keelHaMasterAddress', link.masterHaAddress]);
      entries.push(['keelHaMasterConnected', String(link.connected)]);
      entries.push(['keelHaReplicatedOffset', String(link.replicatedOffset)]);
      if (link.masterOffset >= 0) entries.push(['keelHaMasterOffset', String(link.masterOffset)]);
      if (link.lastProblem !== undefined) entries.push(['keelHaProblem', link.lastProblem]);
    }
    if (sync?.lastSyncMs !== undefined) entries.push(['keelHaLastMetadataSync', String(sync.lastSyncMs)]);
    if (sync?.lastProblem !== undefined) entries.push(['keelHaMetadataSyncProblem', sync.lastProblem]);
    return entries;
  }
  const entries: Array<[string, string]> = [
    ['keelHaRole', status.role],
    ['keelHaSlaveCount', String(status.slaves.length)],
  ];
  if (status.slaves.length > 0 && status.slaveAckOffset >= 0) {
    entries.push(['keelHaSlaveAckOffset', String(status.slaveAckOffset)]);
    entries.push([
      'slaveFallBehindMuch',
      String(Math.max(0, status.commitLogMaxOffset - status.slaveAckOffset)),
    ]);
  }
  return entries;
}
