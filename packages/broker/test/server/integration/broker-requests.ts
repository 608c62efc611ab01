// Raw remoting requests to a broker, as a RocketMQ 4.x Java client would send them: SEND_MESSAGE_V2
// with one-letter header names, PULL_MESSAGE with the subscription in the request.

import { encodeSendMessageHeaderV2 } from '../../../src/protocol/headers/send-headers';
import { PullMessageRequestHeader, PullSysFlag } from '../../../src/protocol/headers/pull-headers';
import { messagePropertiesToString } from '../../../src/protocol/message/message-properties';
import {
  decodeStoredMessages,
  type DecodedStoredMessage,
} from '../../../src/protocol/message/stored-message-decoder';
import { createRequest, type RemotingCommand } from '../../../src/protocol/remoting/remoting-command';
import { RequestCode } from '../../../src/protocol/remoting/request-code';
import type { RemotingClient } from '../../../src/transport/remoting-client';

export interface SendOptions {
  readonly topic: string;
  readonly body: string | Buffer;
  readonly tags?: string;
  readonly keys?: string;
  readonly queueId?: number;
  readonly properties?: Readonly<Record<string, string>>;
  readonly serializeType?: 'JSON' | 'ROCKETMQ';
  /** For sends to a %RETRY% topic: how often the message has failed already. */
  readonly reconsumeTimes?: number;
}

export function send(
  client: RemotingClient,
  address: string,
  options: SendOptions,
): Promise<RemotingCommand> {
  const properties = new Map<string, string>(Object.entries(options.properties ?? {}));
  if (options.tags !== undefined) properties.set('TAGS', options.tags);
  if (options.keys !== undefined) properties.set('KEYS', options.keys);
  const extFields = encodeSendMessageHeaderV2({
    producerGroup: 'test-producer',
    topic: options.topic,
    defaultTopic: 'TBW102',
    defaultTopicQueueNums: 4,
    queueId: options.queueId ?? 0,
    sysFlag: 0,
    bornTimestamp: 1_700_000_000_000,
    flag: 0,
    properties: messagePropertiesToString(properties),
    reconsumeTimes: options.reconsumeTimes ?? 0,
    unitMode: false,
    maxReconsumeTimes: undefined,
    batch: false,
    bname: undefined,
  });
  return client.invoke(
    address,
    createRequest({
      code: RequestCode.SEND_MESSAGE_V2,
      opaque: 0,
      extFields,
      body: typeof options.body === 'string' ? Buffer.from(options.body) : options.body,
      ...(options.serializeType === undefined ? {} : { serializeType: options.serializeType }),
    }),
    5000,
  );
}

export interface PullOptions {
  readonly group: string;
  readonly topic: string;
  readonly queueId?: number;
  readonly offset: number;
  readonly subscription?: string;
  /** Long-poll hold on the broker; 0 = do not suspend. */
  readonly suspendMs?: number;
  readonly commitOffset?: number;
  readonly maxMsgNums?: number;
}

export function pull(
  client: RemotingClient,
  address: string,
  options: PullOptions,
): Promise<RemotingCommand> {
  let sysFlag = PullSysFlag.SUBSCRIPTION;
  if ((options.suspendMs ?? 0) > 0) sysFlag |= PullSysFlag.SUSPEND;
  if (options.commitOffset !== undefined) sysFlag |= PullSysFlag.COMMIT_OFFSET;
  const extFields = PullMessageRequestHeader.encode({
    consumerGroup: options.group,
    topic: options.topic,
    queueId: options.queueId ?? 0,
    queueOffset: options.offset,
    maxMsgNums: options.maxMsgNums ?? 32,
    sysFlag,
    commitOffset: options.commitOffset ?? 0,
    suspendTimeoutMillis: options.suspendMs ?? 0,
    subscription: options.subscription ?? '*',
    subVersion: 0,
    expressionType: 'TAG',
    bname: undefined,
  });
  return client.invoke(
    address,
    createRequest({ code: RequestCode.PULL_MESSAGE, opaque: 0, extFields }),
    (options.suspendMs ?? 0) + 5000,
  );
}

export function messagesOf(response: RemotingCommand): DecodedStoredMessage[] {
  const batch = decodeStoredMessages(response.body);
  if (batch.stoppedAt !== undefined)
    throw new Error(`pull body is damaged: ${JSON.stringify(batch.stoppedAt)}`);
  return batch.messages;
}
