// The fake cluster server (name server + broker in one) taught the two halves of a transaction:
// SEND_MESSAGE_V2 answered with a status the test picks and a fixed place for the half message,
// END_TRANSACTION recorded, and a way to send the client a CHECK_TRANSACTION_STATE.

import type { Clock } from '../../../src/common/clock';
import {
  decodeSendMessageHeader,
  SendMessageResponseHeader,
  type SendMessageRequestHeader,
} from '../../../src/protocol/headers/send-headers';
import {
  CheckTransactionStateRequestHeader,
  EndTransactionRequestHeader,
} from '../../../src/protocol/headers/transaction-headers';
import { hostAddressOf } from '../../../src/protocol/message/host-address';
import { MessageConst } from '../../../src/protocol/message/message-const';
import { createOffsetMessageId } from '../../../src/protocol/message/message-id';
import {
  messagePropertiesToString,
  parseMessageProperties,
} from '../../../src/protocol/message/message-properties';
import { encodeStoredMessage, prepareStoredMessage } from '../../../src/protocol/message/stored-message';
import {
  createRequest,
  createResponse,
  type RemotingCommand,
} from '../../../src/protocol/remoting/remoting-command';
import { RequestCode } from '../../../src/protocol/remoting/request-code';
import { ResponseCode } from '../../../src/protocol/remoting/response-code';
import { waitFor } from '../../../src/testing/await-event';
import { routeTo, startFakeClusterServer, type FakeClusterServer } from '../fake-cluster-server';

/** Where every half message lands: queue offset and commit-log offset the END must echo. */
export const HALF_QUEUE_OFFSET = 7;
export const HALF_PHYSICAL_OFFSET = 123_456;

export interface SentHalf {
  readonly header: SendMessageRequestHeader;
  readonly properties: Map<string, string>;
}

export interface FakeTransactionBroker {
  readonly fake: FakeClusterServer;
  /** The response code of the next sends. */
  sendCode: number;
  sent(): SentHalf[];
  /** Decoded END_TRANSACTION requests, with the raw command. */
  ends(): Array<{ readonly header: EndTransactionRequestHeader; readonly request: RemotingCommand }>;
  waitForEnds(count: number): Promise<void>;
  sendCheck(check: CheckInput): void;
  close(): Promise<void>;
}

export interface CheckInput {
  readonly group: string;
  readonly uniqKey: string;
  readonly tranStateTableOffset: number;
  readonly commitLogOffset: number;
  /** The real topic of the checked message. */
  readonly topic?: string;
  /** Omit PGROUP from the body. */
  readonly withoutGroup?: boolean;
  readonly body?: Buffer;
}

export async function startFakeTransactionBroker(
  clock: Clock,
  topics: readonly string[],
): Promise<FakeTransactionBroker> {
  const fake = await startFakeClusterServer(clock);
  for (const topic of topics) fake.routes.set(topic, routeTo(fake.address));
  const storeHost = hostAddressOf('127.0.0.1', fake.server.port);
  const broker: FakeTransactionBroker = {
    fake,
    sendCode: ResponseCode.SUCCESS,
    sent: () =>
      fake.requests
        .filter((r) => r.code === RequestCode.SEND_MESSAGE_V2)
        .map((r) => {
          const header = decodeSendMessageHeader(r.code, r.extFields);
          return { header, properties: parseMessageProperties(header.properties ?? '') };
        }),
    ends: () =>
      fake.requests
        .filter((r) => r.code === RequestCode.END_TRANSACTION)
        .map((request) => ({ header: EndTransactionRequestHeader.decode(request.extFields), request })),
    async waitForEnds(count) {
      await waitFor(() => fake.count(RequestCode.END_TRANSACTION) >= count, {
        timeoutMs: 3000,
        description: `${count} END_TRANSACTION requests`,
      });
    },
    sendCheck(check) {
      const properties = new Map<string, string>([
        [MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX, check.uniqKey],
        [MessageConst.PROPERTY_TRANSACTION_PREPARED, 'true'],
      ]);
      if (check.withoutGroup !== true) properties.set(MessageConst.PROPERTY_PRODUCER_GROUP, check.group);
      const prepared = prepareStoredMessage({
        queueId: 1,
        flag: 0,
        queueOffset: check.tranStateTableOffset,
        physicalOffset: check.commitLogOffset,
        sysFlag: 0,
        bornTimestamp: clock.now(),
        bornHost: hostAddressOf('127.0.0.1', 50_000),
        storeTimestamp: clock.now(),
        storeHost,
        reconsumeTimes: 0,
        preparedTransactionOffset: 0,
        body: Buffer.from('checked body'),
        topic: check.topic ?? 'TxTopic',
        properties: messagePropertiesToString(properties),
      });
      const body = check.body ?? Buffer.alloc(prepared.totalSize);
      if (check.body === undefined) encodeStoredMessage(prepared, body, 0);
      fake.clientConnection().sendOneway(
        createRequest({
          code: RequestCode.CHECK_TRANSACTION_STATE,
          opaque: 0,
          extFields: CheckTransactionStateRequestHeader.encode({
            tranStateTableOffset: check.tranStateTableOffset,
            commitLogOffset: check.commitLogOffset,
            msgId: check.uniqKey,
            transactionId: check.uniqKey,
            offsetMsgId: createOffsetMessageId(storeHost, check.commitLogOffset),
            bname: 'broker-a',
          }),
          body,
        }),
      );
    },
    close: () => fake.close(),
  };
  fake.processors.register(RequestCode.SEND_MESSAGE_V2, (request) => {
    fake.requests.push(request);
    const header = decodeSendMessageHeader(request.code, request.extFields);
    if (broker.sendCode !== ResponseCode.SUCCESS && !isSoftStatus(broker.sendCode)) {
      return createResponse(request, broker.sendCode, 'refused by the test');
    }
    return createResponse(request, broker.sendCode, undefined, {
      extFields: SendMessageResponseHeader.encode({
        msgId: createOffsetMessageId(storeHost, HALF_PHYSICAL_OFFSET),
        queueId: header.queueId,
        queueOffset: HALF_QUEUE_OFFSET,
        transactionId: undefined,
        msgRegion: undefined,
        traceOn: undefined,
      }),
    });
  });
  fake.processors.register(RequestCode.END_TRANSACTION, (request) => {
    fake.requests.push(request);
    return undefined;
  });
  return broker;
}

function isSoftStatus(code: number): boolean {
  return (
    code === ResponseCode.FLUSH_DISK_TIMEOUT ||
    code === ResponseCode.FLUSH_SLAVE_TIMEOUT ||
    code === ResponseCode.SLAVE_NOT_AVAILABLE
  );
}
