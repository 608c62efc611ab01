// The name server's view of the cluster, with RocketMQ's field names (they are also the JSON
// names of the route bodies): QueueData per broker name and topic, BrokerData per broker name.

/** One broker group's queues of one topic ([C]route/QueueData.java). */
export interface QueueData {
  readonly brokerName: string;
  readonly readQueueNums: number;
  readonly writeQueueNums: number;
  readonly perm: number;
  readonly topicSysFlag: number;
}

/** One broker group: its master (id 0) and slaves ([C]route/BrokerData.java). */
export interface BrokerData {
  readonly cluster: string;
  readonly brokerName: string;
  /** brokerId → `ip:port`. */
  readonly brokerAddrs: ReadonlyMap<number, string>;
}

/** GET_ROUTEINFO_BY_TOPIC's answer ([C]route/TopicRouteData.java). */
export interface TopicRoute {
  readonly orderTopicConf?: string;
  readonly queueDatas: readonly QueueData[];
  readonly brokerDatas: readonly BrokerData[];
  /** brokerAddr → filter server addresses; only brokers that have any. */
  readonly filterServerTable: ReadonlyMap<string, readonly string[]>;
}

/** GET_BROKER_CLUSTER_INFO's answer ([C]body/ClusterInfo.java). */
export interface ClusterInfo {
  readonly brokerAddrTable: ReadonlyMap<string, BrokerData>;
  readonly clusterAddrTable: ReadonlyMap<string, readonly string[]>;
}

/** The topic part of a broker's registration. */
export interface RegisteredTopic {
  readonly topicName: string;
  readonly readQueueNums: number;
  readonly writeQueueNums: number;
  readonly perm: number;
  readonly topicSysFlag: number;
}
