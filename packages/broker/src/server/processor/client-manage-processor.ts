// HEART_BEAT (34) and UNREGISTER_CLIENT (35) (fact sheet §2.6; RocketMQ's ClientManageProcessor).
//
// A heartbeat registers the client's producer groups and consumer groups on its connection. For
// each consumer group the subscription group is found (or auto-created) and its retry topic
// `%RETRY%<group>` created, so the group's first failed message has somewhere to go. As in
// RocketMQ, a group that does not exist and may not be auto-created is still registered and the
// heartbeat still succeeds: the client learns of the problem when it pulls
// (SUBSCRIPTION_GROUP_NOT_EXIST), which names the fix.

import { decodeHeartbeatData, type ConsumerData } from '../../protocol/bodies/heartbeat-data';
import { UnregisterClientRequestHeader } from '../../protocol/headers/client-headers';
import { createResponse, type RemotingCommand } from '../../protocol/remoting/remoting-command';
import { ResponseCode } from '../../protocol/remoting/response-code';
import type { RequestContext } from '../../transport/processor-table';
import type { SubscriptionGroupConfig } from '../../store/metadata/subscription-group-file';
import type { BrokerContext } from '../broker-context';
import type { ClientIdentity } from '../client/client-channel';
import {
  SubscriptionGroupError,
  SubscriptionGroupErrorCodes,
} from '../subscription/subscription-group-errors';
import { retryTopicOf } from '../topic/system-topics';

export async function processHeartbeat(
  context: BrokerContext,
  request: RemotingCommand,
  { connection }: RequestContext,
): Promise<RemotingCommand> {
  const heartbeat = decodeHeartbeatData(request.body);
  const client: ClientIdentity = {
    channel: connection,
    clientId: heartbeat.clientID,
    language: request.language,
    version: request.version,
  };
  for (const consumer of heartbeat.consumerDataSet) await prepareConsumerGroup(context, consumer, client);
  // Preparing groups may write to disk; a connection that closed meanwhile was already removed
  // from every group, and registering it now would leave a ghost member (given queues nobody
  // consumes) until it expires. Registration below is synchronous, so no close can slip in.
  if (!connection.isOpen) return createResponse(request, ResponseCode.SUCCESS);
  const now = context.clock.now();
  for (const consumer of heartbeat.consumerDataSet) context.consumers.register(consumer, client, now);
  for (const producer of heartbeat.producerDataSet) {
    context.producers.register(producer.groupName, client, now);
  }
  return createResponse(request, ResponseCode.SUCCESS);
}

/** The group's settings and retry topic, created if needed; problems are logged, not answered. */
async function prepareConsumerGroup(
  context: BrokerContext,
  consumer: ConsumerData,
  client: ClientIdentity,
): Promise<void> {
  const groupName = consumer.groupName;
  const group = await findOrAutoCreateGroup(context, groupName, client);
  if (group === undefined) return;
  // RocketMQ also marks the retry topic as a unit topic for unitMode consumers; Keel has no units.
  const existed = context.topics.select(retryTopicOf(groupName)) !== undefined;
  await context.topics.createRetryTopicIfAbsent(groupName, group.retryQueueNums);
  if (!existed) context.topicsChanged();
}

async function findOrAutoCreateGroup(
  context: BrokerContext,
  groupName: string,
  client: ClientIdentity,
): Promise<SubscriptionGroupConfig | undefined> {
  try {
    const group = await context.groups.findOrAutoCreate(groupName);
    if (group === undefined) {
      context.log.warn(
        'heartbeat for a consumer group that does not exist (autoCreateSubscriptionGroup=false)',
        {
          group: groupName,
          client: client.clientId,
        },
      );
    }
    return group;
  } catch (error) {
    // An unusable name is the client's mistake; refusing the whole heartbeat would also drop its
    // producer groups. Its pulls are refused with the same explanation.
    if (!(
      error instanceof SubscriptionGroupError && error.code === SubscriptionGroupErrorCodes.NAME_INVALID
    )) {
      throw error;
    }
    context.log.warn('heartbeat names an invalid consumer group; no retry topic created', {
      group: groupName,
      client: client.clientId,
      error,
    });
    return undefined;
  }
}

export function processUnregisterClient(
  context: BrokerContext,
  request: RemotingCommand,
  { connection }: RequestContext,
): RemotingCommand {
  const header = UnregisterClientRequestHeader.decode(request.extFields);
  // The connection identifies the registration; clientID only matters to RocketMQ's log line.
  if (header.producerGroup !== undefined) context.producers.unregister(header.producerGroup, connection);
  if (header.consumerGroup !== undefined) context.consumers.unregister(header.consumerGroup, connection);
  return createResponse(request, ResponseCode.SUCCESS);
}
