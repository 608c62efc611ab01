export {
  isInherited,
  isPriority,
  isReadable,
  isWriteable,
  PERM_READ_WRITE,
  PermName,
  permToString,
  withoutInherit,
} from '../../protocol/perm-name';
export {
  DLQ_GROUP_TOPIC_PREFIX,
  dlqTopicOf,
  isDlqTopic,
  isFixedSystemTopic,
  isRetryTopic,
  isSendForbiddenTopic,
  isValidGroupName,
  REPLY_TOPIC_POSTFIX,
  replyTopicOf,
  RETRY_GROUP_TOPIC_PREFIX,
  retryTopicOf,
  SYSTEM_TOPIC_PREFIX,
  SystemTopic,
} from './system-topics';
export {
  MAX_QUEUE_NUMS,
  TOPIC_MANAGER_DEFAULTS,
  TopicConfigManager,
  type TopicChange,
  type TopicChangeKind,
  type TopicConfigManagerOptions,
  type TopicConfigManagerSettings,
} from './topic-config-manager';
export { TopicConfigError, TopicErrorCodes, type TopicErrorCode } from './topic-errors';
