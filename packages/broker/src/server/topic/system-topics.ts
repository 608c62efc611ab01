// Built-in topic and group names (RocketMQ's TopicValidator and MixAll, facts §12) and the rules
// that protect them.

import { isValidTopicName } from '../../store/message-validation';

export const SystemTopic = {
  /** The template topic producers name as `defaultTopic`; its INHERIT bit enables auto-creation. */
  AUTO_CREATE_TOPIC_KEY: 'TBW102',
  SCHEDULE: 'SCHEDULE_TOPIC_XXXX',
  BENCHMARK: 'BenchmarkTest',
  TRANS_HALF: 'RMQ_SYS_TRANS_HALF_TOPIC',
  TRANS_OP_HALF: 'RMQ_SYS_TRANS_OP_HALF_TOPIC',
  TRANS_CHECK_MAX_TIME: 'TRANS_CHECK_MAX_TIME_TOPIC',
  /** Messages waiting for an absolute delivery time (RocketMQ 5's TimerMessageStore topic). */
  TIMER: 'rmq_sys_wheel_timer',
  TRACE: 'RMQ_SYS_TRACE_TOPIC',
  SELF_TEST: 'SELF_TEST_TOPIC',
  OFFSET_MOVED_EVENT: 'OFFSET_MOVED_EVENT',
} as const;

/** Topics whose names start with this are system topics too (TopicValidator.SYSTEM_TOPIC_PREFIX). */
export const SYSTEM_TOPIC_PREFIX = 'rmq_sys_';

/** `<cluster>_REPLY_TOPIC` carries request-reply answers (MixAll.REPLY_TOPIC_POSTFIX). */
export const REPLY_TOPIC_POSTFIX = 'REPLY_TOPIC';

export const RETRY_GROUP_TOPIC_PREFIX = '%RETRY%';
export const DLQ_GROUP_TOPIC_PREFIX = '%DLQ%';

/** The topics RocketMQ's TopicValidator lists as system topics whatever the broker's names are. */
const FIXED_SYSTEM_TOPICS: ReadonlySet<string> = new Set(Object.values(SystemTopic));

/** Producers may not send to these (TopicValidator.NOT_ALLOWED_SEND_TOPIC_SET, facts §2.3). */
const SEND_FORBIDDEN_TOPICS: ReadonlySet<string> = new Set([
  SystemTopic.SCHEDULE,
  SystemTopic.TRANS_HALF,
  SystemTopic.TRANS_OP_HALF,
  SystemTopic.TRANS_CHECK_MAX_TIME,
  SystemTopic.TIMER,
  SystemTopic.SELF_TEST,
  SystemTopic.OFFSET_MOVED_EVENT,
]);

export function isSendForbiddenTopic(topic: string): boolean {
  return SEND_FORBIDDEN_TOPICS.has(topic);
}

/** A fixed system topic or one with the `rmq_sys_` prefix; broker-named topics are added by the manager. */
export function isFixedSystemTopic(topic: string): boolean {
  return FIXED_SYSTEM_TOPICS.has(topic) || topic.startsWith(SYSTEM_TOPIC_PREFIX);
}

export function replyTopicOf(clusterName: string): string {
  return `${clusterName}_${REPLY_TOPIC_POSTFIX}`;
}

export function retryTopicOf(group: string): string {
  return RETRY_GROUP_TOPIC_PREFIX + group;
}

export function dlqTopicOf(group: string): string {
  return DLQ_GROUP_TOPIC_PREFIX + group;
}

export function isRetryTopic(topic: string): boolean {
  return topic.startsWith(RETRY_GROUP_TOPIC_PREFIX);
}

export function isDlqTopic(topic: string): boolean {
  return topic.startsWith(DLQ_GROUP_TOPIC_PREFIX);
}

/**
 * Whether `group` can name a consumer group here: its retry topic `%RETRY%<group>` must be a valid
 * topic (so at most 120 characters from a-z A-Z 0-9 _ - % |). RocketMQ checks less, but a group
 * whose retry topic cannot be stored would fail on its first retry instead of at registration.
 */
export function isValidGroupName(group: string): boolean {
  return group.length > 0 && isValidTopicName(retryTopicOf(group));
}
