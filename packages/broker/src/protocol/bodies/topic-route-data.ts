// TopicRouteData: the body of a GET_ROUTEINFO_BY_TOPIC response (fact sheet §2.2).
//
//   {"brokerDatas":[{"brokerAddrs":{0:"10.0.0.5:10911",1:"10.0.0.6:10911"},"brokerName":"broker-a",
//     "cluster":"DefaultCluster"}],"filterServerTable":{},"orderTopicConf":"...",
//    "queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":4,"topicSysFlag":0,"writeQueueNums":4}]}
//
// Two spellings exist: the legacy fastjson form (bare numeric brokerAddrs keys, what every 4.x name
// server sends) and standard JSON (keys quoted, non-ASCII escaped), which a 4.9.4+ name server
// sends when the request's version is >= 401 or it set acceptStandardJsonOnly. Decoding accepts
// both, and QueueData's pre-4.9.0 key `topicSynFlag` as well as `topicSysFlag`.

import { writeFastjsonBytes, type FastjsonMode } from '../../common/json/fastjson-writer';
import { BodyValue, listField, mapField, parseBody } from './body-value';

export interface QueueData {
  readonly brokerName: string;
  readonly readQueueNums: number;
  readonly writeQueueNums: number;
  readonly perm: number;
  readonly topicSysFlag: number;
}

export interface BrokerData {
  readonly cluster: string;
  readonly brokerName: string;
  /** brokerId (0 = master) → ip:port. */
  readonly brokerAddrs: ReadonlyMap<number, string>;
}

export interface TopicRouteData {
  /** Only when the name server has orderMessageEnable. */
  readonly orderTopicConf?: string | undefined;
  readonly queueDatas: readonly QueueData[];
  readonly brokerDatas: readonly BrokerData[];
  /** brokerAddr → filter server addresses. */
  readonly filterServerTable: ReadonlyMap<string, readonly string[]>;
}

const BODY = 'TopicRouteData';

export function brokerDataJson(data: BrokerData) {
  return { brokerAddrs: data.brokerAddrs, brokerName: data.brokerName, cluster: data.cluster };
}

/** `mode` 'legacy' (default) is fastjson's form; 'standard' is for clients that asked for it. */
export function encodeTopicRouteData(route: TopicRouteData, mode: FastjsonMode = 'legacy'): Buffer {
  return writeFastjsonBytes(
    {
      brokerDatas: route.brokerDatas.map(brokerDataJson),
      filterServerTable: route.filterServerTable,
      orderTopicConf: route.orderTopicConf,
      queueDatas: route.queueDatas.map((queue) => ({
        brokerName: queue.brokerName,
        perm: queue.perm,
        readQueueNums: queue.readQueueNums,
        topicSysFlag: queue.topicSysFlag,
        writeQueueNums: queue.writeQueueNums,
      })),
    },
    { mode },
  );
}

export function decodeTopicRouteData(bytes: Uint8Array): TopicRouteData {
  const root = parseBody(BODY, bytes);
  return {
    orderTopicConf: root.field('orderTopicConf')?.string(),
    queueDatas: listField(root, 'queueDatas', readQueueData),
    brokerDatas: listField(root, 'brokerDatas', readBrokerData),
    filterServerTable: mapField(root, 'filterServerTable', readStringList),
  };
}

function readQueueData(value: BodyValue): QueueData {
  const sysFlag = value.field('topicSysFlag') ?? value.field('topicSynFlag');
  return {
    brokerName: value.required('brokerName').string(),
    readQueueNums: value.required('readQueueNums').int(),
    writeQueueNums: value.required('writeQueueNums').int(),
    perm: value.required('perm').int(),
    topicSysFlag: sysFlag?.int() ?? 0,
  };
}

export function readBrokerData(value: BodyValue): BrokerData {
  const brokerAddrs = new Map<number, string>();
  for (const [key, addr] of value.field('brokerAddrs')?.entries() ?? []) {
    const id = /^-?[0-9]+$/.test(key) ? Number(key) : Number.NaN;
    if (!Number.isSafeInteger(id)) throw addr.fail(`broker id ${JSON.stringify(key)} is not a long`);
    brokerAddrs.set(id, addr.string());
  }
  return {
    cluster: value.required('cluster').string(),
    brokerName: value.required('brokerName').string(),
    brokerAddrs,
  };
}

export function readStringList(value: BodyValue): string[] {
  return value.items().map((item) => item.string());
}
