// The consumer groups the console lists. Keel's brokers serve no group listing, but every group
// that has consumed has a retry topic `%RETRY%<group>` (created by its first heartbeat) in the name
// servers' topic list: the same source rocketmq-dashboard uses. Dead-letter topics name the groups
// with dead letters.

import { DLQ_GROUP_TOPIC_PREFIX, RETRY_GROUP_TOPIC_PREFIX } from '../../server/topic/system-topics';
import type { ConsoleAdmin } from '../console-admin';

export async function consumerGroupNames(admin: Pick<ConsoleAdmin, 'topicList'>): Promise<string[]> {
  return groupsWithPrefix(await admin.topicList(), RETRY_GROUP_TOPIC_PREFIX);
}

export async function deadLetterGroupNames(admin: Pick<ConsoleAdmin, 'topicList'>): Promise<string[]> {
  return groupsWithPrefix(await admin.topicList(), DLQ_GROUP_TOPIC_PREFIX);
}

function groupsWithPrefix(topics: readonly string[], prefix: string): string[] {
  return topics
    .filter((topic) => topic.startsWith(prefix) && topic.length > prefix.length)
    .map((topic) => topic.slice(prefix.length))
    .sort();
}
