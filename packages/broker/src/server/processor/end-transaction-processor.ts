// END_TRANSACTION (37, producer → broker, oneway; fact sheet §2.8, §6.4) and Keel's
// KEEL_LIST_HALF_MESSAGES (admin → broker; docs/protocol.md).
//
// END_TRANSACTION commits or rolls back one half message (server/transaction/half-message-resolver.ts).
// Producers send it oneway, so its answer is seen only by callers that ask two-way (`keel admin tx
// commit | rollback`): SUCCESS when this request resolved the half message, SYSTEM_ERROR with a
// remark otherwise. commitOrRollback 0 (the producer's UNKNOW) changes nothing: the half message
// stays open and is checked later.

import { encodeHalfMessageList, MAX_LISTED_HALF_MESSAGES } from '../../protocol/bodies/half-message-list';
import {
  CommitOrRollback,
  EndTransactionRequestHeader,
  ListHalfMessagesRequestHeader,
} from '../../protocol/headers/transaction-headers';
import { createResponse, type RemotingCommand } from '../../protocol/remoting/remoting-command';
import { ResponseCode } from '../../protocol/remoting/response-code';
import type { RequestContext } from '../../transport/processor-table';
import type { BrokerContext } from '../broker-context';
import type { EndTransactionOutcome } from '../transaction/half-message-resolver';
import type { Resolution } from '../transaction/half-message-table';

export async function processEndTransaction(
  context: BrokerContext,
  request: RemotingCommand,
  { connection }: RequestContext,
): Promise<RemotingCommand> {
  const { config, log } = context;
  if (config.brokerRole === 'SLAVE') {
    return createResponse(
      request,
      ResponseCode.SLAVE_NOT_AVAILABLE,
      `broker ${config.brokerName} (${context.brokerAddr}) is a SLAVE; send END_TRANSACTION to its master`,
    );
  }
  const header = EndTransactionRequestHeader.decode(request.extFields);
  const resolution = resolutionOf(header.commitOrRollback);
  if (resolution === undefined) {
    if (header.commitOrRollback === CommitOrRollback.NOT_TYPE) {
      log.debug('END_TRANSACTION with state UNKNOW: the half message stays open', {
        msgId: header.msgId,
        producerGroup: header.producerGroup,
        fromCheck: header.fromTransactionCheck,
        client: connection.remoteAddress,
        remark: request.remark ?? '',
      });
      return createResponse(
        request,
        ResponseCode.SUCCESS,
        'UNKNOW: the half message stays open and is checked later',
      );
    }
    return createResponse(
      request,
      ResponseCode.SYSTEM_ERROR,
      `commitOrRollback ${header.commitOrRollback} is not a transaction state; send 8 (commit), 12 (rollback) or 0 (unknown)`,
    );
  }
  const outcome = await context.transactions.endTransaction({
    producerGroup: header.producerGroup,
    tranStateTableOffset: header.tranStateTableOffset,
    commitLogOffset: header.commitLogOffset,
    resolution,
    fromTransactionCheck: header.fromTransactionCheck,
    msgId: header.msgId,
  });
  if (outcome.kind !== 'resolved') {
    log.info('END_TRANSACTION had no effect', {
      outcome: outcome.kind,
      msgId: header.msgId,
      producerGroup: header.producerGroup,
      commitLogOffset: header.commitLogOffset,
      client: connection.remoteAddress,
    });
  }
  return answer(request, header, outcome);
}

function resolutionOf(commitOrRollback: number): Resolution | undefined {
  if (commitOrRollback === CommitOrRollback.COMMIT) return 'commit';
  if (commitOrRollback === CommitOrRollback.ROLLBACK) return 'rollback';
  return undefined;
}

function answer(
  request: RemotingCommand,
  header: EndTransactionRequestHeader,
  outcome: EndTransactionOutcome,
): RemotingCommand {
  const which = `half message ${header.msgId} (commit-log offset ${header.commitLogOffset})`;
  switch (outcome.kind) {
    case 'resolved':
      return createResponse(request, ResponseCode.SUCCESS);
    case 'already-resolved':
      return createResponse(
        request,
        ResponseCode.SYSTEM_ERROR,
        `${which} is no longer open: it was already committed or rolled back; this END_TRANSACTION has no effect`,
      );
    case 'in-progress':
      return createResponse(
        request,
        ResponseCode.SYSTEM_ERROR,
        `${which} is being ${outcome.resolution === 'commit' ? 'committed' : 'rolled back'} by another END_TRANSACTION; this one has no effect`,
      );
    case 'invalid':
    case 'undeliverable':
      return createResponse(request, ResponseCode.SYSTEM_ERROR, outcome.remark);
    case 'store-refused':
      return createResponse(
        request,
        ResponseCode.SERVICE_NOT_AVAILABLE,
        `${which} stays open, the store refused the write: ${outcome.result.error?.message ?? outcome.result.status}`,
      );
    case 'unconfirmed':
      return createResponse(
        request,
        ResponseCode.SYSTEM_ERROR,
        `${which} was ${outcome.resolution === 'commit' ? 'committed' : 'rolled back'} but the store could not confirm the write (${outcome.result.status}); if it is lost, the half message is checked again after a restart`,
      );
  }
}

export async function processListHalfMessages(
  context: BrokerContext,
  request: RemotingCommand,
  _requestContext: RequestContext,
): Promise<RemotingCommand> {
  const header = ListHalfMessagesRequestHeader.decode(request.extFields);
  if (header.maxCount < 0 || header.maxCount > MAX_LISTED_HALF_MESSAGES) {
    return createResponse(
      request,
      ResponseCode.SYSTEM_ERROR,
      `maxCount ${header.maxCount} is out of range; ask for 0 to ${MAX_LISTED_HALF_MESSAGES} half messages`,
    );
  }
  const list = await context.transactions.list({ maxCount: header.maxCount, msgId: header.msgId });
  return createResponse(request, ResponseCode.SUCCESS, undefined, { body: encodeHalfMessageList(list) });
}
