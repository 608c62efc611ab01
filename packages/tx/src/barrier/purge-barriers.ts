// Barrier retention: deletes barrier rows created more than `olderThanMs` ago, in batches
// (retention/purge-in-batches.ts).
//
// A row may go only once the broker can no longer check the transaction's half messages: a check
// that finds no row inserts rolled_back and answers ROLLBACK, which for a committed transaction
// would lose its messages. The broker checks a half message while it is open, which ends
//
//   - with END_TRANSACTION, normally right after COMMIT;
//   - when transactionCheckMax checks were answered: at the latest transactionTimeOut +
//     transactionCheckMax × transactionCheckInterval after it was stored (6 s + 15 × 60 s, about
//     15 min, with RocketMQ's defaults), then it is parked for an operator;
//   - when commit-log retention deletes its segment (fileReservedTime, 72 h by default, plus up to
//     a day until deleteWhen), which bounds the case the checks do not: no producer of the group
//     running, so no check is ever answered or counted.
//
// So the bound is max(transactionTimeOut + transactionCheckMax × transactionCheckInterval,
// fileReservedTime + 1 day), about 4 days with the defaults; the runtime's default retention is 7
// days (barrierRetentionMs). The runtime also answers UNKNOW, never ROLLBACK, for a half message
// too old for its row to be trusted (check/check-answerer.ts), so a broker that was stopped for
// longer than the retention parks such messages instead of rolling them back.

import type { Clock } from '@keel/broker';
import type { DataSource } from 'typeorm';
import { purgeInBatches, type PurgeOptions } from '../retention/purge-in-batches';
import { deleteOldRows } from '../sql/delete-old-rows';

/** Deletes barrier rows created before `clock.now() - olderThanMs`; returns how many. */
export function purgeBarriers(
  dataSource: DataSource,
  olderThanMs: number,
  clock: Clock,
  options: PurgeOptions = {},
): Promise<number> {
  return purgeInBatches('purgeBarriers', deleteOldRows('barrier'), dataSource, olderThanMs, clock, options);
}
