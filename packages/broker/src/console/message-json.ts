// Messages as the console's API sends them: summaries for lists, and the full message (every
// property, the body as base64 for the UI to show as text, JSON or hex) for the detail view.

import type { MessageExt } from '../client/message';

export interface MessageSummaryJson {
  readonly msgId: string;
  readonly offsetMsgId: string;
  readonly topic: string;
  readonly queueId: number;
  readonly queueOffset: number;
  readonly tags: string | null;
  readonly keys: readonly string[];
  readonly storeTimestamp: number;
  readonly bornTimestamp: number;
  readonly bodySize: number;
  readonly reconsumeTimes: number;
  readonly storeHost: string;
}

export interface MessageDetailJson extends MessageSummaryJson {
  readonly bornHost: string;
  readonly commitLogOffset: number;
  readonly sysFlag: number;
  readonly flag: number;
  readonly properties: Readonly<Record<string, string>>;
  readonly bodyBase64: string;
}

export function messageSummaryJson(message: MessageExt): MessageSummaryJson {
  return {
    msgId: message.msgId,
    offsetMsgId: message.offsetMsgId,
    topic: message.topic,
    queueId: message.queueId,
    queueOffset: message.queueOffset,
    tags: message.tags ?? null,
    keys: message.keys,
    storeTimestamp: message.storeTimestamp,
    bornTimestamp: message.bornTimestamp,
    bodySize: message.body.length,
    reconsumeTimes: message.reconsumeTimes,
    storeHost: message.storeHost,
  };
}

export function messageDetailJson(message: MessageExt): MessageDetailJson {
  return {
    ...messageSummaryJson(message),
    bornHost: message.bornHost,
    commitLogOffset: message.commitLogOffset,
    sysFlag: message.sysFlag,
    flag: message.flag,
    properties: Object.fromEntries(message.properties),
    bodyBase64: message.body.toString('base64'),
  };
}
