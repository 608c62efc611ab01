// GET_MAX_OFFSET (30), GET_MIN_OFFSET (31), GET_EARLIEST_MSG_STORETIME (32) and
// SEARCH_OFFSET_BY_TIMESTAMP (29) (fact sheet §2.5): a queue's bounds straight from the store. An
// unknown topic or queue is not an error, as in RocketMQ: it answers 0 (or -1 for the store time),
// which is what clients expect of a queue with nothing in it yet.

import {
  GetEarliestMsgStoretimeRequestHeader,
  GetEarliestMsgStoretimeResponseHeader,
  GetMaxOffsetRequestHeader,
  GetMaxOffsetResponseHeader,
  GetMinOffsetRequestHeader,
  GetMinOffsetResponseHeader,
  SearchOffsetRequestHeader,
  SearchOffsetResponseHeader,
} from '../../protocol/headers/offset-headers';
import { createResponse, type RemotingCommand } from '../../protocol/remoting/remoting-command';
import { ResponseCode } from '../../protocol/remoting/response-code';
import type { RequestContext } from '../../transport/processor-table';
import type { BrokerContext } from '../broker-context';

export function processGetMaxOffset(
  context: BrokerContext,
  request: RemotingCommand,
  _requestContext: RequestContext,
): RemotingCommand {
  const { topic, queueId } = GetMaxOffsetRequestHeader.decode(request.extFields);
  return createResponse(request, ResponseCode.SUCCESS, undefined, {
    extFields: GetMaxOffsetResponseHeader.encode({ offset: context.store.maxOffsetInQueue(topic, queueId) }),
  });
}

export function processGetMinOffset(
  context: BrokerContext,
  request: RemotingCommand,
  _requestContext: RequestContext,
): RemotingCommand {
  const { topic, queueId } = GetMinOffsetRequestHeader.decode(request.extFields);
  return createResponse(request, ResponseCode.SUCCESS, undefined, {
    extFields: GetMinOffsetResponseHeader.encode({ offset: context.store.minOffsetInQueue(topic, queueId) }),
  });
}

export async function processGetEarliestMsgStoretime(
  context: BrokerContext,
  request: RemotingCommand,
  _requestContext: RequestContext,
): Promise<RemotingCommand> {
  const { topic, queueId } = GetEarliestMsgStoretimeRequestHeader.decode(request.extFields);
  const timestamp = await context.store.earliestMessageTime(topic, queueId);
  return createResponse(request, ResponseCode.SUCCESS, undefined, {
    extFields: GetEarliestMsgStoretimeResponseHeader.encode({ timestamp }),
  });
}

export async function processSearchOffsetByTimestamp(
  context: BrokerContext,
  request: RemotingCommand,
  _requestContext: RequestContext,
): Promise<RemotingCommand> {
  const { topic, queueId, timestamp } = SearchOffsetRequestHeader.decode(request.extFields);
  const offset = await context.store.offsetInQueueByTime(topic, queueId, timestamp);
  return createResponse(request, ResponseCode.SUCCESS, undefined, {
    extFields: SearchOffsetResponseHeader.encode({ offset }),
  });
}
