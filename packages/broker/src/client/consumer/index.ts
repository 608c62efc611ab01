// The push consumer's engine without sockets: allocation, rebalance, process queues, flow control,
// offset stores and the two consume services, all against ConsumerBrokerApi (wired to the client
// core elsewhere).

export {
  ALLOCATION_STRATEGIES,
  allocateAveragely,
  allocateByCircle,
  allocateSorted,
  type AllocateMessageQueues,
  type AllocationStrategyName,
} from './allocation';
export {
  ConcurrentConsumeService,
  DEFAULT_CONSUME_BATCH_SIZE,
  DEFAULT_CONSUME_CONCURRENCY,
  LOCAL_RECONSUME_DELAY_MS,
  type ConcurrentConsumeOptions,
  type ConcurrentMessageListener,
  type ConsumeConcurrentlyContext,
  type ConsumeConcurrentlyStatus,
} from './consume-concurrently';
export {
  DEFAULT_ORDERLY_MAX_RECONSUME_TIMES,
  DEFAULT_SUSPEND_CURRENT_QUEUE_MS,
  MAX_TIME_CONSUME_CONTINUOUSLY_MS,
  OrderlyConsumeService,
  RELOCK_DELAY_MS,
  RELOCK_REFUSED_DELAY_MS,
  type ConsumeOrderlyContext,
  type ConsumeOrderlyStatus,
  type OrderlyConsumeOptions,
  type OrderlyMessageListener,
} from './consume-orderly';
export type {
  ConsumerBrokerApi,
  MessageLike,
  PullOptions,
  PullResult,
  PullStatus,
  UpdateOffsetOptions,
} from './consumer-broker-api';
export { ConsumerErrorCodes, NoConsumersKnownError } from './consumer-errors';
export type { ConsumeMode, MessageModel } from './consumer-modes';
export {
  DEFAULT_FLOW_CONTROL_LIMITS,
  FLOW_CONTROL_DELAY_MS,
  NOT_LOCKED_DELAY_MS,
  PAUSED_DELAY_MS,
  decidePull,
  type FlowControlLimits,
  type PullContext,
  type PullDecision,
  type PullDelayReason,
  type QueueState,
} from './flow-control';
export {
  LOCAL_OFFSETS_FILE_NAME,
  LocalFileOffsetStore,
  localOffsetsPath,
  type LocalFileOffsetStoreOptions,
} from './local-file-offset-store';
export {
  compareMessageQueues,
  describeMessageQueue,
  messageQueueKey,
  sameMessageQueue,
  sortMessageQueues,
  type MessageQueue,
} from './message-queue';
export { OffsetTable, type OffsetStore, type ReadOffsetFrom } from './offset-store';
export { LOCK_MAX_LIVE_MS, PULL_MAX_IDLE_MS, ProcessQueue } from './process-queue';
export { ProcessQueueTable, type AssignedQueue } from './process-queue-table';
export {
  LOCK_RENEW_INTERVAL_MS,
  groupByBroker,
  lockQueue,
  renewLocks,
  type LockRenewalOutcome,
} from './queue-locking';
export {
  Rebalancer,
  type RebalanceDependencies,
  type RebalanceOutcome,
  type RebalanceSettings,
  type SkipReason,
} from './rebalance';
export { RemoteOffsetStore } from './remote-offset-store';
export {
  DEFAULT_CONSUME_TIMESTAMP_LOOKBACK_MS,
  computeStartOffset,
  defaultConsumeTimestampMs,
  isRetryTopic,
  startOffsetWithoutStoredOffset,
  type ConsumeFromWhere,
  type StartPolicy,
} from './start-offset';
export { SUBSCRIBE_ALL, parseTagExpression, tagMatches, type TagFilter } from './tag-filter';
