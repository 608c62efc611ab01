// What a handler receives: the deserialized body and the message's identity and metadata, with
// the broker's MessageExt as `raw` for anything else. A redelivery (through %RETRY%<group>) shows
// the original topic, and the same msgId (UNIQ_KEY) as the first delivery.

import type { MessageExt } from '@keel/broker/client';
import { headersOf } from '../publish/keel-properties';
import { deserializeBody, type Serializer } from '../runtime/serializer';

export interface Delivered<T = unknown> {
  readonly body: T;
  /** UNIQ_KEY: the same on every redelivery of one published message. */
  readonly msgId: string;
  readonly topic: string;
  readonly tag: string | undefined;
  /** KEYS: publish()'s `key` is keys[0]. */
  readonly keys: readonly string[];
  /** publish()'s `headers`: the message's user properties. */
  readonly headers: Readonly<Record<string, string>>;
  /**
   * Failed deliveries before this one (0 on the first), local retries of an orderly handler
   * included (raw.reconsumeTimes is the broker's count, which does not see those).
   */
  readonly reconsumeTimes: number;
  /** Epoch ms the producer sent it. */
  readonly bornTimestamp: number;
  readonly raw: MessageExt;
}

/**
 * `reconsumeTimes` is the consumer's count of failed deliveries before this one. Throws a TxError
 * (SERIALIZATION) when the body cannot be deserialized.
 */
export function toDelivered(raw: MessageExt, serializer: Serializer, reconsumeTimes: number): Delivered {
  return Object.freeze({
    body: deserializeBody(serializer, raw.topic, raw.msgId, raw.body),
    msgId: raw.msgId,
    topic: raw.topic,
    tag: raw.tags,
    keys: raw.keys,
    headers: headersOf(raw.properties),
    reconsumeTimes,
    bornTimestamp: raw.bornTimestamp,
    raw,
  });
}
