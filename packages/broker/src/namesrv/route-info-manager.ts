// The name server's tables ([N]routeinfo/RouteInfoManager.java), as pure logic over an injected
// time: which brokers are alive, which broker groups serve which topic. The name server process
// wraps it with the remoting processor and the expiry scan.
//
// Rules kept from RocketMQ:
// - topic queue data is rebuilt only from a *master's* registration (brokerId 0), and only when
//   its data version changed (or on its first registration): slaves refresh liveness only;
// - a broker expires 120 s after its last registration, or at once when its connection closes;
// - when a broker group loses its last address, its queue data leaves every topic, and topics
//   served by no broker group are removed.
// Unlike RocketMQ there is no lock: the event loop runs one request at a time.

import type { DataVersion } from '../store/metadata/data-version';
import { sameDataVersion } from '../store/metadata/data-version';
import type { BrokerData, ClusterInfo, QueueData, RegisteredTopic, TopicRouteData } from './route-types';

export const MASTER_ID = 0;
/** PermName.PERM_WRITE. */
const PERM_WRITE = 2;

export interface BrokerRegistration {
  readonly clusterName: string;
  readonly brokerAddr: string;
  readonly brokerName: string;
  readonly brokerId: number;
  readonly haServerAddr: string;
  readonly dataVersion: DataVersion;
  readonly topics: readonly RegisteredTopic[];
  readonly filterServerList: readonly string[];
  /** The connection the registration came on; its close expires the broker at once. */
  readonly connectionId: number | undefined;
}

export interface RegistrationResult {
  /** For a slave: its master's address, when the master is registered. */
  readonly masterAddr: string | undefined;
  /** For a slave: the master's HA address (where to replicate from). */
  readonly haServerAddr: string | undefined;
}

interface LiveBroker {
  lastUpdateMs: number;
  dataVersion: DataVersion;
  readonly haServerAddr: string;
  readonly connectionId: number | undefined;
}

interface MutableBrokerData {
  cluster: string;
  readonly brokerName: string;
  readonly brokerAddrs: Map<number, string>;
}

export interface ExpiredBroker {
  readonly brokerAddr: string;
  readonly brokerName: string | undefined;
  readonly reason: string;
}

export class RouteInfoManager {
  /** topic → brokerName → queue data. */
  readonly #topicQueues = new Map<string, Map<string, QueueData>>();
  readonly #brokers = new Map<string, MutableBrokerData>();
  readonly #clusters = new Map<string, Set<string>>();
  readonly #live = new Map<string, LiveBroker>();
  readonly #filterServers = new Map<string, readonly string[]>();

