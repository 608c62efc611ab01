// The automatic check-back: what to tell the broker about a half message's local transaction,
// decided by trying to insert a rolled_back barrier row for its id (DTM's barrier, on PostgreSQL):
//
//   the transaction is still open    → the insert waits on its uncommitted barrier row; past
//                                      lockTimeoutMs the wait ends → UNKNOWN (ask again later)
//   the transaction committed        → the insert conflicts with the committed row → COMMIT
//   it rolled back or never started  → the insert succeeds and commits → ROLLBACK; from then on
//                                      its barrier insert fails, so it can never commit
//
// Fail closed: every error, timeout, unreadable row or bad input answers UNKNOWN, never COMMIT
// (DTM #535 committed messages because a check endpoint without write permission answered
// "success"). UNKNOWN is always safe: the broker asks again, and a later answer is still right.
// The function never throws; each UNKNOWN goes to the reporter with its reason.
//
// PGlite has one connection, so there is no row lock to wait on: the check waits for the
// session, i.e. until the local transaction has ended, and lock_timeout never fires. The
// overall `timeoutMs` (on the injected clock) bounds that wait instead. A check abandoned by the
// deadline still finishes later; whatever it writes then is consistent with the rules above.

import { IllegalStateError, systemClock, TimeoutError, type Clock } from '@keel/broker';
import type { DataSource, QueryRunner } from 'typeorm';
import { transactionIdProblem } from '../context/transaction-options';
import { TxError, TxErrorCodes } from '../errors';
import {
  reportSafely,
  stderrProblemReporter,
  type TxProblemReporter,
  type UnknownCheckReason,
} from '../problems';
import { DEFAULT_KEEL_TABLES, type KeelTables } from '../schema/keel-tables';
import { explainMissingTables } from '../schema/tables-missing';
import { SqlState, sqlStateOf } from '../sql-state';
import { insertBarrierRow } from '../sql/insert-barrier-row';
import { readBarrierOutcome, type BarrierReading } from '../sql/read-barrier-outcome';

export const CheckResolutions = {
  COMMIT: 'COMMIT',
  ROLLBACK: 'ROLLBACK',
  UNKNOWN: 'UNKNOWN',
} as const;
export type CheckResolution = (typeof CheckResolutions)[keyof typeof CheckResolutions];

export interface TransactionCheckOptions {
  /** How long the check waits for a local transaction still holding its barrier row. */
  readonly lockTimeoutMs: number;
  /** Bound on the whole check (connection, statements). Default lockTimeoutMs + 5000 ms. */
  readonly timeoutMs?: number;
  readonly tables?: KeelTables;
  /** Times `timeoutMs` and stamps the barrier row. Default: the system clock. */
  readonly clock?: Clock;
  /** Receives every UNKNOWN with its reason. Default: stderr. */
  readonly report?: TxProblemReporter;
}

/** Slack for connecting and the two statements besides the lock wait. */
export const DEFAULT_CHECK_SLACK_MS = 5_000;
// PostgreSQL's timeouts are 32-bit millisecond counts.
const MAX_TIMEOUT_MS = 2_147_483_647;

type Answer =
  | { readonly resolution: 'COMMIT' | 'ROLLBACK' }
  | { readonly resolution: 'UNKNOWN'; readonly reason: UnknownCheckReason; readonly error?: unknown };

export async function resolveTransactionCheck(
  dataSource: DataSource,
  transactionId: string,
  options: TransactionCheckOptions,
): Promise<CheckResolution> {
  const report = options?.report ?? stderrProblemReporter;
  const clock = options?.clock ?? systemClock;
  const answer = await answerCheck(dataSource, transactionId, options, clock, report);
  if (answer.resolution === 'UNKNOWN') {
    reportSafely(report, {
      kind: 'check-unknown',
      transactionId: String(transactionId),
      reason: answer.reason,
      error: answer.error,
    });
  }
  return answer.resolution;
}

async function answerCheck(
  dataSource: DataSource,
  transactionId: string,
  options: TransactionCheckOptions,
  clock: Clock,
  report: TxProblemReporter,
): Promise<Answer> {
  const problem = transactionIdProblem(transactionId) ?? optionsProblem(options);
  if (problem !== undefined) {
    return {
      resolution: 'UNKNOWN',
      reason: 'invalid-input',
      error: new TxError(TxErrorCodes.INVALID_ARGUMENT, `resolveTransactionCheck: ${problem}`),
    };
  }
  const timeoutMs = options.timeoutMs ?? options.lockTimeoutMs + DEFAULT_CHECK_SLACK_MS;
  const tables = options.tables ?? DEFAULT_KEEL_TABLES;
  const check = claimAndRead(dataSource, transactionId, tables, {
    lockTimeoutMs: options.lockTimeoutMs,
    statementTimeoutMs: timeoutMs,
    clock,
    report,
  });
  return withDeadline(clock, timeoutMs, check, () => ({
    resolution: 'UNKNOWN',
    reason: 'timeout',
    // No free connection, or the database is slow or unreachable.
    error: new TimeoutError(`check-back of transaction ${transactionId}`, timeoutMs),
  }));
}

