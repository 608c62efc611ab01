// HEART_BEAT's body (RocketMQ's HeartbeatData), field names exactly as the Java client writes them
// (facts §2.6). The JSON codec lives in protocol/bodies; these are the types the managers consume.
//
//   {"clientID":"10.0.0.9@12345#987654321",
//    "consumerDataSet":[{"consumeFromWhere":"CONSUME_FROM_LAST_OFFSET","consumeType":"CONSUME_PASSIVELY",
//      "groupName":"cg","messageModel":"CLUSTERING","subscriptionDataSet":[{"classFilterMode":false,
//      "codeSet":[2598919],"expressionType":"TAG","subString":"TagA","subVersion":1690000000000,
//      "tagsSet":["TagA"],"topic":"T1"}],"unitMode":false}],
//    "producerDataSet":[{"groupName":"pg"}]}

export const CONSUME_TYPES = ['CONSUME_ACTIVELY', 'CONSUME_PASSIVELY'] as const;
/** CONSUME_ACTIVELY: pull consumers; CONSUME_PASSIVELY: push consumers. */
export type ConsumeType = (typeof CONSUME_TYPES)[number];

export const MESSAGE_MODELS = ['BROADCASTING', 'CLUSTERING'] as const;
export type MessageModel = (typeof MESSAGE_MODELS)[number];

export const CONSUME_FROM_WHERE_VALUES = [
  'CONSUME_FROM_LAST_OFFSET',
  'CONSUME_FROM_LAST_OFFSET_AND_FROM_MIN_WHEN_BOOT_FIRST',
  'CONSUME_FROM_MIN_OFFSET',
  'CONSUME_FROM_MAX_OFFSET',
  'CONSUME_FROM_FIRST_OFFSET',
  'CONSUME_FROM_TIMESTAMP',
] as const;
export type ConsumeFromWhere = (typeof CONSUME_FROM_WHERE_VALUES)[number];

/** "TAG" or "SQL92"; kept as a string so a newer client's type is reported, not rejected by the codec. */
export type ExpressionType = string;

export interface SubscriptionData {
  readonly topic: string;
  /** The expression: "*" (everything), "TagA || TagB", or an SQL92 filter. */
  readonly subString: string;
  readonly tagsSet: readonly string[];
  /** Java String.hashCode() of each tag, matched against consume-queue tag codes. */
  readonly codeSet: readonly number[];
  /** The client's ms timestamp of the subscription; a newer one replaces an older one. */
  readonly subVersion: number;
  readonly expressionType: ExpressionType;
  readonly classFilterMode?: boolean;
  readonly filterClassSource?: string;
}

export interface ProducerData {
  readonly groupName: string;
}

export interface ConsumerData {
  readonly groupName: string;
  readonly consumeType: ConsumeType;
  readonly messageModel: MessageModel;
  readonly consumeFromWhere: ConsumeFromWhere;
  readonly subscriptionDataSet: readonly SubscriptionData[];
  readonly unitMode: boolean;
}

export interface HeartbeatData {
  readonly clientID: string;
  readonly producerDataSet: readonly ProducerData[];
  readonly consumerDataSet: readonly ConsumerData[];
}
