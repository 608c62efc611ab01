// What a consumer's listener receives: the stored message plus where it was pulled from, with a
// redelivered message's original topic restored.
//
// A message redelivered through %RETRY%<group> is stored under that topic with the original one in
// its RETRY_TOPIC property; listeners (and send-backs, which name the origin topic) want the
// original, as the Java client's resetRetryAndNamespace gives them.

import { MessageConst } from '../../protocol/message/message-const';
import type { MessageExt } from '../message';

export interface ConsumedMessage extends MessageExt {
  /** The broker group the message was pulled from; a send-back goes to its master. */
  readonly brokerName: string;
}

export function toConsumedMessage(message: MessageExt, brokerName: string): ConsumedMessage {
  const originalTopic = message.properties.get(MessageConst.PROPERTY_RETRY_TOPIC);
  if (originalTopic === undefined || originalTopic === message.topic) return { ...message, brokerName };
  return { ...message, topic: originalTopic, brokerName };
}
