// Dead letters of a consumer group: list what is in %DLQ%<group> and resend chosen messages.
//
// A resend goes to %RETRY%<group> on the broker that holds the dead letter, not to the original
// topic: only the group that failed the message sees it again (other groups subscribed to the
// topic consumed it long ago), and its consumers see the original topic because RETRY_TOPIC is
// kept. The copy keeps the producer's msgId (UNIQ_KEY), keys, tags and user properties, so
// idempotent handlers recognise it, and starts again at reconsumeTimes 0 with the group's full
// retry budget. The dead letter stays in the DLQ (it is the record of what failed); resending it
// twice delivers it twice. A committed transactional message's copies keep TRAN_MSG and PGROUP (as
// in RocketMQ); the resend drops them, the transaction bookkeeping properties and the transaction
// type: it is an ordinary message, not a new half message waiting for a commit.

import { encodeSendMessageHeaderV2 } from '../../protocol/headers/send-headers';
import { MessageConst } from '../../protocol/message/message-const';
import { messagePropertiesToString } from '../../protocol/message/message-properties';
import {
  COMPRESSION_TYPE_MASK,
  MessageSysFlag,
  TRANSACTION_TYPE_MASK,
} from '../../protocol/message/message-sys-flag';
import { RequestCode } from '../../protocol/remoting/request-code';
import type { MessageExt } from '../message';
import { AdminError, AdminErrorCodes } from './admin-errors';
import { askSuccess, type AdminRequester } from './admin-requester';
import { consumeMessages } from './message-admin';
import type { ProgressListener } from './progress';

/** The most messages a list or resend reads from a DLQ unless told otherwise. */
export const DEAD_LETTER_SCAN_LIMIT = 10_000;

const DLQ_PREFIX = '%DLQ%';
const RETRY_PREFIX = '%RETRY%';
const RESEND_PRODUCER_GROUP = 'KEEL_DLQ_RESEND';

/** Properties a resent copy does not keep (see the top of this file). */
const DROPPED_ON_RESEND: readonly string[] = [
  // Due now, and not counted as a failure again.
  MessageConst.PROPERTY_DELAY_TIME_LEVEL,
  MessageConst.PROPERTY_RECONSUME_TIME,
  MessageConst.PROPERTY_MAX_RECONSUME_TIMES,
  // Not a half message.
  MessageConst.PROPERTY_TRANSACTION_PREPARED,
  MessageConst.PROPERTY_PRODUCER_GROUP,
  MessageConst.PROPERTY_TRANSACTION_PREPARED_QUEUE_OFFSET,
];

export interface DeadLetter {
  readonly message: MessageExt;
  /** The topic the message was sent to (its RETRY_TOPIC), or the DLQ topic when unknown. */
  readonly originalTopic: string;
}

export type DeadLetterSelector =
  { readonly msgId: string } | { readonly key: string } | { readonly all: true };

export interface ResentDeadLetter {
  readonly msgId: string;
  readonly originalTopic: string;
  /** The offset message id of the copy in %RETRY%<group>. */
  readonly resentOffsetMsgId: string;
}

/** Up to `limit` dead letters of `group`, oldest first. */
export async function listDeadLetters(
  requester: AdminRequester,
  group: string,
  limit = DEAD_LETTER_SCAN_LIMIT,
  onProgress?: ProgressListener,
): Promise<DeadLetter[]> {
  checkGroup(group);
  let messages: MessageExt[];
  try {
    messages = await consumeMessages(requester, { topic: DLQ_PREFIX + group, count: limit }, onProgress);
  } catch (error) {
    // No DLQ topic: the group has never dead-lettered anything.
    if (error instanceof AdminError && error.code === AdminErrorCodes.TOPIC_NOT_FOUND) return [];
    throw error;
  }
  return messages.map((message) => ({
    message,
    originalTopic: message.properties.get(MessageConst.PROPERTY_RETRY_TOPIC) ?? message.topic,
  }));
}

/**
 * Resends the dead letters `selector` picks (by msgId — the producer's UNIQ_KEY, the DLQ copy's
 * offset id or its ORIGIN_MESSAGE_ID —, by key, or all) to `%RETRY%<group>`.
 */
export async function resendDeadLetters(
  requester: AdminRequester,
  group: string,
  selector: DeadLetterSelector,
  bornTimestampMs: number,
  limit = DEAD_LETTER_SCAN_LIMIT,
  onProgress?: ProgressListener,
): Promise<ResentDeadLetter[]> {
  const chosen = (await listDeadLetters(requester, group, limit)).filter((letter) =>
    isSelected(letter.message, selector),
  );
  if (chosen.length === 0 && !('all' in selector)) {
    const what = 'msgId' in selector ? `msgId ${selector.msgId}` : `key ${selector.key}`;
    throw new AdminError(
      AdminErrorCodes.MESSAGE_NOT_FOUND,
      `no dead letter of group ${group} has ${what} (read the first ${limit} of ${DLQ_PREFIX}${group}; list them with 'keel admin dlq list -g ${group}')`,
    );
  }
  const resent: ResentDeadLetter[] = [];
  for (const letter of chosen) {
    resent.push(await resend(requester, group, letter, bornTimestampMs));
    onProgress?.({ done: resent.length, total: chosen.length, unit: 'messages resent' });
  }
  return resent;
}

function isSelected(message: MessageExt, selector: DeadLetterSelector): boolean {
  if ('all' in selector) return true;
  if ('key' in selector) return message.keys.includes(selector.key);
  const id = selector.msgId.toUpperCase();
  return (
    message.msgId.toUpperCase() === id ||
    message.offsetMsgId.toUpperCase() === id ||
    message.properties.get(MessageConst.PROPERTY_ORIGIN_MESSAGE_ID)?.toUpperCase() === id
  );
}

async function resend(
  requester: AdminRequester,
  group: string,
  letter: DeadLetter,
  bornTimestampMs: number,
): Promise<ResentDeadLetter> {
  const { message } = letter;
  const properties = new Map(message.properties);
  properties.set(MessageConst.PROPERTY_RETRY_TOPIC, letter.originalTopic);
  for (const name of DROPPED_ON_RESEND) properties.delete(name);
  const extFields = encodeSendMessageHeaderV2({
    producerGroup: RESEND_PRODUCER_GROUP,
    topic: RETRY_PREFIX + group,
    defaultTopic: 'TBW102',
    defaultTopicQueueNums: 1,
    queueId: 0,
    // The body was decompressed when read; it goes back as it is, as a plain (not transactional) message.
    sysFlag:
      message.sysFlag & ~(COMPRESSION_TYPE_MASK | MessageSysFlag.COMPRESSED_FLAG | TRANSACTION_TYPE_MASK),
    bornTimestamp: bornTimestampMs,
    flag: message.flag,
    properties: messagePropertiesToString(properties),
    reconsumeTimes: 0,
    unitMode: false,
    maxReconsumeTimes: undefined,
    batch: false,
    bname: undefined,
  });
  // The dead letter's store host is the broker that holds the group's DLQ and retry topics.
  const response = await askSuccess(requester, message.storeHost, {
    code: RequestCode.SEND_MESSAGE_V2,
    extFields,
    body: message.body,
  });
  return {
    msgId: message.msgId,
    originalTopic: letter.originalTopic,
    resentOffsetMsgId: response.extFields.get('msgId') ?? '',
  };
}

function checkGroup(group: string): void {
  if (group.trim() === '') {
    throw new AdminError(AdminErrorCodes.INVALID_ARGUMENT, 'a consumer group is required (-g <group>)');
  }
}
