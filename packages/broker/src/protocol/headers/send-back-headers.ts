// Header of CONSUMER_SEND_MSG_BACK (36) (fact sheet §2.7): a consumer hands a message it failed to
// process back to the broker, which schedules a retry or moves it to the DLQ.

import { defineHeader, type HeaderOf } from './header-codec';
import { boolean, int, long, optionalInt, optionalString, string, withDefault } from './header-fields';

export const ConsumerSendMsgBackRequestHeader = defineHeader('ConsumerSendMsgBackRequestHeader', {
  /** Commit-log physical offset of the failed message. */
  offset: long(),
  group: string(),
  /** 0: the broker chooses (3 + reconsumeTimes); -1: straight to the DLQ; > 0: that level. */
  delayLevel: int(),
  originMsgId: optionalString(),
  originTopic: optionalString(),
  unitMode: withDefault(boolean(), false),
  /** Honoured when the request's version is at least V3_4_9. */
  maxReconsumeTimes: optionalInt(),
  bname: optionalString(),
});
export type ConsumerSendMsgBackRequestHeader = HeaderOf<typeof ConsumerSendMsgBackRequestHeader>;
