// GET_CONSUMER_CONNECTION_LIST (203) (fact sheet §2.12; RocketMQ's AdminBrokerProcessor
// getConsumerConnectionList): the online members of a group, with the address of each member's
// connection, and the group's subscriptions. Admin tools and the console show who consumes.

import { encodeConsumerConnection } from '../../protocol/bodies/consumer-connection';
import { GetConsumerConnectionListRequestHeader } from '../../protocol/headers/client-headers';
import { createResponse, type RemotingCommand } from '../../protocol/remoting/remoting-command';
import { ResponseCode } from '../../protocol/remoting/response-code';
import type { RequestContext } from '../../transport/processor-table';
import type { BrokerContext } from '../broker-context';

export function processGetConsumerConnectionList(
  context: BrokerContext,
  request: RemotingCommand,
  _requestContext: RequestContext,
): RemotingCommand {
  const { consumerGroup } = GetConsumerConnectionListRequestHeader.decode(request.extFields);
  const view = context.consumers.groupView(consumerGroup);
  if (view === undefined) {
    // RocketMQ's code and remark: tools read CONSUMER_NOT_ONLINE as "no member here".
    return createResponse(
      request,
      ResponseCode.CONSUMER_NOT_ONLINE,
      `the consumer group[${consumerGroup}] not online`,
    );
  }
  return createResponse(request, ResponseCode.SUCCESS, undefined, {
    body: encodeConsumerConnection({
      connectionSet: view.connections,
      subscriptionTable: view.subscriptions,
      consumeType: view.consumeType,
      messageModel: view.messageModel,
      consumeFromWhere: view.consumeFromWhere,
    }),
  });
}
