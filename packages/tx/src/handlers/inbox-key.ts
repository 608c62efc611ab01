// The inbox key of a delivery: what makes two deliveries "the same message" for a handler. A key
// that cannot be had (no KEYS for 'key', a key function that throws or returns a non-string) is
// the same on every redelivery, so it is a NonRetriableError: the message goes to the dead-letter
// queue with the reason, instead of failing sixteen times.

import { NonRetriableError } from '../errors';
import type { IdempotencyKeySource } from '../metadata/handler-options';
import { MAX_INBOX_FIELD_LENGTH } from '../schema/keel-tables-ddl';
import type { Delivered } from './delivered';

/** How a receiver keys its inbox: a handler's option, or the stored record (dead letters). */
export type InboxKeySource = IdempotencyKeySource | 'offsetMsgId';

export function inboxKeyOf(source: InboxKeySource, message: Delivered, handler: string): string {
  let key: unknown;
  if (source === 'messageId') key = message.msgId;
  else if (source === 'offsetMsgId') key = message.raw.offsetMsgId;
  else if (source === 'key') {
    key = message.keys[0];
    if (key === undefined) {
      throw new NonRetriableError(
        `${handler} dedupes by idempotencyKey 'key' but message ${message.msgId} has no key; ` +
          "publish it with { key }, or use idempotencyKey 'messageId'",
      );
    }
  } else {
    try {
      key = (source as (delivered: Delivered) => unknown)(message);
    } catch (error: unknown) {
      throw new NonRetriableError(
        `${handler}: its idempotencyKey function threw for message ${message.msgId} (the cause)`,
        { cause: error },
      );
    }
  }
  if (typeof key !== 'string' || key === '' || key.length > MAX_INBOX_FIELD_LENGTH) {
    throw new NonRetriableError(
      `${handler}: the idempotency key of message ${message.msgId} must be a string of 1 to ` +
        `${MAX_INBOX_FIELD_LENGTH} characters, got ${typeof key === 'string' ? `${key.length} characters` : typeof key}`,
    );
  }
  return key;
}
