export { DeadlineHeap, type DeadlineItem } from './deadline-heap';
export {
  DEFAULT_LONG_POLLING_CHECK_INTERVAL_MS,
  DEFAULT_SHORT_POLLING_TIME_MS,
  PullRequestHoldService,
  type HeldPull,
  type PullRequestHoldServiceOptions,
  type WakeReason,
} from './pull-request-hold-service';
