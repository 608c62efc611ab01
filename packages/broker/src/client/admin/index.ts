// The admin client: topic, cluster, consumer-group and message administration (mqadmin's operations).
export {
  AdminClient,
  ADMIN_PRODUCER_GROUP,
  type AdminClientOptions,
  type AdminSendRequest,
} from './admin-client';
export { AdminError, AdminErrorCodes, type AdminErrorCode } from './admin-errors';
export type { BrokerStatus, ClusterMember } from './cluster-admin';
export type { MasterBroker, RoutedQueue } from './cluster-view';
export {
  DEAD_LETTER_SCAN_LIMIT,
  type DeadLetter,
  type DeadLetterSelector,
  type ResentDeadLetter,
} from './dead-letter-admin';
export type { ConsumerConnection, ConsumerProgress, OffsetReset, QueueProgress } from './consumer-admin';
export type { ConsumerMember, ConsumerMembers, ConsumerSubscription } from './consumer-members';
export {
  QUERY_MAX_NUM,
  type ConsumeRequest,
  type KeyQuery,
  type OffsetQuery,
  type OffsetQueryResult,
} from './message-admin';
export type { Progress, ProgressListener } from './progress';
export { TOOLS_CONSUMER_GROUP, type RawPullStatus } from './raw-pull';
export { parseTimestamp } from './timestamp';
export {
  DEFAULT_TX_LIST_MAX,
  type OpenTransaction,
  type ResolvedTransaction,
  type TransactionList,
  type TransactionListQuery,
} from './transaction-admin';
export {
  TOPIC_DEFAULTS,
  type BrokerTarget,
  type QueueStatus,
  type TopicDeletion,
  type TopicSettings,
} from './topic-admin';
