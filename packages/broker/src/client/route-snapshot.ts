// Pure helpers over routes: whether two routes differ (to fire route-change events only on real
// changes), and where a broker group's master listens.

import type { TopicRouteData } from '../protocol/bodies/topic-route-data';

export const MASTER_BROKER_ID = 0;

/**
 * A text that is equal for equal routes, whatever order the name server listed brokers and queues
 * in (its maps have no stable order across restarts).
 */
export function routeFingerprint(route: TopicRouteData | undefined): string {
  if (route === undefined) return '';
  const queues = [...route.queueDatas]
    .map((q) => `${q.brokerName}/${q.readQueueNums}/${q.writeQueueNums}/${q.perm}/${q.topicSysFlag}`)
    .sort();
  const brokers = [...route.brokerDatas]
    .map((b) => {
      const addrs = [...b.brokerAddrs.entries()].sort(([x], [y]) => x - y).map(([id, a]) => `${id}=${a}`);
      return `${b.cluster}/${b.brokerName}/${addrs.join(',')}`;
    })
    .sort();
  return `${queues.join(';')}|${brokers.join(';')}|${route.orderTopicConf ?? ''}`;
}

/** The master address of `brokerName` in any of `routes`, or undefined when none lists one. */
export function findMasterAddress(routes: Iterable<TopicRouteData>, brokerName: string): string | undefined {
  for (const route of routes) {
    for (const broker of route.brokerDatas) {
      if (broker.brokerName !== brokerName) continue;
      const address = broker.brokerAddrs.get(MASTER_BROKER_ID);
      if (address !== undefined) return address;
    }
  }
  return undefined;
}

/** Every broker address of `routes`, masters first; `mastersOnly` leaves slaves out. */
export function brokerAddressesOf(routes: Iterable<TopicRouteData>, mastersOnly: boolean): string[] {
  const masters = new Set<string>();
  const slaves = new Set<string>();
  for (const route of routes) {
    for (const broker of route.brokerDatas) {
      for (const [id, address] of broker.brokerAddrs) {
        if (id === MASTER_BROKER_ID) masters.add(address);
        else if (!mastersOnly) slaves.add(address);
      }
    }
  }
  return [...masters, ...[...slaves].filter((a) => !masters.has(a))];
}

export interface FoundBroker {
  readonly address: string;
  readonly brokerId: number;
}

/**
 * Where a request meant for broker `brokerId` of group `brokerName` goes (RocketMQ's
 * findBrokerAddressInSubscribe): that broker; for a slave id missing from the route, the next id;
 * otherwise, unless `onlyThisBroker`, the group's lowest id, which is its master while it has one
 * (consumers fall back to a slave when the master is gone). The first route that lists the group
 * decides: callers put the route of the topic at hand first, the freshest for it.
 */
export function findBrokerAddress(
  routes: Iterable<TopicRouteData>,
  brokerName: string,
  brokerId: number,
  onlyThisBroker: boolean,
): FoundBroker | undefined {
  for (const route of routes) {
    const broker = route.brokerDatas.find((b) => b.brokerName === brokerName && b.brokerAddrs.size > 0);
    if (broker === undefined) continue;
    const addrs = broker.brokerAddrs;
    const exact = addrs.get(brokerId);
    if (exact !== undefined) return { address: exact, brokerId };
    if (brokerId !== MASTER_BROKER_ID) {
      const next = addrs.get(brokerId + 1);
      if (next !== undefined) return { address: next, brokerId: brokerId + 1 };
    }
    if (onlyThisBroker) return undefined;
    const lowest = Math.min(...addrs.keys());
    return { address: addrs.get(lowest)!, brokerId: lowest };
  }
  return undefined;
}
