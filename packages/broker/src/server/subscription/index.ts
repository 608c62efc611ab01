export {
  SubscriptionGroupError,
  SubscriptionGroupErrorCodes,
  type SubscriptionGroupErrorCode,
} from './subscription-group-errors';
export { SubscriptionGroupManager, type SubscriptionGroupManagerOptions } from './subscription-group-manager';
export {
  CID_RMQ_SYS_PREFIX,
  isSystemConsumerGroup,
  PRECREATED_SUBSCRIPTION_GROUPS,
  SystemGroup,
} from './system-groups';
