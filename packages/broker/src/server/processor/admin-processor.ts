// Topic administration and the statistics admin tools and dashboards read (fact sheet §2.11, §2.12;
// RocketMQ's AdminBrokerProcessor): UPDATE_AND_CREATE_TOPIC (17), DELETE_TOPIC_IN_BROKER (215),
// GET_ALL_TOPIC_CONFIG (21), GET_BROKER_RUNTIME_INFO (28), GET_TOPIC_STATS_INFO (202) and
// GET_CONSUME_STATS (208).

import { writeFastjsonBytes } from '../../common/json/fastjson-writer';
import { encodeConsumeStats, encodeTopicStatsTable } from '../../protocol/bodies/queue-stats-bodies';
import { encodeKVTable } from '../../protocol/bodies/simple-bodies';
import {
  CreateTopicRequestHeader,
  DeleteTopicRequestHeader,
  GetConsumeStatsRequestHeader,
  GetTopicStatsInfoRequestHeader,
} from '../../protocol/headers/admin-headers';
import { createResponse, type RemotingCommand } from '../../protocol/remoting/remoting-command';
import { ResponseCode } from '../../protocol/remoting/response-code';
import { TOPIC_FILTER_TYPES, type TopicFilterType } from '../../store/metadata/topic-config-file';
import type { RequestContext } from '../../transport/processor-table';
import type { BrokerContext } from '../broker-context';
import { TopicConfigError } from '../topic/topic-errors';
import { brokerRuntimeInfo } from './broker-runtime-info';
import { consumeStats, topicStatsTable } from './queue-stats';

export async function processUpdateAndCreateTopic(
  context: BrokerContext,
  request: RemotingCommand,
  _requestContext: RequestContext,
): Promise<RemotingCommand> {
  const header = CreateTopicRequestHeader.decode(request.extFields);
  if (context.config.brokerRole === 'SLAVE') {
    // A slave's topic table is a copy of its master's and would be overwritten at the next sync.
    return createResponse(
      request,
      ResponseCode.SYSTEM_ERROR,
      `broker ${context.config.brokerName} (${context.brokerAddr}) is a SLAVE; create or update topic ${header.topic} on its master`,
    );
  }
  if (!isTopicFilterType(header.topicFilterType)) {
    return createResponse(
      request,
      ResponseCode.SYSTEM_ERROR,
      `topic ${header.topic}: topicFilterType must be SINGLE_TAG or MULTI_TAG, got ${JSON.stringify(header.topicFilterType)}`,
    );
  }
  try {
    // defaultTopic is ignored, as in RocketMQ: it only matters for auto-creation on send.
    await context.topics.createOrUpdate({
      topicName: header.topic,
      readQueueNums: header.readQueueNums,
      writeQueueNums: header.writeQueueNums,
      perm: header.perm,
      topicFilterType: header.topicFilterType,
      topicSysFlag: header.topicSysFlag,
      order: header.order,
    });
  } catch (error) {
    // Invalid name, system topic, out-of-range queue counts or perm: the message names the fix.
    if (error instanceof TopicConfigError)
      return createResponse(request, ResponseCode.SYSTEM_ERROR, error.message);
    throw error;
  }
  context.topicsChanged();
  return createResponse(request, ResponseCode.SUCCESS);
}

function isTopicFilterType(value: string): value is TopicFilterType {
  return (TOPIC_FILTER_TYPES as readonly string[]).includes(value);
}

/**
 * Deletes the topic's config and every group's committed offsets on it. The store's queue files
 * and commit-log records stay: retention removes them as they expire. Until then a topic created
 * again under the same name continues at the old queue offsets (RocketMQ deletes the queues here).
 * Deleting a topic that does not exist succeeds, so a cluster-wide delete can run on every broker.
 */
export async function processDeleteTopicInBroker(
  context: BrokerContext,
  request: RemotingCommand,
  _requestContext: RequestContext,
): Promise<RemotingCommand> {
  const { topic } = DeleteTopicRequestHeader.decode(request.extFields);
  let deleted: boolean;
  try {
    deleted = await context.topics.delete(topic);
  } catch (error) {
    if (error instanceof TopicConfigError)
      return createResponse(request, ResponseCode.SYSTEM_ERROR, error.message);
    throw error;
  }
  context.offsets.removeTopic(topic);
  if (deleted) context.topicsChanged();
  return createResponse(request, ResponseCode.SUCCESS);
}

/** The TopicConfigSerializeWrapper of topics.json (slaves sync from it; admin tools list topics). */
export function processGetAllTopicConfig(
  context: BrokerContext,
  request: RemotingCommand,
  _requestContext: RequestContext,
): RemotingCommand {
  const { dataVersion, topicConfigTable } = context.topics.toRocketMqJson();
  const body = writeFastjsonBytes({
    dataVersion: { ...dataVersion },
    topicConfigTable: new Map(
      Object.entries(topicConfigTable).map(([name, config]) => [name, { ...config }]),
    ),
  });
  return createResponse(request, ResponseCode.SUCCESS, undefined, { body });
}

export async function processGetBrokerRuntimeInfo(
  context: BrokerContext,
  request: RemotingCommand,
  _requestContext: RequestContext,
): Promise<RemotingCommand> {
  const table = await brokerRuntimeInfo(context);
  return createResponse(request, ResponseCode.SUCCESS, undefined, { body: encodeKVTable({ table }) });
}

export async function processGetTopicStatsInfo(
  context: BrokerContext,
  request: RemotingCommand,
  _requestContext: RequestContext,
): Promise<RemotingCommand> {
  const { topic } = GetTopicStatsInfoRequestHeader.decode(request.extFields);
  const config = context.topics.select(topic);
  if (config === undefined) {
    return createResponse(request, ResponseCode.TOPIC_NOT_EXIST, `topic[${topic}] not exist`);
  }
  const stats = await topicStatsTable(context, config);
  return createResponse(request, ResponseCode.SUCCESS, undefined, { body: encodeTopicStatsTable(stats) });
}

export async function processGetConsumeStats(
  context: BrokerContext,
  request: RemotingCommand,
  _requestContext: RequestContext,
): Promise<RemotingCommand> {
  const header = GetConsumeStatsRequestHeader.decode(request.extFields);
  // RocketMQ reads a blank topic as an absent one (UtilAll.isBlank): every topic of the group.
  const topic = header.topic === undefined || header.topic.trim() === '' ? undefined : header.topic;
  const stats = await consumeStats(context, header.consumerGroup, topic);
  return createResponse(request, ResponseCode.SUCCESS, undefined, { body: encodeConsumeStats(stats) });
}
