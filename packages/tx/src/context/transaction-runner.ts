// Drives one Keel transaction through its states (transaction-state.ts), for runInTransaction and
// runOnce. What it guarantees, and why in this order:
//
// - The first statement is the prologue (runOnce's inbox row), so a concurrent duplicate meets its
//   row lock before any business write happens.
// - The barrier row is claimed only when needed: context.claimBarrier(), which publish() calls
//   before the first half message. A check-back can only come for a half message, so it always
//   finds the row (locked while the transaction runs); a transaction that publishes nothing writes
//   none. When the caller expects messages, the claim rides on BEGIN instead (barrier-opening.ts).
// - A call inside an open transaction on the same DataSource joins it: one commit, one barrier. An
//   error escaping the joined call makes the whole transaction roll back, even if the outer code
//   catches it (silently committing half of a failed unit is the bug users report most).
// - The original error reaches the caller as the same object; a failed ROLLBACK is attached to
//   it (rollback-error.ts) and reported, never thrown in its place.
// - A statement that failed while the callback carried on has aborted the PostgreSQL transaction;
//   COMMIT would then quietly roll back while TypeORM reports success. A probe before COMMIT
//   turns that into a typed error.
// - The connection goes back to the pool before after-hooks run (on PGlite it is the only one).
// - After a COMMIT whose answer was lost, neither afterCommit nor afterRollback runs.

import { randomUUID } from 'node:crypto';
import type { DataSource, QueryRunner } from 'typeorm';
import { claimBarrier } from '../barrier/claim-barrier';
import { canOpenWithBarrier, openWithBarrier, type BarrierOpening } from './barrier-opening';
import { TxError, TxErrorCodes } from '../errors';
import { reportSafely, type TxProblem, type TxProblemReporter } from '../problems';
import { commitFailureOutcome, SqlState, sqlStateOf } from '../sql-state';
import type { SqlRunner } from '../sql/sql-runner';
import { findCurrentTransaction, runWithContext } from './current-transaction';
import { attachRollbackError } from './rollback-error';
import { TransactionContext } from './transaction-context';
import type { ResolvedTransactionOptions } from './transaction-options';
import { TransactionRecord } from './transaction-record';

/**
 * Statements that run first; 'skip' ends the transaction (rolled back) without running the
 * callback. `joined` says the transaction was opened by an outer call and already has statements.
 */
export type Prologue = (runner: SqlRunner, joined: boolean) => Promise<'proceed' | 'skip'>;

export type RunResult<T> = { readonly ran: true; readonly value: T } | { readonly ran: false };

export interface RunHints {
  /**
   * The transaction will probably publish: claim the barrier with BEGIN, in the same round trip,
   * where that is possible (barrier-opening.ts). A wrong guess only costs an unused barrier row.
   */
  readonly expectsMessages?: boolean;
}

type CommitProgress = 'not-sent' | 'sent' | 'succeeded';

interface Running {
  readonly context: TransactionContext;
  readonly record: TransactionRecord;
  readonly runner: QueryRunner;
  readonly report: TxProblemReporter;
  /** START TRANSACTION succeeded, so there is something to roll back. */
  begun: boolean;
  commit: CommitProgress;
  /** Set when START TRANSACTION is to carry the barrier claim (barrier-opening.ts). */
  readonly opening: BarrierOpening | undefined;
}

// The runner's view of contexts it created, so a joining call can reach the shared record.
const recordsByContext = new WeakMap<TransactionContext, TransactionRecord>();

export async function runTransaction<T>(
  dataSource: DataSource,
  options: ResolvedTransactionOptions,
  prologue: Prologue | undefined,
  fn: (context: TransactionContext) => Promise<T>,
  hints: RunHints = {},
): Promise<RunResult<T>> {
  const outer = findCurrentTransaction();
  if (outer !== undefined) return joinTransaction(outer, dataSource, options, prologue, fn);
  return runNewTransaction(dataSource, options, prologue, fn, hints);
}

async function joinTransaction<T>(
  outer: TransactionContext,
  dataSource: DataSource,
  options: ResolvedTransactionOptions,
  prologue: Prologue | undefined,
  fn: (context: TransactionContext) => Promise<T>,
): Promise<RunResult<T>> {
  checkJoin(outer, dataSource, options);
  const record = recordsByContext.get(outer);
  const runner = outer.manager.queryRunner;
  if (record === undefined || runner === undefined) {
    throw new TxError(
      TxErrorCodes.NESTED_MISMATCH,
      `transaction ${outer.id} was not started by Keel's runner`,
    );
  }
  try {
    if (prologue !== undefined && (await prologue(runner, true)) === 'skip') return { ran: false };
    return { ran: true, value: await fn(outer) };
  } catch (error: unknown) {
    record.rollbackOnly ??= { error };
    throw error;
  }
}

