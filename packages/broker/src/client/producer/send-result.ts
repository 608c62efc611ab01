// The outcome of a send, and how a broker's response becomes one (DefaultMQProducerImpl /
// MQClientAPIImpl.processSendResponse): SUCCESS and the three "stored, but" codes are results;
// every other code is a BrokerResponseError.

import { SendMessageResponseHeader } from '../../protocol/headers/send-headers';
import type { RemotingCommand } from '../../protocol/remoting/remoting-command';
import { ResponseCode } from '../../protocol/remoting/response-code';
import { BrokerResponseError } from '../client-errors';
import type { MessageQueue } from '../message';

export const SendStatus = {
  SEND_OK: 'SEND_OK',
  /** Stored, but not flushed to disk within the broker's syncFlushTimeout (SYNC_FLUSH brokers). */
  FLUSH_DISK_TIMEOUT: 'FLUSH_DISK_TIMEOUT',
  /** Stored on the master, not replicated to the slave in time (SYNC_MASTER brokers). */
  FLUSH_SLAVE_TIMEOUT: 'FLUSH_SLAVE_TIMEOUT',
  /** Stored on the master, which has no slave to replicate to (SYNC_MASTER brokers). */
  SLAVE_NOT_AVAILABLE: 'SLAVE_NOT_AVAILABLE',
} as const;
export type SendStatus = (typeof SendStatus)[keyof typeof SendStatus];

export interface SendResult {
  readonly status: SendStatus;
  /** The producer's UNIQ_KEY (comma-joined for a batch): stable across retries. */
  readonly msgId: string;
  /** The broker's id of the stored record (comma-joined for a batch). */
  readonly offsetMsgId: string;
  readonly messageQueue: MessageQueue;
  /** Consume-queue offset of the (first) message. */
  readonly queueOffset: number;
}

const STATUS_BY_CODE: ReadonlyMap<number, SendStatus> = new Map([
  [ResponseCode.SUCCESS, SendStatus.SEND_OK],
  [ResponseCode.FLUSH_DISK_TIMEOUT, SendStatus.FLUSH_DISK_TIMEOUT],
  [ResponseCode.FLUSH_SLAVE_TIMEOUT, SendStatus.FLUSH_SLAVE_TIMEOUT],
  [ResponseCode.SLAVE_NOT_AVAILABLE, SendStatus.SLAVE_NOT_AVAILABLE],
]);

/** The result of a send response, or a BrokerResponseError for a failure code. */
export function toSendResult(
  response: RemotingCommand,
  address: string,
  queue: MessageQueue,
  msgId: string,
): SendResult {
  const status = STATUS_BY_CODE.get(response.code);
  if (status === undefined) throw new BrokerResponseError(response.code, response.remark, address);
  const header = SendMessageResponseHeader.decode(response.extFields);
  return {
    status,
    msgId,
    offsetMsgId: header.msgId,
    // The broker may have picked the queue (queueId < 0 asks it to); it says which.
    messageQueue: { topic: queue.topic, brokerName: queue.brokerName, queueId: header.queueId },
    queueOffset: header.queueOffset,
  };
}
