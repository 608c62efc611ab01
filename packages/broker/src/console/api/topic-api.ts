// Topics: the list (with a kind so the UI can hide retry, dead-letter and system topics), create or
// update, the route and per-queue offsets of one topic, delete (confirmed), and a test message.

import type { ClusterInfo } from '../../protocol/bodies/cluster-info';
import type { TopicRouteData } from '../../protocol/bodies/topic-route-data';
import {
  DLQ_GROUP_TOPIC_PREFIX,
  isFixedSystemTopic,
  REPLY_TOPIC_POSTFIX,
  RETRY_GROUP_TOPIC_PREFIX,
} from '../../server/topic/system-topics';
import { isValidTopicName } from '../../store/message-validation';
import type { ApiRoute } from '../api-route';
import type { ConsoleAdmin } from '../console-admin';
import { badRequest, type RequestInput } from '../request-input';
import type { ApiContext } from './api-context';

export type TopicKind = 'normal' | 'retry' | 'dlq' | 'system';

const QUEUE_NUMS = { min: 1, max: 1024 } as const;
/** 1 inherit, 2 write, 4 read: 0..7 (RocketMQ's PermName bits). */
const PERM = { min: 0, max: 7 } as const;
/** A test message is typed into a form; 64 KiB is more than that needs. */
const MAX_TEST_BODY_CHARS = 64 * 1024;

export function topicRoutes({ admin }: ApiContext): ApiRoute[] {
  return [
    {
      method: 'GET',
      pattern: '/api/topics',
      handle: async () => {
        const [topics, info] = await Promise.all([admin.topicList(), admin.clusterInfo()]);
        return { topics: topics.map((name) => ({ name, kind: topicKind(name, info) })) };
      },
    },
    { method: 'POST', pattern: '/api/topics', handle: (input) => createTopic(admin, input) },
    {
      method: 'GET',
      pattern: '/api/topics/:topic',
      handle: async (input) => {
        const topic = input.param('topic');
        const route = await admin.topicRoute(topic);
        return { topic, route: routeJson(route), queues: await admin.topicStatus(topic) };
      },
    },
    {
      method: 'DELETE',
      pattern: '/api/topics/:topic',
      handle: async (input) => {
        const topic = input.param('topic');
        input.requireConfirm(`deleting topic ${topic}`);
        const deletion = await admin.deleteTopic(topic, input.bodyString('cluster'));
        return {
          topic,
          brokers: deletion.brokers.map((b) => b.brokerName),
          nameServers: deletion.nameServers,
        };
      },
    },
    {
      method: 'POST',
      pattern: '/api/topics/:topic/messages',
      handle: async (input) => {
        const topic = input.param('topic');
        const body = input.requiredBodyString('body');
        if (body.length > MAX_TEST_BODY_CHARS)
          throw badRequest(
            `body is ${body.length} characters; a test message takes at most ${MAX_TEST_BODY_CHARS}`,
          );
        const result = await admin.sendMessage({
          topic,
          body,
          keys: input.bodyString('keys'),
          tags: input.bodyString('tags'),
        });
        return {
          status: result.status,
          msgId: result.msgId,
          offsetMsgId: result.offsetMsgId,
          brokerName: result.messageQueue.brokerName,
          queueId: result.messageQueue.queueId,
          queueOffset: result.queueOffset,
        };
      },
    },
  ];
}

async function createTopic(admin: ConsoleAdmin, input: RequestInput) {
  const topic = input.requiredBodyString('topic').trim();
  if (
    !isValidTopicName(topic) ||
    topic.startsWith(RETRY_GROUP_TOPIC_PREFIX) ||
    topic.startsWith(DLQ_GROUP_TOPIC_PREFIX)
  )
    throw badRequest(
      `topic ${JSON.stringify(topic)} is not a valid name: use 1 to 127 characters from a-z A-Z 0-9 _ - | (no %RETRY%/%DLQ% prefix)`,
    );
  if (isFixedSystemTopic(topic)) throw badRequest(`${topic} is a system topic; choose another name`);
  const broker = input.bodyString('broker');
  const cluster =
    input.bodyString('cluster') ?? (broker === undefined ? await onlyCluster(admin) : undefined);
  const brokers = await admin.createOrUpdateTopic({
    topic,
    cluster,
    broker,
    readQueueNums: input.bodyInt('readQueueNums', QUEUE_NUMS),
    writeQueueNums: input.bodyInt('writeQueueNums', QUEUE_NUMS),
    perm: input.bodyInt('perm', PERM),
    order: input.bodyBoolean('order'),
  });
  return { topic, brokers: brokers.map((b) => b.brokerName) };
}

/** The cluster to create in when none is named: the only one, else the caller must say. */
async function onlyCluster(admin: ConsoleAdmin): Promise<string> {
  const clusters = [...(await admin.clusterInfo()).clusterAddrTable.keys()];
  if (clusters.length === 1 && clusters[0] !== undefined) return clusters[0];
  throw badRequest(
    clusters.length === 0
      ? 'no broker is registered with the name servers; start one first'
      : `say which cluster: one of ${clusters.join(', ')}`,
  );
}

export function topicKind(topic: string, info: ClusterInfo): TopicKind {
  if (topic.startsWith(RETRY_GROUP_TOPIC_PREFIX)) return 'retry';
  if (topic.startsWith(DLQ_GROUP_TOPIC_PREFIX)) return 'dlq';
  if (isFixedSystemTopic(topic)) return 'system';
  // Brokers keep a topic named after their cluster, one after themselves, and the cluster's reply topic.
  for (const cluster of info.clusterAddrTable.keys())
    if (topic === cluster || topic === `${cluster}_${REPLY_TOPIC_POSTFIX}`) return 'system';
  if (info.brokerAddrTable.has(topic)) return 'system';
  return 'normal';
}

function routeJson(route: TopicRouteData) {
  return {
    brokers: route.brokerDatas.map((data) => ({
      brokerName: data.brokerName,
      cluster: data.cluster,
      addresses: [...data.brokerAddrs].map(([brokerId, address]) => ({ brokerId, address })),
    })),
    queues: route.queueDatas.map((queue) => ({ ...queue })),
  };
}