function checkJoin(
  outer: TransactionContext,
  dataSource: DataSource,
  options: ResolvedTransactionOptions,
): void {
  const mismatch = (what: string) =>
    new TxError(TxErrorCodes.NESTED_MISMATCH, `a nested call cannot join transaction ${outer.id}: ${what}`);
  if (outer.dataSource !== dataSource) {
    throw mismatch(
      'it is on another DataSource, and a Keel transaction spans one database. Start the other ' +
        'transaction outside this one (its commit cannot be atomic with this one anyway)',
    );
  }
  if (options.isolation !== undefined && options.isolation !== outer.isolation) {
    throw mismatch(
      `it asks for isolation ${options.isolation} but the transaction runs at ` +
        `${outer.isolation ?? "the server's default"}; declare the isolation on the outermost call`,
    );
  }
  if (options.transactionId !== undefined && options.transactionId !== outer.id) {
    throw mismatch(`it asks for transaction id ${options.transactionId}`);
  }
}

async function runNewTransaction<T>(
  dataSource: DataSource,
  options: ResolvedTransactionOptions,
  prologue: Prologue | undefined,
  fn: (context: TransactionContext) => Promise<T>,
  hints: RunHints,
): Promise<RunResult<T>> {
  const id = options.transactionId ?? randomUUID();
  const runner = dataSource.createQueryRunner();
  // Through `runner.query` as trackStatements wraps it, like every statement of the transaction.
  const record = new TransactionRecord(() => claimBarrier(runner, options.tables, id, options.clock.now()));
  const context = new TransactionContext(id, dataSource, runner.manager, options.isolation, record);
  recordsByContext.set(context, record);
  const running: Running = {
    context,
    record,
    runner,
    report: options.report,
    begun: false,
    commit: 'not-sent',
    opening:
      hints.expectsMessages === true &&
      canOpenWithBarrier(dataSource, options.isolation, prologue !== undefined, id)
        ? { tables: options.tables, transactionId: id, nowMs: options.clock.now() }
        : undefined,
  };
  trackStatements(running);

  let result: RunResult<T>;
  try {
    await runner.startTransaction(options.isolation);
    result = await runWithContext(context, async (): Promise<RunResult<T>> => {
      if (prologue !== undefined && (await prologue(runner, false)) === 'skip') return { ran: false };
      const value = await fn(context);
      checkNotRollbackOnly(running);
      record.moveTo('before-commit');
      // By index: a hook may add hooks, and those run too.
      for (let index = 0; index < record.beforeCommit.length; index += 1) {
        await record.beforeCommit[index]?.(context);
      }
      checkNotRollbackOnly(running);
      if (record.failedStatement !== undefined) await checkNotAborted(running, record.failedStatement.error);
      return { ran: true, value };
    });
  } catch (error: unknown) {
    await rollBack(running, { error });
    throw error;
  }
  if (!result.ran) {
    await rollBack(running, undefined);
    return result;
  }
  await commit(running);
  return result;
}

function checkNotRollbackOnly({ context, record }: Running): void {
  if (record.rollbackOnly === undefined) return;
  throw new TxError(
    TxErrorCodes.ROLLBACK_ONLY,
    `transaction ${context.id} must roll back: an error escaped a nested call that joined it (the cause) ` +
      'and was caught. Rethrow it, or run that work in a transaction of its own',
    { cause: record.rollbackOnly.error },
  );
}

async function checkNotAborted({ context, runner }: Running, failure: unknown): Promise<void> {
  try {
    await runner.query('SELECT 1');
  } catch (error: unknown) {
    if (sqlStateOf(error) !== SqlState.IN_FAILED_TRANSACTION) throw error;
    throw new TxError(
      TxErrorCodes.ABORTED,
      `transaction ${context.id} cannot commit: a statement in it failed (the cause) and the error was ` +
        'caught, so PostgreSQL aborted the transaction. Let the error propagate, or wrap the statement ' +
        'in currentManager().transaction(...) (a savepoint) to recover from it',
      { cause: failure },
    );
  }
}