function optionsProblem(options: TransactionCheckOptions): string | undefined {
  if (typeof options !== 'object' || options === null) return 'options { lockTimeoutMs } are required';
  const { lockTimeoutMs, timeoutMs } = options;
  if (!isWholeMs(lockTimeoutMs)) {
    return `lockTimeoutMs must be a whole number of ms from 1 to ${MAX_TIMEOUT_MS}, got ${String(lockTimeoutMs)}`;
  }
  if (timeoutMs !== undefined && (!isWholeMs(timeoutMs) || timeoutMs <= lockTimeoutMs)) {
    return (
      `timeoutMs must be a whole number of ms greater than lockTimeoutMs (${lockTimeoutMs}) and at most ` +
      `${MAX_TIMEOUT_MS}, got ${String(timeoutMs)}`
    );
  }
  return undefined;
}

function isWholeMs(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1 && value <= MAX_TIMEOUT_MS;
}

/** Never rejects: every failure is an UNKNOWN answer. */
async function claimAndRead(
  dataSource: DataSource,
  transactionId: string,
  tables: KeelTables,
  settings: {
    readonly lockTimeoutMs: number;
    readonly statementTimeoutMs: number;
    readonly clock: Clock;
    readonly report: TxProblemReporter;
  },
): Promise<Answer> {
  const { lockTimeoutMs, statementTimeoutMs, clock, report } = settings;
  let runner: QueryRunner | undefined;
  let begun = false;
  try {
    runner = dataSource.createQueryRunner();
    // READ COMMITTED on purpose: after waiting for the local transaction's commit, the insert must
    // see that row and do nothing; stricter levels raise a serialization failure instead.
    await runner.startTransaction('READ COMMITTED');
    begun = true;
    await runner.query(
      `SELECT set_config('lock_timeout', $1, true), set_config('statement_timeout', $2, true)`,
      [`${lockTimeoutMs}ms`, `${statementTimeoutMs}ms`],
    );
    const inserted = await insertBarrierRow(runner, tables, transactionId, 'rolled_back', clock.now());
    const reading: BarrierReading = inserted
      ? 'rolled_back'
      : await readBarrierOutcome(runner, tables, transactionId);
    // The rolled_back row must be durable before ROLLBACK is answered: it is what stops a late commit.
    await runner.commitTransaction();
    return answerFor(reading);
  } catch (error: unknown) {
    // The answer is UNKNOWN either way, and the server ends the transaction with the connection.
    if (begun && runner?.isTransactionActive === true && !runner.isReleased) {
      await runner.rollbackTransaction().catch((rollbackError: unknown) => {
        reportSafely(report, { kind: 'rollback-failed', transactionId, error: rollbackError });
      });
    }
    return { resolution: 'UNKNOWN', reason: reasonFor(error), error: explainMissingTables(error, tables) };
  } finally {
    // Only the connection's return is affected by a failure here; the answer stands.
    await runner?.release().catch((error: unknown) => {
      reportSafely(report, { kind: 'release-failed', transactionId, error });
    });
  }
}

function answerFor(reading: BarrierReading): Answer {
  switch (reading) {
    case 'committed':
      return { resolution: 'COMMIT' };
    case 'rolled_back':
      return { resolution: 'ROLLBACK' };
    case 'missing':
    case 'unexpected':
      return {
        resolution: 'UNKNOWN',
        reason: 'unexpected-outcome',
        error: new IllegalStateError(
          `the barrier row conflicted but then read as ${reading}; was the table changed by hand?`,
        ),
      };
  }
}

function reasonFor(error: unknown): UnknownCheckReason {
  const state = sqlStateOf(error);
  if (state === SqlState.LOCK_NOT_AVAILABLE) return 'lock-timeout';
  if (state === SqlState.QUERY_CANCELED) return 'timeout';
  return 'database-error';
}

/** `work`, or `onTimeout()` when `ms` pass first on `clock`. `work` must not reject. */
function withDeadline<T>(clock: Clock, ms: number, work: Promise<T>, onTimeout: () => T): Promise<T> {
  return new Promise((resolve) => {
    const timer = clock.setTimeout(() => resolve(onTimeout()), ms);
    void work.then((value) => {
      clock.clearTimeout(timer);
      resolve(value);
    });
  });
}
