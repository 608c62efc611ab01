// Headers of topic and statistics administration (fact sheet §2.11, §2.12):
// UPDATE_AND_CREATE_TOPIC (17), DELETE_TOPIC_IN_BROKER (215), GET_TOPIC_STATS_INFO (202),
// GET_CONSUME_STATS (208). GET_BROKER_RUNTIME_INFO (28) and GET_ALL_TOPIC_CONFIG (21) have no header.

import { defineHeader, type HeaderOf } from './header-codec';
import { boolean, int, optionalInt, optionalString, string, withDefault } from './header-fields';

export const CreateTopicRequestHeader = defineHeader('CreateTopicRequestHeader', {
  topic: string(),
  defaultTopic: string(),
  readQueueNums: int(),
  writeQueueNums: int(),
  /** PermName bits: PRIORITY 8, READ 4, WRITE 2, INHERIT 1. */
  perm: int(),
  /** "SINGLE_TAG" or "MULTI_TAG". */
  topicFilterType: string(),
  topicSysFlag: optionalInt(),
  // Java marks it @CFNotNull with initialiser false; a missing key is read as that default, as
  // non-Java admin tools do not always send it.
  order: withDefault(boolean(), false),
});
export type CreateTopicRequestHeader = HeaderOf<typeof CreateTopicRequestHeader>;

export const DeleteTopicRequestHeader = defineHeader('DeleteTopicRequestHeader', {
  topic: string(),
});
export type DeleteTopicRequestHeader = HeaderOf<typeof DeleteTopicRequestHeader>;

export const GetTopicStatsInfoRequestHeader = defineHeader('GetTopicStatsInfoRequestHeader', {
  topic: string(),
});
export type GetTopicStatsInfoRequestHeader = HeaderOf<typeof GetTopicStatsInfoRequestHeader>;

export const GetConsumeStatsRequestHeader = defineHeader('GetConsumeStatsRequestHeader', {
  consumerGroup: string(),
  /** Absent: every topic the group consumes. */
  topic: optionalString(),
});
export type GetConsumeStatsRequestHeader = HeaderOf<typeof GetConsumeStatsRequestHeader>;
