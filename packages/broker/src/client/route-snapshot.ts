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