async function commit(running: Running): Promise<void> {
  const { context, record, runner, report } = running;
  record.moveTo('committing');
  try {
    await runner.commitTransaction();
  } catch (error: unknown) {
    if (running.commit === 'not-sent') {
      // Something before COMMIT (a TypeORM subscriber) failed: the transaction is still open.
      await rollBackOpen(running, error);
      record.moveTo('rolled-back');
      await release(running);
      await runAfterRollbackHooks(running, error);
      throw error;
    }
    if (running.commit === 'sent') {
      const outcome = commitFailureOutcome(error);
      record.moveTo(outcome === 'rolled-back' ? 'rolled-back' : 'outcome-unknown');
      await release(running);
      if (outcome === 'rolled-back') {
        await runAfterRollbackHooks(running, error);
      } else {
        reportSafely(report, { kind: 'commit-outcome-unknown', transactionId: context.id, error });
      }
      throw error;
    }
    // COMMIT succeeded and a TypeORM subscriber failed after it: the transaction is committed.
    reportSafely(report, { kind: 'after-commit-hook-failed', transactionId: context.id, error });
  }
  record.moveTo('committed');
  await release(running);
  await runAfterHooks(running, 'after-commit-hook-failed', record.afterCommit, (hook) => hook(context));
}

/** Rolls back after `failure` (none when a prologue chose to skip), then runs afterRollback hooks. */
async function rollBack(running: Running, failure: { readonly error: unknown } | undefined): Promise<void> {
  running.record.moveTo('rolling-back');
  await rollBackOpen(running, failure?.error);
  running.record.moveTo('rolled-back');
  await release(running);
  if (failure !== undefined) await runAfterRollbackHooks(running, failure.error);
}

async function rollBackOpen({ context, runner, report, begun }: Running, error: unknown): Promise<void> {
  if (!begun) return;
  try {
    await runner.rollbackTransaction();
  } catch (rollbackError: unknown) {
    // The server ends the transaction anyway once the connection is gone (a failed ROLLBACK means a
    // broken connection), so the outcome is still "rolled back".
    attachRollbackError(error, rollbackError);
    reportSafely(report, { kind: 'rollback-failed', transactionId: context.id, error: rollbackError });
  }
}

async function release({ context, runner, report }: Running): Promise<void> {
  try {
    await runner.release();
  } catch (error: unknown) {
    reportSafely(report, { kind: 'release-failed', transactionId: context.id, error });
  }
}

function runAfterRollbackHooks(running: Running, error: unknown): Promise<void> {
  return runAfterHooks(running, 'after-rollback-hook-failed', running.record.afterRollback, (hook) =>
    hook(running.context, error),
  );
}

/** Runs every hook in order; one hook's failure is reported and does not stop the others. */
async function runAfterHooks<H>(
  { context, report }: Running,
  kind: Extract<TxProblem['kind'], 'after-commit-hook-failed' | 'after-rollback-hook-failed'>,
  hooks: readonly H[],
  call: (hook: H) => void | Promise<void>,
): Promise<void> {
  for (const hook of hooks) {
    try {
      await call(hook);
    } catch (error: unknown) {
      reportSafely(report, { kind, transactionId: context.id, error });
    }
  }
}

/**
 * Wraps the query method of this transaction's own runner (no one else's) to learn what TypeORM
 * does not tell: whether BEGIN happened, whether a statement failed (see checkNotAborted) and how
 * far COMMIT got; and to send the barrier claim with BEGIN when it can (barrier-opening.ts).
 * TypeORM sends exactly 'START TRANSACTION' and 'COMMIT' (PostgresQueryRunner).
 */
function trackStatements(running: Running): void {
  const { runner, record } = running;
  const query = runner.query.bind(runner) as (
    sql: string,
    parameters?: unknown[],
    structured?: boolean,
  ) => Promise<unknown>;
  const tracked = async (sql: string, parameters?: unknown[], structured?: boolean): Promise<unknown> => {
    const isCommit = sql === 'COMMIT';
    if (isCommit) running.commit = 'sent';
    if (sql === 'START TRANSACTION' && running.opening !== undefined) {
      // Failures are the transaction's start failing (rolled back inside): not a failed statement.
      const unwrapped = { query: query as QueryRunner['query'] };
      const opened = await openWithBarrier(unwrapped, running.opening, (error) =>
        reportSafely(running.report, { kind: 'rollback-failed', transactionId: running.context.id, error }),
      );
      running.begun = true;
      record.barrierClaimedWithBegin();
      return opened;
    }
    try {
      const result = await query(sql, parameters, structured);
      if (isCommit) running.commit = 'succeeded';
      if (sql === 'START TRANSACTION') running.begun = true;
      return result;
    } catch (error: unknown) {
      record.failedStatement ??= { error };
      throw error;
    }
  };
  runner.query = tracked as QueryRunner['query'];
}
