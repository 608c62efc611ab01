// runInTransaction: the function behind @Transactional(). See transaction-runner.ts for the
// guarantees and docs/tx.md for how the barrier row makes check-backs race-free.

import { IllegalStateError } from '@keel/broker';
import type { DataSource } from 'typeorm';
import type { TransactionContext } from './transaction-context';
import { resolveTransactionOptions, type TransactionOptions } from './transaction-options';
import { runTransaction, type RunHints } from './transaction-runner';

/**
 * Runs `fn` in a database transaction and commits when `fn` (and the beforeCommit hooks) succeed.
 * Inside an open transaction on the same DataSource it joins that one instead. Whatever `fn`
 * throws reaches the caller unchanged. The barrier row is claimed only if the transaction
 * publishes (or calls `context.claimBarrier()`).
 */
export function runInTransaction<T>(
  dataSource: DataSource,
  fn: (context: TransactionContext) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  return runWithHints(dataSource, fn, options, {});
}

/** @internal runInTransaction with the runner's hints (@Transactional() passes what it learned). */
export async function runWithHints<T>(
  dataSource: DataSource,
  fn: (context: TransactionContext) => Promise<T>,
  options: TransactionOptions,
  hints: RunHints,
): Promise<T> {
  const resolved = resolveTransactionOptions(options, 'runInTransaction');
  const result = await runTransaction(dataSource, resolved, undefined, fn, hints);
  // Without a prologue nothing can skip the callback.
  if (!result.ran)
    throw new IllegalStateError('runInTransaction: the callback was skipped without a prologue');
  return result.value;
}
