// Delivering due timed messages: each parked record is read from the commit log, checked against
// the bucket entry that named it, and stored again under its REAL_TOPIC and REAL_QID.
//
// What the delivered copy keeps: body, flag, born time and hosts, UNIQ_KEY (so a consumer sees the
// message id the producer got, and can recognise the duplicate a crash may cause), tags, keys, user
// properties, and TIMER_OUT_MS (when it was due). What it drops: REAL_TOPIC and REAL_QID (as
// RocketMQ 5 does), and the request properties TIMER_DELIVER_MS, TIMER_DELAY_SEC, TIMER_DELAY_MS
// and __STARTDELIVERTIME. A copy of the delivered message (a client's send-back fallback, a resend
// from the DLQ) is then an ordinary message again: a relative delay is not applied a second time,
// and a retry that adds a DELAY level is not refused for naming both a level and a time.
//
// Batches are appended in the order they were handed over, whatever order their reads finish in,
// so messages due in order are stored in order.

import { MessageConst } from '../../protocol/message/message-const';
import { parseMessageProperties } from '../../protocol/message/message-properties';
import type { DecodedStoredMessage } from '../../protocol/message/stored-message-decoder';
import type { PutMessageRequest, PutMessageResult, PutMessageStatus } from '../../store/message-store';
import { DELIVERY_TIME_PROPERTIES } from '../delivery/delivery-time';
import { realDestinationOf, storedMessagePut } from '../delivery/stored-message-put';
import { SystemTopic } from '../topic/system-topics';
import type { TimerEntry } from './timer-bucket-layout';
import type { TimerStore } from './timer-store';

const DROPPED_ON_DELIVERY: readonly string[] = [
  MessageConst.PROPERTY_REAL_TOPIC,
  MessageConst.PROPERTY_REAL_QUEUE_ID,
  ...DELIVERY_TIME_PROPERTIES,
];

/**
 * Statuses after which the same put can succeed later (the disk recovers). Not FLUSH_DISK_TIMEOUT:
 * that copy is in the commit log already, so it counts as delivered; putting it again would deliver
 * it twice. The checkpoint flushes the log before it claims the delivery.
 */
const RETRIABLE: ReadonlySet<PutMessageStatus> = new Set<PutMessageStatus>([
  'SERVICE_NOT_AVAILABLE',
  'UNKNOWN_ERROR',
]);

export interface DroppedTimer {
  readonly entry: TimerEntry;
  /** Why it cannot be delivered, and what to do about it. */
  readonly problem: string;
}

export interface TimerBatchOutcome {
  readonly delivered: number;
  /** Of those, the copies stored whose flush timed out (durable once a later flush succeeds). */
  readonly unflushed?: number;
  /** Not delivered for now (the store refused for a while); to be tried again. */
  readonly retry: readonly TimerEntry[];
  /** Can never be delivered; reported and given up. */
  readonly dropped: readonly DroppedTimer[];
  /** What made the entries in `retry` fail. */
  readonly retryCause?: unknown;
}

export class TimerDeliverer {
  readonly #store: TimerStore;
  /** Settles once the previous batch's puts have been appended (not acknowledged). */
  #appendTurn: Promise<void> = Promise.resolve();

  constructor(store: TimerStore) {
    this.#store = store;
  }

  /** Delivers `entries` (due now, earliest first) and resolves once every put is acknowledged. */
  async deliver(entries: readonly TimerEntry[]): Promise<TimerBatchOutcome> {
    const reads = Promise.all(
      entries.map((entry) => this.#store.readMessageAt(entry.commitLogOffset, entry.size)),
    );
    const appended = this.#appendTurn.then(async () => {
      const plan = planDelivery(entries, await reads);
      // putMessages appends synchronously when called; only the wait for acknowledgement is async.
      return { plan, acknowledged: this.#store.putMessages(plan.puts.map((put) => put.request)) };
    });
    this.#appendTurn = appended.then(
      () => undefined,
      // The failure reaches this batch's caller through `appended`; the next batch just goes on.
      () => undefined,
    );
    let plan: DeliveryPlan;
    let results: PutMessageResult[];
    try {
      const turn = await appended;
      plan = turn.plan;
      results = await turn.acknowledged;
    } catch (error) {
      // A failed read (or a store that threw): nothing of this batch is known delivered.
      return { delivered: 0, retry: entries, dropped: [], retryCause: error };
    }
    const retry: TimerEntry[] = [];
    const dropped = [...plan.dropped];
    let delivered = 0;
    let unflushed = 0;
    let retryCause: unknown;
    results.forEach((result, i) => {
      const { entry, destination } = plan.puts[i]!;
      if (result.status === 'PUT_OK') delivered++;
      else if (result.status === 'FLUSH_DISK_TIMEOUT') {
        delivered++;
        unflushed++;
      } else if (RETRIABLE.has(result.status)) {
        retry.push(entry);
        retryCause ??= result.error ?? new Error(`the store answered ${result.status}`);
      } else {
        dropped.push({
          entry,
          problem: `the store refused the delivered copy for ${destination} (${result.status}: ${result.error?.message ?? 'no detail'})`,
        });
      }
    });
    return retryCause === undefined
      ? { delivered, unflushed, retry, dropped }
      : { delivered, unflushed, retry, dropped, retryCause };
  }
}

interface DeliveryPlan {
  readonly puts: ReadonlyArray<{ entry: TimerEntry; request: PutMessageRequest; destination: string }>;
  readonly dropped: readonly DroppedTimer[];
}

function planDelivery(
  entries: readonly TimerEntry[],
  messages: ReadonlyArray<DecodedStoredMessage | undefined>,
): DeliveryPlan {
  const puts: Array<{ entry: TimerEntry; request: PutMessageRequest; destination: string }> = [];
  const dropped: DroppedTimer[] = [];
  entries.forEach((entry, i) => {
    const copy = deliveredCopyOf(entry, messages[i]);
    if (typeof copy === 'string') dropped.push({ entry, problem: copy });
    else puts.push({ entry, request: copy, destination: `${copy.fields.topic}/${copy.fields.queueId}` });
  });
  return { puts, dropped };
}

/** The put that delivers the record `entry` names, or why it cannot be delivered. */
export function deliveredCopyOf(
  entry: TimerEntry,
  message: DecodedStoredMessage | undefined,
): PutMessageRequest | string {
  const at = `commit-log offset ${entry.commitLogOffset}`;
  if (message === undefined) {
    return (
      `no record at ${at}: it was removed before it was due (keep the store's fileReservedTime ` +
      `above timerMaxDelaySec) or lost with unflushed data after a machine crash`
    );
  }
  const properties = parseMessageProperties(message.properties);
  const timerOut = properties.get(MessageConst.PROPERTY_TIMER_OUT_MS);
  if (message.topic !== SystemTopic.TIMER || timerOut !== String(entry.dueMs)) {
    // A bucket entry written before a machine crash can point at a record the recovered log no
    // longer has; the record now there was filed again under its own entry.
    return `the record at ${at} is ${message.topic} due ${timerOut ?? 'never'}, not the timed message due ${entry.dueMs} that was filed`;
  }
  const destination = realDestinationOf(properties);
  if (destination === undefined) {
    return `the timed message at ${at} has no valid REAL_TOPIC and REAL_QID, so its destination is unknown`;
  }
  for (const name of DROPPED_ON_DELIVERY) properties.delete(name);
  return storedMessagePut(message, { topic: destination.topic, queueId: destination.queueId, properties });
}
