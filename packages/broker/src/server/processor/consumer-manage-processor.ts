// GET_CONSUMER_LIST_BY_GROUP (38), QUERY_CONSUMER_OFFSET (14) and UPDATE_CONSUMER_OFFSET (15)
// (fact sheet §2.5, §2.6, §11.12; RocketMQ's ConsumerManageProcessor).

import { encodeConsumerListBody } from '../../protocol/bodies/simple-bodies';
import { GetConsumerListByGroupRequestHeader } from '../../protocol/headers/client-headers';
import {
  QueryConsumerOffsetRequestHeader,
  QueryConsumerOffsetResponseHeader,
  UpdateConsumerOffsetRequestHeader,
} from '../../protocol/headers/offset-headers';
import { createResponse, type RemotingCommand } from '../../protocol/remoting/remoting-command';
import { ResponseCode } from '../../protocol/remoting/response-code';
import type { MessageStore } from '../../store/message-store';
import type { RequestContext } from '../../transport/processor-table';
import type { BrokerContext } from '../broker-context';
import { resolveQueryConsumerOffset } from '../offset/query-consumer-offset';

export function processGetConsumerListByGroup(
  context: BrokerContext,
  request: RemotingCommand,
  _requestContext: RequestContext,
): RemotingCommand {
  const { consumerGroup } = GetConsumerListByGroupRequestHeader.decode(request.extFields);
  const consumerIdList = context.consumers.consumerIdList(consumerGroup);
  if (consumerIdList.length === 0) {
    // Clients (rebalance, admin tools) check the code only; the remark is RocketMQ's.
    return createResponse(request, ResponseCode.SYSTEM_ERROR, `no consumer for this group, ${consumerGroup}`);
  }
  return createResponse(request, ResponseCode.SUCCESS, undefined, {
    body: encodeConsumerListBody({ consumerIdList }),
  });
}

export async function processQueryConsumerOffset(
  context: BrokerContext,
  request: RemotingCommand,
  _requestContext: RequestContext,
): Promise<RemotingCommand> {
  const { consumerGroup, topic, queueId } = QueryConsumerOffsetRequestHeader.decode(request.extFields);
  const stored = context.offsets.query(consumerGroup, topic, queueId);
  const minOffset = context.store.minOffsetInQueue(topic, queueId);
  const needsFirstMessage = stored === undefined && minOffset <= 0;
  const result = resolveQueryConsumerOffset({
    stored,
    minOffset,
    firstMessageInMemory: needsFirstMessage && (await isFirstMessageStored(context.store, topic, queueId)),
  });
  if (result.kind === 'notFound') {
    return createResponse(
      request,
      ResponseCode.QUERY_NOT_FOUND,
      `no committed offset of group ${consumerGroup} on ${topic}:${queueId}; the consumer starts where its ConsumeFromWhere says`,
    );
  }
  return createResponse(request, ResponseCode.SUCCESS, undefined, {
    extFields: QueryConsumerOffsetResponseHeader.encode({ offset: result.offset }),
  });
}

/**
 * Stands in for RocketMQ's "message at queue offset 0 is still in memory" (!checkInDiskByConsumeOffset,
 * which compares its distance from the commit log's end with 40 % of physical memory). Keel does not
 * track page-cache residency, so it asks only whether that message is still stored, or whether the
 * queue is empty (RocketMQ answers "in memory" for a queue without entries too). The difference: a
 * new group on an old, never-truncated queue starts at 0 here, where RocketMQ could let the client's
 * ConsumeFromWhere decide.
 */
async function isFirstMessageStored(store: MessageStore, topic: string, queueId: number): Promise<boolean> {
  if (store.maxOffsetInQueue(topic, queueId) === 0) return true;
  const first = await store.getMessage(topic, queueId, 0, { maxMessages: 1, maxBytes: 1 });
  // nextBeginOffset 1 means the one record returned is the one at offset 0, not a later one found
  // after skipping a removed entry.
  return first.status === 'FOUND' && first.nextBeginOffset === 1;
}

/** Usually a oneway request: the server drops the response then, but building it is harmless. */
export function processUpdateConsumerOffset(
  context: BrokerContext,
  request: RemotingCommand,
  _requestContext: RequestContext,
): RemotingCommand {
  const header = UpdateConsumerOffsetRequestHeader.decode(request.extFields);
  context.offsets.commit(header.consumerGroup, header.topic, header.queueId, header.commitOffset);
  return createResponse(request, ResponseCode.SUCCESS);
}
