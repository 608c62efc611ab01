// The cluster table with each broker's runtime figures (mqadmin clusterList), and one broker's
// runtime KV table (mqadmin brokerStatus).

import { decodeKVTable } from '../../protocol/bodies/simple-bodies';
import { RequestCode } from '../../protocol/remoting/request-code';
import { askSuccess, type AdminRequester } from './admin-requester';
import { findBroker, readClusterInfo } from './cluster-view';

export interface ClusterMember {
  readonly cluster: string;
  readonly brokerName: string;
  /** 0 = master. */
  readonly brokerId: number;
  readonly address: string;
  /** GET_BROKER_RUNTIME_INFO's table; empty when the broker did not answer (see `error`). */
  readonly runtime: ReadonlyMap<string, string>;
  /** Why the runtime table is missing: one unreachable broker must not hide the others. */
  readonly error?: string;
}

/** Every registered broker (slaves too), by cluster, broker name and id. */
export async function clusterList(requester: AdminRequester): Promise<ClusterMember[]> {
  const info = await readClusterInfo(requester);
  const members: ClusterMember[] = [];
  for (const [brokerName, data] of info.brokerAddrTable) {
    for (const [brokerId, address] of data.brokerAddrs) {
      try {
        const runtime = await brokerRuntime(requester, address);
        members.push({ cluster: data.cluster, brokerName, brokerId, address, runtime });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        members.push({
          cluster: data.cluster,
          brokerName,
          brokerId,
          address,
          runtime: new Map(),
          error: message,
        });
      }
    }
  }
  return members.sort(
    (a, b) =>
      a.cluster.localeCompare(b.cluster) ||
      a.brokerName.localeCompare(b.brokerName) ||
      a.brokerId - b.brokerId,
  );
}

export interface BrokerStatus {
  readonly brokerName: string;
  readonly address: string;
  /** Sorted by key. */
  readonly runtime: ReadonlyMap<string, string>;
}

/** The runtime table of the broker named or at `broker` (`host:port`). */
export async function brokerStatus(requester: AdminRequester, broker: string): Promise<BrokerStatus> {
  const master = findBroker(await readClusterInfo(requester), broker);
  const runtime = await brokerRuntime(requester, master.address);
  return { brokerName: master.brokerName, address: master.address, runtime };
}

async function brokerRuntime(requester: AdminRequester, address: string): Promise<Map<string, string>> {
  const response = await askSuccess(requester, address, { code: RequestCode.GET_BROKER_RUNTIME_INFO });
  return new Map([...decodeKVTable(response.body).table].sort(([a], [b]) => a.localeCompare(b)));
}
