// The heartbeat model the client managers work with is the HEART_BEAT body's own (one definition,
// RocketMQ's field names); re-exported here so the managers need not reach into the codec module.
export {
  CONSUME_FROM_WHERE as CONSUME_FROM_WHERE_VALUES,
  CONSUME_TYPES,
  MESSAGE_MODELS,
  type ConsumeFromWhere,
  type ConsumeType,
  type ConsumerData,
  type HeartbeatData,
  type MessageModel,
  type ProducerData,
  type SubscriptionData,
} from '../../protocol/bodies/heartbeat-data';

/** "TAG" or "SQL92" (a string: old clients omit it, newer ones may send other filter types). */
export type ExpressionType = string;
