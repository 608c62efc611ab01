// The JSON the console's API answers with (packages/broker/src/console/api): written out here
// because the front end is built separately from the broker package.

export interface BrokerSummary {
  readonly cluster: string;
  readonly brokerName: string;
  readonly brokerId: number;
  readonly role: 'MASTER' | 'SLAVE';
  readonly address: string;
  readonly version: string | null;
  readonly bootTimestamp: number | null;
  readonly diskUsedRatio: number | null;
  readonly replicationLagBytes: number | null;
  readonly putTotal: number | null;
  readonly getTotal: number | null;
  readonly halfPending: number | null;
  readonly halfParked: number | null;
  readonly delayedPending: number | null;
  readonly timedPending: number | null;
  readonly error: string | null;
}

export interface Overview {
  readonly nameServers: readonly string[];
  readonly brokers: readonly BrokerSummary[];
}

export interface ThroughputSample {
  readonly atMs: number;
  readonly inPerSec: number;
  readonly outPerSec: number;
}

export interface Throughput {
  readonly intervalMs: number;
  readonly samples: readonly ThroughputSample[];
}

export type TopicKind = 'normal' | 'retry' | 'dlq' | 'system';

export interface TopicList {
  readonly topics: ReadonlyArray<{ readonly name: string; readonly kind: TopicKind }>;
}

export interface QueueStatus {
  readonly brokerName: string;
  readonly queueId: number;
  readonly minOffset: number;
  readonly maxOffset: number;
  readonly lastUpdateTimestamp: number;
}

export interface TopicDetail {
  readonly topic: string;
  readonly route: {
    readonly brokers: ReadonlyArray<{
      readonly brokerName: string;
      readonly cluster: string;
      readonly addresses: ReadonlyArray<{ readonly brokerId: number; readonly address: string }>;
    }>;
    readonly queues: ReadonlyArray<{
      readonly brokerName: string;
      readonly readQueueNums: number;
      readonly writeQueueNums: number;
      readonly perm: number;
    }>;
  };
  readonly queues: readonly QueueStatus[];
}

export interface SentMessage {
  readonly status: string;
  readonly msgId: string;
  readonly offsetMsgId: string;
  readonly brokerName: string;
  readonly queueId: number;
  readonly queueOffset: number;
}

export interface GroupSummary {
  readonly name: string;
  readonly totalLag: number;
  readonly members: number;
  readonly topics: readonly string[];
  readonly messageModel: string | null;
}

export interface QueueProgress {
  readonly topic: string;
  readonly brokerName: string;
  readonly queueId: number;
  readonly brokerOffset: number;
  readonly consumerOffset: number;
  readonly lag: number;
  readonly lastTimestamp: number;
}

export interface GroupDetail {
  readonly group: string;
  readonly totalLag: number;
  readonly queues: readonly QueueProgress[];
  readonly members: ReadonlyArray<{
    readonly clientId: string;
    readonly clientAddr: string;
    readonly language: string;
    readonly version: number;
    readonly brokerName: string;
  }>;
  readonly subscriptions: ReadonlyArray<{ readonly topic: string; readonly expression: string }>;
  readonly messageModel: string | null;
}

export interface OffsetResets {
  readonly resets: ReadonlyArray<{
    readonly brokerName: string;
    readonly queueId: number;
    readonly oldOffset?: number;
    readonly newOffset: number;
  }>;
}

export interface MessageSummary {
  readonly msgId: string;
  readonly offsetMsgId: string;
  readonly topic: string;
  readonly queueId: number;
  readonly queueOffset: number;
  readonly tags: string | null;
  readonly keys: readonly string[];
  readonly storeTimestamp: number;
  readonly bornTimestamp: number;
  readonly bodySize: number;
  readonly reconsumeTimes: number;
  readonly storeHost: string;
}

export interface MessageDetail extends MessageSummary {
  readonly bornHost: string;
  readonly commitLogOffset: number;
  readonly sysFlag: number;
  readonly flag: number;
  readonly properties: Readonly<Record<string, string>>;
  readonly bodyBase64: string;
}

export interface ConsumptionStatus {
  readonly group: string;
  readonly consumed: boolean;
  readonly consumerOffset: number;
}

export interface MessageLookup {
  readonly messages: ReadonlyArray<{
    readonly message: MessageDetail;
    readonly brokerName: string | null;
    readonly consumption: readonly ConsumptionStatus[];
  }>;
}

export interface DeadLetter extends MessageSummary {
  readonly originalTopic: string;
}

export interface DeadLetterGroups {
  readonly groups: ReadonlyArray<{ readonly group: string; readonly count: number }>;
}

export interface DeadLetters {
  readonly group: string;
  readonly letters: readonly DeadLetter[];
}

export interface ResentDeadLetters {
  readonly resent: ReadonlyArray<{
    readonly msgId: string;
    readonly originalTopic: string;
    readonly resentOffsetMsgId: string;
  }>;
}

export interface OpenTransaction {
  readonly msgId: string;
  readonly offsetMsgId: string;
  readonly topic: string;
  readonly producerGroup: string;
  readonly halfQueueOffset: number;
  readonly commitLogOffset: number;
  readonly bornTimestamp: number;
  readonly storeTimestamp: number;
  readonly ageMs: number;
  readonly checkTimes: number;
  readonly lastCheckTimestamp: number;
  readonly state: 'PREPARED' | 'PARKED';
  readonly brokerName: string;
  readonly brokerAddress: string;
}

export interface TransactionList {
  readonly transactions: readonly OpenTransaction[];
  readonly truncated: ReadonlyArray<{ readonly brokerName: string; readonly total: number }>;
}
