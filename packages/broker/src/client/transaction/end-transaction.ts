// The END_TRANSACTION request a producer sends (fact sheet §2.8, §6.2, §6.6): oneway, no body,
// the half message named three ways (UNIQ_KEY, commit-log offset, half-queue offset) so the broker
// can verify it found the right record before writing the outcome.

import { EndTransactionRequestHeader } from '../../protocol/headers/transaction-headers';
import { decodeOffsetMessageId } from '../../protocol/message/message-id';
import { createRequest, type RemotingCommand } from '../../protocol/remoting/remoting-command';
import { RequestCode } from '../../protocol/remoting/request-code';
import type { SerializeTypeName } from '../../protocol/remoting/serialize-type';
import type { SendResult } from '../producer/send-result';
import { commitOrRollbackOf, type LocalTransactionState } from './local-transaction-state';

/** Which half message an END_TRANSACTION is about. */
export interface HalfMessageRef {
  /** The half message's queue offset in RMQ_SYS_TRANS_HALF_TOPIC. */
  readonly tranStateTableOffset: number;
  /** The half message's commit-log offset. */
  readonly commitLogOffset: number;
  /** UNIQ_KEY. */
  readonly msgId: string;
  readonly transactionId: string;
  /** The broker name, for proxies that route by it (RocketMQ 5's `bname`). */
  readonly brokerName: string | undefined;
}

/** The half message a SEND_OK (or soft-status) answer stored: its place comes from the offset msgId. */
export function halfMessageOf(result: SendResult): HalfMessageRef {
  return {
    tranStateTableOffset: result.queueOffset,
    commitLogOffset: decodeOffsetMessageId(result.offsetMsgId).physicalOffset,
    msgId: result.msgId,
    transactionId: result.msgId,
    brokerName: result.messageQueue.brokerName,
  };
}

export interface EndTransactionInput {
  readonly producerGroup: string;
  readonly half: HalfMessageRef;
  readonly state: LocalTransactionState;
  /** True when answering CHECK_TRANSACTION_STATE. */
  readonly fromTransactionCheck: boolean;
  /** Why the state is UNKNOW, when a callback failed. */
  readonly remark: string | undefined;
  readonly serializeType: SerializeTypeName;
}

export function endTransactionRequest(input: EndTransactionInput): RemotingCommand {
  const { half } = input;
  return createRequest({
    code: RequestCode.END_TRANSACTION,
    opaque: 0,
    oneway: true,
    remark: input.remark,
    serializeType: input.serializeType,
    extFields: EndTransactionRequestHeader.encode({
      producerGroup: input.producerGroup,
      tranStateTableOffset: half.tranStateTableOffset,
      commitLogOffset: half.commitLogOffset,
      commitOrRollback: commitOrRollbackOf(input.state),
      fromTransactionCheck: input.fromTransactionCheck,
      msgId: half.msgId,
      transactionId: half.transactionId,
      bname: half.brokerName,
    }),
  });
}
