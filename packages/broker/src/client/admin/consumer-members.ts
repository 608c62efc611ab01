// The online members of a consumer group with their connection addresses, and what the group
// subscribes (GET_CONSUMER_CONNECTION_LIST on every master, merged): what mqadmin
// consumerConnection prints from RocketMQ brokers, and what the console's group page shows.

import type { ClientConnection } from '../../protocol/bodies/consumer-connection';
import { decodeConsumerConnection } from '../../protocol/bodies/consumer-connection';
import { GetConsumerConnectionListRequestHeader } from '../../protocol/headers/client-headers';
import { RequestCode } from '../../protocol/remoting/request-code';
import { ResponseCode } from '../../protocol/remoting/response-code';
import { askSuccess, type AdminRequester } from './admin-requester';
import { mastersOf, readClusterInfo } from './cluster-view';

export interface ConsumerMember extends ClientConnection {
  /** The broker the member's connection goes to. */
  readonly brokerName: string;
}

export interface ConsumerSubscription {
  readonly topic: string;
  /** The tag expression, `*` for every tag. */
  readonly expression: string;
}

export interface ConsumerMembers {
  readonly group: string;
  /** One row per member connection (a member connects to every broker it consumes from). */
  readonly members: readonly ConsumerMember[];
  readonly subscriptions: readonly ConsumerSubscription[];
  /** CLUSTERING or BROADCASTING; undefined when no member is online. */
  readonly messageModel: string | undefined;
}

export async function consumerMembers(requester: AdminRequester, group: string): Promise<ConsumerMembers> {
  const extFields = GetConsumerConnectionListRequestHeader.encode({ consumerGroup: group });
  const members: ConsumerMember[] = [];
  const subscriptions = new Map<string, ConsumerSubscription>();
  let messageModel: string | undefined;
  for (const master of mastersOf(await readClusterInfo(requester))) {
    const response = await askSuccess(
      requester,
      master.address,
      { code: RequestCode.GET_CONSUMER_CONNECTION_LIST, extFields },
      // "No member of the group on this broker", which is a normal answer for all but one broker.
      [ResponseCode.CONSUMER_NOT_ONLINE],
    );
    if (response.code !== ResponseCode.SUCCESS) continue;
    const body = decodeConsumerConnection(response.body);
    messageModel ??= body.messageModel;
    for (const connection of body.connectionSet)
      members.push({ ...connection, brokerName: master.brokerName });
    for (const [topic, data] of body.subscriptionTable)
      subscriptions.set(topic, { topic, expression: data.subString });
  }
  members.sort((a, b) => a.clientId.localeCompare(b.clientId) || a.brokerName.localeCompare(b.brokerName));
  return {
    group,
    members,
    subscriptions: [...subscriptions.values()].sort((a, b) => a.topic.localeCompare(b.topic)),
    messageModel,
  };
}
