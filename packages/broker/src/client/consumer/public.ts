// What applications use to receive messages: the push and lite pull consumers, their options and
// listener types. The engine behind them (consumer/index.ts) stays internal.

export { PushConsumer, type PushConsumerState } from './push-consumer';
export {
  PUSH_CONSUMER_DEFAULTS,
  type PushConsumerOptions,
  type ResolvedPushConsumerOptions,
} from './push-consumer-options';
export { LitePullConsumer, type LitePullConsumerState } from './lite-pull-consumer';
export {
  LITE_PULL_CONSUMER_DEFAULTS,
  type LitePullConsumerOptions,
  type ResolvedLitePullConsumerOptions,
} from './lite-pull-consumer-options';
export type { ConsumedMessage } from './consumed-message';
export type { AllocationStrategyName } from './allocation';
export type {
  ConcurrentMessageListener,
  ConsumeConcurrentlyContext,
  ConsumeConcurrentlyStatus,
} from './consume-concurrently';
export type { ConsumeOrderlyContext, ConsumeOrderlyStatus, OrderlyMessageListener } from './consume-orderly';
export type { ConsumeMode, MessageModel } from './consumer-modes';
export type { ConsumeFromWhere } from './start-offset';
export { retryTopicOf } from './subscriptions';
