// Broker locks of an orderly CLUSTERING consumer (LOCK_BATCH_MQ / UNLOCK_BATCH_MQ, facts §2.10,
// §8.4). Only one consumer of a group may consume a queue in order; the broker's lock table says
// which. Locks are asked per broker (one request per broker group) and renewed every 20 s; a local
// lock older than 30 s is not trusted, well inside the broker's 60 s.

import type { ConsumerBrokerApi, MessageLike } from './consumer-broker-api';
import { messageQueueKey, type MessageQueue } from './message-queue';
import type { ProcessQueueTable } from './process-queue-table';

/** rocketmq.client.rebalance.lockInterval. */
export const LOCK_RENEW_INTERVAL_MS = 20_000;

/** Groups queues by broker name, keeping their order. */
export function groupByBroker(queues: readonly MessageQueue[]): Map<string, MessageQueue[]> {
  const byBroker = new Map<string, MessageQueue[]>();
  for (const queue of queues) {
    const list = byBroker.get(queue.brokerName);
    if (list === undefined) byBroker.set(queue.brokerName, [queue]);
    else list.push(queue);
  }
  return byBroker;
}

/** Asks the broker for one queue's lock; true when this client holds it now. */
export async function lockQueue(
  api: Pick<ConsumerBrokerApi, 'lockBatch'>,
  queue: MessageQueue,
): Promise<boolean> {
  const locked = await api.lockBatch(queue.brokerName, [queue]);
  const wanted = messageQueueKey(queue);
  return locked.some((candidate) => messageQueueKey(candidate) === wanted);
}

export interface LockRenewalOutcome {
  readonly locked: MessageQueue[];
  readonly notLocked: MessageQueue[];
  /** Brokers whose LOCK_BATCH_MQ failed; their queues keep their previous state until it expires. */
  readonly failures: { readonly brokerName: string; readonly error: unknown }[];
}

/**
 * RebalanceImpl.lockAll: renews the locks of every assigned queue. A queue the broker did not
 * grant is marked unlocked at once, so its consumption stops; a failed request changes nothing,
 * and the local expiry stops consumption if the broker stays unreachable.
 */
export async function renewLocks<M extends MessageLike>(
  api: Pick<ConsumerBrokerApi, 'lockBatch'>,
  table: ProcessQueueTable<M>,
): Promise<LockRenewalOutcome> {
  const outcome: LockRenewalOutcome = { locked: [], notLocked: [], failures: [] };
  const assigned = table.all().filter((entry) => !entry.processQueue.dropped);
  const byBroker = groupByBroker(assigned.map((entry) => entry.queue));
  await Promise.all(
    [...byBroker].map(async ([brokerName, queues]) => {
      let granted: readonly MessageQueue[];
      try {
        granted = await api.lockBatch(brokerName, queues);
      } catch (error) {
        outcome.failures.push({ brokerName, error });
        return;
      }
      const grantedKeys = new Set(granted.map(messageQueueKey));
      for (const queue of queues) {
        const processQueue = table.get(queue);
        if (processQueue === undefined) continue;
        if (grantedKeys.has(messageQueueKey(queue))) {
          processQueue.markLocked();
          outcome.locked.push(queue);
        } else {
          processQueue.locked = false;
          outcome.notLocked.push(queue);
        }
      }
    }),
  );
  return outcome;
}
