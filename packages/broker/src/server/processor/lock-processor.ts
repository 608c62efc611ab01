// LOCK_BATCH_MQ (41) and UNLOCK_BATCH_MQ (42) (fact sheet §2.10): orderly consumers lock the
// queues they were allocated, so two clients never consume one queue at once.

import {
  decodeLockBatchRequestBody,
  decodeUnlockBatchRequestBody,
  encodeLockBatchResponseBody,
} from '../../protocol/bodies/lock-batch-bodies';
import { createResponse, type RemotingCommand } from '../../protocol/remoting/remoting-command';
import { ResponseCode } from '../../protocol/remoting/response-code';
import type { RequestContext } from '../../transport/processor-table';
import type { BrokerContext } from '../broker-context';

export function processLockBatchMq(
  context: BrokerContext,
  request: RemotingCommand,
  _requestContext: RequestContext,
): RemotingCommand {
  const body = decodeLockBatchRequestBody(request.body);
  const lockOKMQSet = context.locks.tryLockBatch(
    body.consumerGroup,
    body.mqSet,
    body.clientId,
    context.clock.now(),
  );
  return createResponse(request, ResponseCode.SUCCESS, undefined, {
    body: encodeLockBatchResponseBody({ lockOKMQSet }),
  });
}

/** Clients may send it oneway; the response is dropped then. */
export function processUnlockBatchMq(
  context: BrokerContext,
  request: RemotingCommand,
  _requestContext: RequestContext,
): RemotingCommand {
  const body = decodeUnlockBatchRequestBody(request.body);
  context.locks.unlockBatch(body.consumerGroup, body.mqSet, body.clientId);
  return createResponse(request, ResponseCode.SUCCESS);
}
