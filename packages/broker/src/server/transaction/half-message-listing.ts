// What `keel admin tx list` shows of this broker's open half messages (KEEL_LIST_HALF_MESSAGES):
// the PREPARED and PARKED ones, oldest first. Details are read from the record when not known yet
// and kept, as the check service keeps them.

import type { HostAddress } from '../../protocol/message/host-address';
import { createOffsetMessageId } from '../../protocol/message/message-id';
import type { HalfMessageListBody, HalfMessageListItem } from '../../protocol/bodies/half-message-list';
import type { MessageStore } from '../../store/message-store';
import { halfMessageDetails } from './half-message-record';
import { HalfMessageState } from './half-message-state';
import type { HalfMessageTable } from './half-message-table';

export interface HalfMessageListQuery {
  readonly maxCount: number;
  /** Only half messages with this UNIQ_KEY. */
  readonly msgId?: string | undefined;
}

export async function listHalfMessages(
  table: HalfMessageTable,
  store: MessageStore,
  storeHost: HostAddress,
  query: HalfMessageListQuery,
  nowMs: number,
): Promise<HalfMessageListBody> {
  const items: HalfMessageListItem[] = [];
  let matching = 0;
  for (const entry of [...table.entries()].sort((a, b) => a.halfOffset - b.halfOffset)) {
    if (entry.details === undefined) {
      const half = await store.readMessageAt(entry.commitLogOffset);
      // Unreadable (expired): the check service drops it; the list leaves it out.
      if (half === undefined) continue;
      entry.details = halfMessageDetails(half);
    }
    const { details } = entry;
    if (query.msgId !== undefined && details.msgId !== query.msgId) continue;
    matching++;
    if (items.length >= query.maxCount) continue;
    items.push({
      msgId: details.msgId,
      offsetMsgId: createOffsetMessageId(storeHost, entry.commitLogOffset),
      topic: details.realTopic,
      producerGroup: details.producerGroup,
      halfQueueOffset: entry.halfOffset,
      commitLogOffset: entry.commitLogOffset,
      bornTimestamp: details.bornTimestamp,
      storeTimestamp: details.storeTimestamp,
      ageMs: Math.max(0, nowMs - details.storeTimestamp),
      checkTimes: entry.checks,
      lastCheckTimestamp: entry.lastCheckAt ?? 0,
      state: entry.state === HalfMessageState.PARKED ? 'PARKED' : 'PREPARED',
    });
  }
  return { total: matching, halfMessages: items };
}
