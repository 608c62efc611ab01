// Sending through the real send processor with any properties (DELAY, RECONSUME_TIME, ...) and
// reading back what the store holds, for the delivery, schedule and send-back tests.

import { messagePropertiesToString } from '../../../src/protocol/message/message-properties';
import { decodeOffsetMessageId } from '../../../src/protocol/message/message-id';
import type { DecodedStoredMessage } from '../../../src/protocol/message/stored-message-decoder';
import type { RemotingCommand } from '../../../src/protocol/remoting/remoting-command';
import { RequestCode } from '../../../src/protocol/remoting/request-code';
import { ResponseCode } from '../../../src/protocol/remoting/response-code';
import type { BrokerContext } from '../../../src/server/broker-context';
import { processSend } from '../../../src/server/processor/send-processor';
import { request, requestContextOf } from '../processor/processor-fixtures';

export interface SendInput {
  readonly topic: string;
  readonly queueId?: number;
  readonly body?: string;
  readonly properties?: Readonly<Record<string, string>>;
  readonly reconsumeTimes?: number;
  readonly maxReconsumeTimes?: number;
}

export function sendMessage(context: BrokerContext, input: SendInput): Promise<RemotingCommand> {
  const fields: Record<string, string> = {
    producerGroup: 'pg',
    topic: input.topic,
    defaultTopic: 'TBW102',
    defaultTopicQueueNums: '4',
    queueId: String(input.queueId ?? 0),
    sysFlag: '0',
    bornTimestamp: '1700000000000',
    flag: '0',
    properties: messagePropertiesToString(new Map(Object.entries(input.properties ?? {}))),
  };
  if (input.reconsumeTimes !== undefined) fields.reconsumeTimes = String(input.reconsumeTimes);
  if (input.maxReconsumeTimes !== undefined) fields.maxReconsumeTimes = String(input.maxReconsumeTimes);
  return processSend(
    context,
    request(RequestCode.SEND_MESSAGE, fields, Buffer.from(input.body ?? 'hello')),
    requestContextOf(7),
  );
}

/** Sends and returns the stored record (wherever the send path put it). */
export async function sendStored(context: BrokerContext, input: SendInput): Promise<DecodedStoredMessage> {
  const response = await sendMessage(context, input);
  if (response.code !== ResponseCode.SUCCESS) {
    throw new Error(`send failed: ${response.code} ${response.remark ?? ''}`);
  }
  const msgId = response.extFields.get('msgId') ?? '';
  const stored = await context.store.readMessageAt(decodeOffsetMessageId(msgId).physicalOffset);
  if (stored === undefined) throw new Error(`no record for ${msgId}`);
  return stored;
}

/** Every message of a queue, in order. */
export async function queueMessages(
  context: BrokerContext,
  topic: string,
  queueId = 0,
): Promise<DecodedStoredMessage[]> {
  const messages: DecodedStoredMessage[] = [];
  // One read stops at the end of a consume-queue segment: read on until nothing comes back.
  for (let from = 0; ;) {
    const entries = await context.store.readQueueEntries(topic, queueId, from, 1000);
    if (entries.length === 0) return messages;
    for (const entry of entries) {
      const message = await context.store.readMessageAt(entry.commitLogOffset);
      if (message === undefined)
        throw new Error(`${topic}:${queueId} entry ${entry.queueOffset} has no record`);
      messages.push(message);
      from = entry.queueOffset + 1;
    }
  }
}
