// How a published message maps onto RocketMQ's message fields and properties, both ways:
//
//   publish option   →  broker message            Delivered field
//   key              →  KEYS                      keys[0]
//   tag              →  TAGS                      tag
//   delayLevel       →  DELAY                     —
//   deliverAt        →  TIMER_DELIVER_MS          —
//   shardingKey      →  queue by Java hash        —
//   headers          →  user properties           headers
//   (transaction id) →  KEEL_TX_ID                —   (what the check-back reads)
//
// Header names may not be RocketMQ's system property names nor KEEL_TX_ID, so a delivered
// message's headers are exactly its properties minus those names.

import { MessageConst } from '@keel/broker/internal';
import type { Message } from '@keel/broker/client';
import type { OutgoingMessage } from '../context/transaction-record';

/** The property carrying the Keel transaction (barrier) id on every half message. */
export const KEEL_TX_ID_PROPERTY = 'KEEL_TX_ID';

const SYSTEM_PROPERTY_NAMES: ReadonlySet<string> = new Set([
  ...Object.entries(MessageConst)
    .filter(([name]) => name.startsWith('PROPERTY_'))
    .map(([, value]) => value),
  KEEL_TX_ID_PROPERTY,
]);

/** True for names a header may not use (set by RocketMQ, the broker or Keel itself). */
export function isSystemPropertyName(name: string): boolean {
  return SYSTEM_PROPERTY_NAMES.has(name);
}

/** The half message for `message` of transaction `transactionId`. */
export function toBrokerMessage(message: OutgoingMessage, transactionId: string): Message {
  const properties: Record<string, string> = { ...message.headers, [KEEL_TX_ID_PROPERTY]: transactionId };
  if (message.deliverAtMs !== undefined) {
    properties[MessageConst.PROPERTY_TIMER_DELIVER_MS] = String(message.deliverAtMs);
  }
  return {
    topic: message.topic,
    body: message.body,
    properties,
    ...(message.key === undefined ? {} : { keys: message.key }),
    ...(message.tag === undefined ? {} : { tags: message.tag }),
    ...(message.delayLevel === undefined ? {} : { delayLevel: message.delayLevel }),
  };
}

/** The user properties of a delivered message: every property but the system ones. */
export function headersOf(properties: ReadonlyMap<string, string>): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  for (const [name, value] of properties) if (!isSystemPropertyName(name)) headers[name] = value;
  return Object.freeze(headers);
}
