// The copy of a parked delay-level message that goes to its real topic and queue.
//
// What the delivered copy carries (a decision; RocketMQ's bytes keep all three by accident, see the
// fact sheet §5.1):
//   DELAY       dropped. The copy is a plain message now; a copy that still said DELAY would be
//               parked again by any path that re-sends it as sent (a DLQ resend, a consumer's
//               fallback send to %RETRY%), and consumers would read a delay that no longer applies.
//   REAL_TOPIC  kept, with REAL_QID: where the message was parked for, which tools show and
//               RocketMQ clients expect; harmless on a plain message (the send path overwrites both
//               when it parks a message again).
// Everything else (body, flag, born time and hosts, reconsume count, sysFlag, other properties) is
// the parked record's.

import { MessageConst } from '../../protocol/message/message-const';
import { parseMessageProperties } from '../../protocol/message/message-properties';
import type { DecodedStoredMessage } from '../../protocol/message/stored-message-decoder';
import type { PutMessageRequest } from '../../store/message-store';
import { realDestinationOf, storedMessagePut } from '../delivery/stored-message-put';
import { SystemTopic } from '../topic/system-topics';

export type ScheduledDelivery =
  { readonly ok: true; readonly put: PutMessageRequest } | { readonly ok: false; readonly reason: string };

/** The put that delivers `message` (read with its body) from SCHEDULE_TOPIC_XXXX, or why it cannot. */
export function scheduledDeliveryOf(message: DecodedStoredMessage): ScheduledDelivery {
  const properties = parseMessageProperties(message.properties);
  const destination = realDestinationOf(properties);
  if (destination === undefined) {
    const topic = properties.get(MessageConst.PROPERTY_REAL_TOPIC);
    const queue = properties.get(MessageConst.PROPERTY_REAL_QUEUE_ID);
    return {
      ok: false,
      reason: `it has no valid REAL_TOPIC/REAL_QID (REAL_TOPIC=${String(topic)}, REAL_QID=${String(queue)})`,
    };
  }
  // RocketMQ drops these too: a half message is never delayed, so such a record is not a real send.
  if (destination.topic === SystemTopic.TRANS_HALF) {
    return { ok: false, reason: `its REAL_TOPIC is ${SystemTopic.TRANS_HALF}, which is never delayed` };
  }
  properties.delete(MessageConst.PROPERTY_DELAY_TIME_LEVEL);
  return {
    ok: true,
    put: storedMessagePut(message, {
      topic: destination.topic,
      queueId: destination.queueId,
      properties,
      waitStoreMsgOk: true,
    }),
  };
}
