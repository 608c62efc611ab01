// The name server's view of the cluster uses the route bodies' own types (QueueData, BrokerData,
// TopicRouteData, ClusterInfo: RocketMQ's field names); this adds what only registration needs.

export type { BrokerData, QueueData, TopicRouteData } from '../protocol/bodies/topic-route-data';
export type { ClusterInfo } from '../protocol/bodies/cluster-info';

/** The topic part of a broker's registration. */
export interface RegisteredTopic {
  readonly topicName: string;
  readonly readQueueNums: number;
  readonly writeQueueNums: number;
  readonly perm: number;
  readonly topicSysFlag: number;
}
