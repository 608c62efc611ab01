export { messageQueueKey, type MessageQueue } from './message-queue';
export {
  DEFAULT_LOCK_MAX_LIVE_MS,
  RebalanceLockManager,
  type QueueLock,
  type RebalanceLockManagerOptions,
} from './rebalance-lock-manager';
