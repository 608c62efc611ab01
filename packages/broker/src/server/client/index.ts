export {
  connectionInfoOf,
  DEFAULT_CLIENT_CHANNEL_MAX_IDLE_MS,
  type ClientChannel,
  type ClientChannelInfo,
  type ClientConnectionInfo,
  type ClientIdentity,
} from './client-channel';
export {
  ConsumerIdsChangeNotifier,
  type ConsumerIdsChangeNotifierOptions,
} from './consumer-ids-change-notifier';
export {
  ConsumerManager,
  type ConsumerGroupChange,
  type ConsumerGroupChangeCause,
  type ConsumerGroupView,
  type ConsumerManagerOptions,
  type ConsumerRegisterResult,
} from './consumer-manager';
export {
  CONSUME_FROM_WHERE_VALUES,
  CONSUME_TYPES,
  MESSAGE_MODELS,
  type ConsumeFromWhere,
  type ConsumerData,
  type ConsumeType,
  type ExpressionType,
  type HeartbeatData,
  type MessageModel,
  type ProducerData,
  type SubscriptionData,
} from './heartbeat-types';
export { ProducerManager, type ProducerManagerOptions } from './producer-manager';
