// Inbox retention: deletes rows of messages handled more than `olderThanMs` ago, in batches
// (retention/purge-in-batches.ts).
//
// A purged row no longer stops a duplicate: keep `olderThanMs` longer than any redelivery can
// arrive (RocketMQ's default retry schedule of 16 delays spans about 4 h 46 min, and a DLQ
// resend can come days later).

import type { Clock } from '@keel/broker';
import type { DataSource } from 'typeorm';
import { purgeInBatches, type PurgeOptions } from '../retention/purge-in-batches';
import { deleteOldRows } from '../sql/delete-old-rows';

export type PurgeInboxOptions = PurgeOptions;

/** Deletes inbox rows handled before `clock.now() - olderThanMs`; returns how many. */
export function purgeInbox(
  dataSource: DataSource,
  olderThanMs: number,
  clock: Clock,
  options: PurgeInboxOptions = {},
): Promise<number> {
  return purgeInBatches('purgeInbox', deleteOldRows('inbox'), dataSource, olderThanMs, clock, options);
}
