// The body of Keel's KEEL_LIST_HALF_MESSAGES response (not a RocketMQ request; docs/protocol.md):
// the open half messages of one broker, oldest first.
//
//   {"total":2,"halfMessages":[{"msgId":"7F00...","offsetMsgId":"7F00...","topic":"Orders",
//     "producerGroup":"order-tx","halfQueueOffset":17,"commitLogOffset":5242,
//     "bornTimestamp":1700000000000,"storeTimestamp":1700000000003,"ageMs":905000,"checkTimes":15,
//     "lastCheckTimestamp":1700000900000,"state":"PARKED"}, ...]}
//
// `total` counts every match; `halfMessages` holds at most the maxCount asked for.

import { writeFastjsonBytes } from '../../common/json/fastjson-writer';
import { listField, parseBody, type BodyValue } from './body-value';

/** The most half messages one KEEL_LIST_HALF_MESSAGES answers with. */
export const MAX_LISTED_HALF_MESSAGES = 10_000;

export const HALF_MESSAGE_LIST_STATES = ['PREPARED', 'PARKED'] as const;
export type HalfMessageListState = (typeof HALF_MESSAGE_LIST_STATES)[number];

export interface HalfMessageListItem {
  /** UNIQ_KEY: the producer's msgId, also its transactionId. */
  readonly msgId: string;
  /** The half message's offset message id (this broker's address + its commit-log offset). */
  readonly offsetMsgId: string;
  /** The topic it is delivered to once committed (REAL_TOPIC). */
  readonly topic: string;
  readonly producerGroup: string;
  /** Its offset in RMQ_SYS_TRANS_HALF_TOPIC queue 0 (END_TRANSACTION's tranStateTableOffset). */
  readonly halfQueueOffset: number;
  readonly commitLogOffset: number;
  readonly bornTimestamp: number;
  readonly storeTimestamp: number;
  /** Time since it was stored, on the broker's clock. */
  readonly ageMs: number;
  readonly checkTimes: number;
  /** 0 before the first check. */
  readonly lastCheckTimestamp: number;
  readonly state: HalfMessageListState;
}

export interface HalfMessageListBody {
  readonly total: number;
  readonly halfMessages: readonly HalfMessageListItem[];
}

export function encodeHalfMessageList(body: HalfMessageListBody): Buffer {
  return writeFastjsonBytes({
    total: body.total,
    halfMessages: body.halfMessages.map((item) => ({ ...item })),
  });
}

export function decodeHalfMessageList(bytes: Uint8Array): HalfMessageListBody {
  const root = parseBody('HalfMessageListBody', bytes);
  return {
    total: root.required('total').int(),
    halfMessages: listField(root, 'halfMessages', decodeItem),
  };
}

function decodeItem(item: BodyValue): HalfMessageListItem {
  const long = (name: string) => item.required(name).long();
  return {
    msgId: item.required('msgId').string(),
    offsetMsgId: item.required('offsetMsgId').string(),
    topic: item.required('topic').string(),
    producerGroup: item.required('producerGroup').string(),
    halfQueueOffset: long('halfQueueOffset'),
    commitLogOffset: long('commitLogOffset'),
    bornTimestamp: long('bornTimestamp'),
    storeTimestamp: long('storeTimestamp'),
    ageMs: long('ageMs'),
    checkTimes: item.required('checkTimes').int(),
    lastCheckTimestamp: long('lastCheckTimestamp'),
    state: item.required('state').oneOf(HALF_MESSAGE_LIST_STATES),
  };
}
