// A transactional producer spoken in raw remoting, as a RocketMQ 4.x Java producer speaks it, with
// no dependency on Keel's client: heartbeats announcing its group, half messages over
// SEND_MESSAGE_V2 with TRAN_MSG and PGROUP, END_TRANSACTION oneway, and answers to the broker's
// CHECK_TRANSACTION_STATE (a new oneway END_TRANSACTION with fromTransactionCheck=true on the same
// connection, as ClientRemotingProcessor.checkTransactionState sends it).

import { systemClock } from '../../../src/common/clock';
import { encodeHeartbeatData } from '../../../src/protocol/bodies/heartbeat-data';
import {
  CheckTransactionStateRequestHeader,
  CommitOrRollback,
  EndTransactionRequestHeader,
} from '../../../src/protocol/headers/transaction-headers';
import { SendMessageResponseHeader } from '../../../src/protocol/headers/send-headers';
import { decodeOffsetMessageId } from '../../../src/protocol/message/message-id';
import { decodeStoredMessage } from '../../../src/protocol/message/stored-message-decoder';
import { createRequest, type RemotingCommand } from '../../../src/protocol/remoting/remoting-command';
import { RequestCode } from '../../../src/protocol/remoting/request-code';
import { ResponseCode } from '../../../src/protocol/remoting/response-code';
import { RemotingClient } from '../../../src/transport/remoting-client';
import type { RemotingConnection } from '../../../src/transport/remoting-connection';
import { send } from '../integration/broker-requests';

export type Answer = 'commit' | 'rollback' | 'unknown' | 'silence';

export interface HalfHandle {
  readonly msgId: string;
  readonly halfOffset: number;
  readonly commitLogOffset: number;
}

export interface ReceivedCheckInfo {
  readonly msgId: string;
  readonly tranStateTableOffset: number;
  readonly commitLogOffset: number;
  readonly topic: string;
}

const STATE: Readonly<Record<Exclude<Answer, 'silence'>, number>> = {
  commit: CommitOrRollback.COMMIT,
  rollback: CommitOrRollback.ROLLBACK,
  unknown: CommitOrRollback.NOT_TYPE,
};

let nextId = 1;

export class RawTxProducer {
  readonly group: string;
  readonly brokerAddress: string;
  readonly clientId: string;
  /** Every check received, in order. */
  readonly checks: ReceivedCheckInfo[] = [];
  readonly #client: RemotingClient;
  /** How to answer the checks of a msgId (default silence), in turn; the last answer repeats. */
  readonly #answers = new Map<string, Answer[]>();

  constructor(group: string, brokerAddress: string) {
    this.group = group;
    this.brokerAddress = brokerAddress;
    this.clientId = `127.0.0.1@raw-tx-${process.pid}-${nextId++}`;
    this.#client = new RemotingClient({
      clock: systemClock,
      onRequest: (request, connection) => this.#onRequest(request, connection),
    });
  }

  async heartbeat(): Promise<void> {
    const response = await this.#client.invoke(
      this.brokerAddress,
      createRequest({
        code: RequestCode.HEART_BEAT,
        opaque: 0,
        body: encodeHeartbeatData({
          clientID: this.clientId,
          producerDataSet: [{ groupName: this.group }],
          consumerDataSet: [],
        }),
      }),
      3000,
    );
    if (response.code !== ResponseCode.SUCCESS)
      throw new Error(`heartbeat: ${response.code} ${response.remark ?? ''}`);
  }

  /**
   * Sends a half message; `answers` says how to answer its checks. `msgId` sends it again under the
   * msgId of an earlier one, as a producer's retried send does.
   */
  async sendHalf(
    topic: string,
    body: string,
    answers: Answer[] = ['silence'],
    msgId = `RAWTX${process.pid}${String(nextId++).padStart(10, '0')}`,
  ): Promise<HalfHandle> {
    this.#answers.set(msgId, [...answers]);
    const response = await send(this.#client, this.brokerAddress, {
      topic,
      body,
      queueId: 0,
      properties: { TRAN_MSG: 'true', PGROUP: this.group, UNIQ_KEY: msgId },
    });
    if (response.code !== ResponseCode.SUCCESS)
      throw new Error(`half send: ${response.code} ${response.remark ?? ''}`);
    const header = SendMessageResponseHeader.decode(response.extFields);
    return {
      msgId,
      halfOffset: header.queueOffset,
      commitLogOffset: decodeOffsetMessageId(header.msgId).physicalOffset,
    };
  }

  /** END_TRANSACTION oneway, as sendMessageInTransaction ends a local transaction. */
  async end(half: HalfHandle, answer: Exclude<Answer, 'silence'>): Promise<void> {
    await this.#client.invokeOneway(this.brokerAddress, this.#endRequest(half, answer, false));
  }

  /** END_TRANSACTION two-way: the broker's answer (producers never wait for one). */
  endAndWait(half: HalfHandle, answer: Exclude<Answer, 'silence'>): Promise<RemotingCommand> {
    return this.#client.invoke(this.brokerAddress, this.#endRequest(half, answer, false), 3000);
  }

  setAnswers(msgId: string, answers: Answer[]): void {
    this.#answers.set(msgId, [...answers]);
  }

  close(): Promise<void> {
    return this.#client.close();
  }

  #endRequest(half: HalfHandle, answer: Exclude<Answer, 'silence'>, fromCheck: boolean): RemotingCommand {
    return createRequest({
      code: RequestCode.END_TRANSACTION,
      opaque: 0,
      extFields: EndTransactionRequestHeader.encode({
        producerGroup: this.group,
        tranStateTableOffset: half.halfOffset,
        commitLogOffset: half.commitLogOffset,
        commitOrRollback: STATE[answer],
        fromTransactionCheck: fromCheck,
        msgId: half.msgId,
        transactionId: half.msgId,
        bname: undefined,
      }),
    });
  }

  #onRequest(request: RemotingCommand, connection: RemotingConnection): void {
    if (request.code !== RequestCode.CHECK_TRANSACTION_STATE) return;
    const header = CheckTransactionStateRequestHeader.decode(request.extFields);
    const decoded = decodeStoredMessage(request.body, 0);
    const msgId = header.msgId ?? '';
    this.checks.push({
      msgId,
      tranStateTableOffset: header.tranStateTableOffset,
      commitLogOffset: header.commitLogOffset,
      topic: decoded.kind === 'message' ? decoded.message.topic : '(undecodable body)',
    });
    const answers = this.#answers.get(msgId) ?? ['silence'];
    const answer = answers.length > 1 ? answers.shift()! : answers[0]!;
    if (answer === 'silence') return;
    const half = { msgId, halfOffset: header.tranStateTableOffset, commitLogOffset: header.commitLogOffset };
    connection.sendOneway(this.#endRequest(half, answer, true));
  }
}