  register(registration: BrokerRegistration, nowMs: number): RegistrationResult {
    const { clusterName, brokerName, brokerAddr, brokerId } = registration;
    let names = this.#clusters.get(clusterName);
    if (names === undefined) this.#clusters.set(clusterName, (names = new Set()));
    names.add(brokerName);

    let broker = this.#brokers.get(brokerName);
    const firstOfGroup = broker === undefined;
    if (broker === undefined) {
      broker = { cluster: clusterName, brokerName, brokerAddrs: new Map() };
      this.#brokers.set(brokerName, broker);
    }
    broker.cluster = clusterName;
    // An address that re-registers under another id (a slave promoted by hand) replaces its old id.
    for (const [id, addr] of broker.brokerAddrs) {
      if (addr === brokerAddr && id !== brokerId) broker.brokerAddrs.delete(id);
    }
    const previousAddr = broker.brokerAddrs.get(brokerId);
    broker.brokerAddrs.set(brokerId, brokerAddr);

    const previous = this.#live.get(brokerAddr);
    const changed =
      firstOfGroup ||
      previousAddr !== brokerAddr ||
      previous === undefined ||
      !sameDataVersion(previous.dataVersion, registration.dataVersion);
    if (brokerId === MASTER_ID && changed) {
      this.#replaceQueueData(brokerName, registration.topics);
    }
    this.#live.set(brokerAddr, {
      lastUpdateMs: nowMs,
      dataVersion: registration.dataVersion,
      haServerAddr: registration.haServerAddr,
      connectionId: registration.connectionId,
    });
    if (registration.filterServerList.length > 0)
      this.#filterServers.set(brokerAddr, registration.filterServerList);
    else this.#filterServers.delete(brokerAddr);

    if (brokerId === MASTER_ID) return { masterAddr: undefined, haServerAddr: undefined };
    const masterAddr = broker.brokerAddrs.get(MASTER_ID);
    const master = masterAddr === undefined ? undefined : this.#live.get(masterAddr);
    return master === undefined
      ? { masterAddr: undefined, haServerAddr: undefined }
      : { masterAddr, haServerAddr: master.haServerAddr };
  }

  /** Whether `dataVersion` differs from what `brokerAddr` last registered (QUERY_DATA_VERSION);
   * also counts as a sign of life, as in RocketMQ. */
  isDataVersionChanged(brokerAddr: string, dataVersion: DataVersion, nowMs: number): boolean {
    const live = this.#live.get(brokerAddr);
    if (live === undefined) return true;
    live.lastUpdateMs = nowMs;
    return !sameDataVersion(live.dataVersion, dataVersion);
  }

  unregister(brokerAddr: string, brokerName: string, brokerId: number): void {
    this.#live.delete(brokerAddr);
    this.#filterServers.delete(brokerAddr);
    const broker = this.#brokers.get(brokerName);
    if (broker !== undefined && broker.brokerAddrs.get(brokerId) === brokerAddr)
      broker.brokerAddrs.delete(brokerId);
    this.#dropGroupIfEmpty(brokerName);
  }

  /** Brokers whose last registration is older than `expiryMs` are removed (and returned). */
  expireInactive(nowMs: number, expiryMs: number): ExpiredBroker[] {
    const expired: ExpiredBroker[] = [];
    for (const [brokerAddr, live] of this.#live) {
      if (nowMs - live.lastUpdateMs > expiryMs) {
        expired.push(
          this.#remove(brokerAddr, `no registration for ${Math.round((nowMs - live.lastUpdateMs) / 1000)} s`),
        );
      }
    }
    return expired;
  }

  /** Removes every broker that registered over the closed connection. */
  connectionClosed(connectionId: number): ExpiredBroker[] {
    const gone: ExpiredBroker[] = [];
    for (const [brokerAddr, live] of this.#live) {
      if (live.connectionId === connectionId) gone.push(this.#remove(brokerAddr, 'its connection closed'));
    }
    return gone;
  }

  route(topic: string, orderTopicConf?: string): TopicRouteData | undefined {
    const queues = this.#topicQueues.get(topic);
    if (queues === undefined || queues.size === 0) return undefined;
    const queueDatas = [...queues.values()];
    const brokerDatas: BrokerData[] = [];
    const filterServerTable = new Map<string, readonly string[]>();
    for (const queue of queueDatas) {
      const broker = this.#brokers.get(queue.brokerName);
      if (broker === undefined) continue;
      brokerDatas.push(snapshot(broker));
      for (const addr of broker.brokerAddrs.values()) {
        const filters = this.#filterServers.get(addr);
        if (filters !== undefined) filterServerTable.set(addr, filters);
      }
    }
    if (brokerDatas.length === 0) return undefined;
    return {
      ...(orderTopicConf === undefined ? {} : { orderTopicConf }),
      queueDatas,
      brokerDatas,
      filterServerTable,
    };
  }

  clusterInfo(): ClusterInfo {
    const brokerAddrTable = new Map<string, BrokerData>();
    for (const [name, broker] of this.#brokers) brokerAddrTable.set(name, snapshot(broker));
    const clusterAddrTable = new Map<string, readonly string[]>();
    for (const [cluster, names] of this.#clusters) clusterAddrTable.set(cluster, [...names]);
    return { brokerAddrTable, clusterAddrTable };
  }

  topics(): string[] {
    return [...this.#topicQueues.keys()];
  }

  /** DELETE_TOPIC_IN_NAMESRV: forgets the topic's route until a broker registers it again. */
  deleteTopic(topic: string): boolean {
    return this.#topicQueues.delete(topic);
  }

  /** Clears (wipe) or sets PERM_WRITE on every queue of `brokerName`; returns how many topics. */
  setWritePermission(brokerName: string, writable: boolean): number {
    let count = 0;
    for (const queues of this.#topicQueues.values()) {
      const queue = queues.get(brokerName);
      if (queue === undefined) continue;
      queues.set(brokerName, {
        ...queue,
        perm: writable ? queue.perm | PERM_WRITE : queue.perm & ~PERM_WRITE,
      });
      count++;
    }
    return count;
  }

  isLive(brokerAddr: string): boolean {
    return this.#live.has(brokerAddr);
  }

  #replaceQueueData(brokerName: string, topics: readonly RegisteredTopic[]): void {
    const registered = new Set<string>();
    for (const topic of topics) {
      registered.add(topic.topicName);
      let queues = this.#topicQueues.get(topic.topicName);
      if (queues === undefined) this.#topicQueues.set(topic.topicName, (queues = new Map()));
      queues.set(brokerName, {
        brokerName,
        readQueueNums: topic.readQueueNums,
        writeQueueNums: topic.writeQueueNums,
        perm: topic.perm,
        topicSysFlag: topic.topicSysFlag,
      });
    }
    // A topic the master no longer reports (deleted on the broker) leaves its route.
    for (const [topic, queues] of this.#topicQueues) {
      if (!registered.has(topic) && queues.delete(brokerName) && queues.size === 0)
        this.#topicQueues.delete(topic);
    }
  }

  #remove(brokerAddr: string, reason: string): ExpiredBroker {
    this.#live.delete(brokerAddr);
    this.#filterServers.delete(brokerAddr);
    let brokerName: string | undefined;
    for (const broker of this.#brokers.values()) {
      for (const [id, addr] of broker.brokerAddrs) {
        if (addr === brokerAddr) {
          broker.brokerAddrs.delete(id);
          brokerName = broker.brokerName;
        }
      }
    }
    if (brokerName !== undefined) this.#dropGroupIfEmpty(brokerName);
    return { brokerAddr, brokerName, reason };
  }

  #dropGroupIfEmpty(brokerName: string): void {
    const broker = this.#brokers.get(brokerName);
    if (broker === undefined || broker.brokerAddrs.size > 0) return;
    this.#brokers.delete(brokerName);
    const names = this.#clusters.get(broker.cluster);
    names?.delete(brokerName);
    if (names?.size === 0) this.#clusters.delete(broker.cluster);
    for (const [topic, queues] of this.#topicQueues) {
      if (queues.delete(brokerName) && queues.size === 0) this.#topicQueues.delete(topic);
    }
  }
}

function snapshot(broker: MutableBrokerData): BrokerData {
  return { cluster: broker.cluster, brokerName: broker.brokerName, brokerAddrs: new Map(broker.brokerAddrs) };
}
