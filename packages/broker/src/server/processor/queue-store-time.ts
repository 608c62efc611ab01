// RocketMQ's getMessageStoreTimeStamp(topic, queueId, queueOffset): the store time of the message
// at one queue offset, which the admin statistics report as "last update" and "last consumed".

import { decodeStoredMessage } from '../../protocol/message/stored-message-decoder';
import type { MessageStore } from '../../store/message-store';

/** Store time in ms of the message at `queueOffset`, or 0 when it is not stored (any more). */
export async function storeTimeAtQueueOffset(
  store: MessageStore,
  topic: string,
  queueId: number,
  queueOffset: number,
): Promise<number> {
  if (queueOffset < 0) return 0;
  const found = await store.getMessage(topic, queueId, queueOffset, { maxMessages: 1, maxBytes: 1 });
  const record = found.records[0];
  if (found.status !== 'FOUND' || record === undefined) return 0;
  const decoded = decodeStoredMessage(record, 0, { withBody: false });
  // getMessage skips removed entries, so the record found may lie after the offset asked for.
  if (decoded.kind !== 'message' || decoded.message.queueOffset !== queueOffset) return 0;
  return decoded.message.storeTimestamp;
}
