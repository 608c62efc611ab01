// ClusterInfo: the body of a GET_BROKER_CLUSTER_INFO response (fact sheet §2.2), always in
// fastjson's legacy form (bare numeric brokerAddrs keys, even from a 4.9.8 name server):
//
//   {"brokerAddrTable":{"broker-a":{"brokerAddrs":{0:"10.0.0.5:10911"},"brokerName":"broker-a",
//     "cluster":"DefaultCluster"}},"clusterAddrTable":{"DefaultCluster":["broker-a"]}}

import { writeFastjsonBytes } from '../../common/json/fastjson-writer';
import { mapField, parseBody } from './body-value';
import { brokerDataJson, readBrokerData, readStringList, type BrokerData } from './topic-route-data';

export interface ClusterInfo {
  /** brokerName → its addresses. */
  readonly brokerAddrTable: ReadonlyMap<string, BrokerData>;
  /** cluster name → broker names (a Java Set). */
  readonly clusterAddrTable: ReadonlyMap<string, readonly string[]>;
}

export function encodeClusterInfo(info: ClusterInfo): Buffer {
  return writeFastjsonBytes({
    brokerAddrTable: new Map([...info.brokerAddrTable].map(([name, data]) => [name, brokerDataJson(data)])),
    clusterAddrTable: info.clusterAddrTable,
  });
}

export function decodeClusterInfo(bytes: Uint8Array): ClusterInfo {
  const root = parseBody('ClusterInfo', bytes);
  return {
    brokerAddrTable: mapField(root, 'brokerAddrTable', readBrokerData),
    clusterAddrTable: mapField(root, 'clusterAddrTable', readStringList),
  };
}
