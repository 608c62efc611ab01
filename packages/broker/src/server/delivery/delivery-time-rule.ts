// Consume-queue entries of the two scheduling topics carry the delivery time in place of the tag
// hash (RocketMQ does the same for SCHEDULE_TOPIC_XXXX): the schedule service reads a level's queue
// in order and stops at the first entry not yet due without loading any message, and the timer
// service files each entry by its time from the queue alone.

import { MessageConst } from '../../protocol/message/message-const';
import { parseMessageProperties } from '../../protocol/message/message-properties';
import type { TagsCodeRule } from '../../store/dispatch-request';
import { SystemTopic } from '../topic/system-topics';

/**
 * SCHEDULE_TOPIC_XXXX: store time + the delay of the record's DELAY level (clamped to the levels
 * configured, as the send path clamps). The timer topic: its TIMER_OUT_MS.
 */
export function deliveryTimeTagsCodeRule(delayLevelsMs: readonly number[]): TagsCodeRule {
  return (topic, propertiesText, storeTimestamp) => {
    if (topic !== SystemTopic.SCHEDULE && topic !== SystemTopic.TIMER) return undefined;
    const properties = parseMessageProperties(propertiesText);
    if (topic === SystemTopic.TIMER) {
      const at = Number(properties.get(MessageConst.PROPERTY_TIMER_OUT_MS));
      return Number.isSafeInteger(at) ? at : storeTimestamp;
    }
    const level = Number(properties.get(MessageConst.PROPERTY_DELAY_TIME_LEVEL));
    if (!Number.isInteger(level) || level <= 0 || delayLevelsMs.length === 0) return storeTimestamp;
    return storeTimestamp + delayLevelsMs[Math.min(level, delayLevelsMs.length) - 1]!;
  };
}
