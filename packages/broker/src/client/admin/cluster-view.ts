// What the name servers know, read fresh for every admin operation: the cluster table, the route of
// a topic, and the broker addresses an operation is aimed at (by cluster, broker name or address).

import { decodeClusterInfo, type ClusterInfo } from '../../protocol/bodies/cluster-info';
import { decodeTopicRouteData, type TopicRouteData } from '../../protocol/bodies/topic-route-data';
import { GetRouteInfoRequestHeader } from '../../protocol/headers/namesrv-headers';
import { RequestCode } from '../../protocol/remoting/request-code';
import { ResponseCode } from '../../protocol/remoting/response-code';
import { AdminError, AdminErrorCodes } from './admin-errors';
import { expectCode, type AdminRequester } from './admin-requester';

/** A broker group's master: where writes and admin requests go. */
export interface MasterBroker {
  readonly cluster: string;
  readonly brokerName: string;
  readonly address: string;
}

const MASTER_ID = 0;

export async function readClusterInfo(requester: AdminRequester): Promise<ClusterInfo> {
  const answer = await requester.askNameServer({ code: RequestCode.GET_BROKER_CLUSTER_INFO });
  return decodeClusterInfo(expectCode(answer).body);
}

/** The route of `topic`; AdminError TOPIC_NOT_FOUND when no name server knows it. */
export async function readTopicRoute(requester: AdminRequester, topic: string): Promise<TopicRouteData> {
  const extFields = GetRouteInfoRequestHeader.encode({ topic, acceptStandardJsonOnly: undefined });
  const answer = await requester.askNameServer({ code: RequestCode.GET_ROUTEINFO_BY_TOPIC, extFields });
  if (answer.response.code === ResponseCode.TOPIC_NOT_EXIST) {
    throw new AdminError(
      AdminErrorCodes.TOPIC_NOT_FOUND,
      `no route for topic ${topic} on ${requester.nameServers.join(';')}`,
    );
  }
  return decodeTopicRouteData(expectCode(answer).body);
}

/** Masters of every broker group, or of `cluster`'s only; sorted by broker name. */
export function mastersOf(info: ClusterInfo, cluster?: string): MasterBroker[] {
  let names: readonly string[];
  if (cluster === undefined) {
    names = [...info.brokerAddrTable.keys()];
  } else {
    const members = info.clusterAddrTable.get(cluster);
    if (members === undefined) {
      const known = [...info.clusterAddrTable.keys()].join(', ') || '(none)';
      throw new AdminError(AdminErrorCodes.CLUSTER_NOT_FOUND, `no cluster ${cluster}; known: ${known}`);
    }
    names = members;
  }
  const masters: MasterBroker[] = [];
  for (const name of names) {
    const data = info.brokerAddrTable.get(name);
    const address = data?.brokerAddrs.get(MASTER_ID);
    if (data !== undefined && address !== undefined)
      masters.push({ cluster: data.cluster, brokerName: name, address });
  }
  return masters.sort((a, b) => a.brokerName.localeCompare(b.brokerName));
}

/**
 * The master named `nameOrAddress`, or the broker at that `host:port` (mqadmin's -b is an
 * address; Keel also takes a broker name, which is easier to type).
 */
export function findBroker(info: ClusterInfo, nameOrAddress: string): MasterBroker {
  for (const [brokerName, data] of info.brokerAddrTable) {
    if (brokerName === nameOrAddress) {
      const address = data.brokerAddrs.get(MASTER_ID);
      if (address !== undefined) return { cluster: data.cluster, brokerName, address };
    }
    for (const address of data.brokerAddrs.values()) {
      if (address === nameOrAddress) return { cluster: data.cluster, brokerName, address };
    }
  }
  const known = [...info.brokerAddrTable.keys()].join(', ') || '(none)';
  throw new AdminError(
    AdminErrorCodes.BROKER_NOT_FOUND,
    `no broker named or at ${nameOrAddress}; known brokers: ${known}`,
  );
}

/** Masters of the broker groups in `route` that have queues of the topic; sorted by broker name. */
export function routeMasters(route: TopicRouteData): MasterBroker[] {
  const withQueues = new Set(route.queueDatas.map((queue) => queue.brokerName));
  const masters: MasterBroker[] = [];
  for (const data of route.brokerDatas) {
    const address = data.brokerAddrs.get(MASTER_ID);
    if (address !== undefined && withQueues.has(data.brokerName))
      masters.push({ cluster: data.cluster, brokerName: data.brokerName, address });
  }
  return masters.sort((a, b) => a.brokerName.localeCompare(b.brokerName));
}

export interface RoutedQueue {
  readonly topic: string;
  readonly brokerName: string;
  readonly queueId: number;
  /** The master's address. */
  readonly address: string;
}

/** Every read queue of the topic on a broker with a master, by broker name then queue id. */
export function routeReadQueues(topic: string, route: TopicRouteData): RoutedQueue[] {
  const queues: RoutedQueue[] = [];
  for (const master of routeMasters(route)) {
    for (const data of route.queueDatas.filter((queue) => queue.brokerName === master.brokerName)) {
      for (let queueId = 0; queueId < data.readQueueNums; queueId++)
        queues.push({ topic, brokerName: master.brokerName, queueId, address: master.address });
    }
  }
  return queues;
}
