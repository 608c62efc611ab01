// Options of runInTransaction and runOnce, checked before anything touches the database.

import { closestMatch, systemClock, type Clock } from '@keel/broker';
import { TxError, TxErrorCodes } from '../errors';
import { stderrProblemReporter, type TxProblemReporter } from '../problems';
import { MAX_TRANSACTION_ID_LENGTH } from '../schema/keel-tables-ddl';
import { DEFAULT_KEEL_TABLES, type KeelTables } from '../schema/keel-tables';

/** PostgreSQL's isolation levels, spelled as TypeORM's startTransaction takes them. */
export type IsolationLevel = 'READ UNCOMMITTED' | 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE';

export interface TransactionOptions {
  /** Isolation level of a new transaction. Default: the server's (READ COMMITTED unless configured). */
  readonly isolation?: IsolationLevel;
  /** The barrier key. Default: a new random UUID. Give one only when something else chose it. */
  readonly transactionId?: string;
  /** Keel's table names (see keelTables). Default: keel_tx_barrier and keel_inbox. */
  readonly tables?: KeelTables;
  /** Source of the barrier row's created_at. Default: the system clock. */
  readonly clock?: Clock;
  /** Where failures that cannot be thrown go (failed rollback, failed after-hook). Default: stderr. */
  readonly report?: TxProblemReporter;
}

export interface ResolvedTransactionOptions {
  readonly isolation: IsolationLevel | undefined;
  readonly transactionId: string | undefined;
  readonly tables: KeelTables;
  readonly clock: Clock;
  readonly report: TxProblemReporter;
}

export const ISOLATION_LEVELS: readonly IsolationLevel[] = [
  'READ UNCOMMITTED',
  'READ COMMITTED',
  'REPEATABLE READ',
  'SERIALIZABLE',
];

const OPTION_KEYS: ReadonlySet<string> = new Set([
  'isolation',
  'transactionId',
  'tables',
  'clock',
  'report',
] satisfies ReadonlyArray<keyof TransactionOptions>);

/** Throws one TxError listing every problem, each with its fix. */
export function resolveTransactionOptions(
  options: TransactionOptions,
  caller: string,
): ResolvedTransactionOptions {
  const problems: string[] = [];
  if (typeof options !== 'object' || options === null) {
    throw new TxError(
      TxErrorCodes.INVALID_ARGUMENT,
      `${caller}: options must be an object, got ${String(options)}`,
    );
  }
  for (const key of Object.keys(options)) {
    if (OPTION_KEYS.has(key)) continue;
    const suggestion = closestMatch(key, OPTION_KEYS);
    problems.push(`unknown option ${key}${suggestion === undefined ? '' : `, did you mean ${suggestion}?`}`);
  }
  const isolation = options.isolation;
  if (isolation !== undefined && !ISOLATION_LEVELS.includes(isolation)) {
    const suggestion = closestMatch(String(isolation).toUpperCase(), ISOLATION_LEVELS);
    problems.push(
      `isolation ${JSON.stringify(isolation)} is not one of ${ISOLATION_LEVELS.join(', ')}` +
        (suggestion === undefined ? '' : `; did you mean ${suggestion}?`),
    );
  }
  const idProblem =
    options.transactionId === undefined ? undefined : transactionIdProblem(options.transactionId);
  if (idProblem !== undefined) problems.push(idProblem);
  if (problems.length > 0) {
    throw new TxError(TxErrorCodes.INVALID_ARGUMENT, `${caller}: ${problems.join('; ')}`);
  }
  return {
    isolation,
    transactionId: options.transactionId,
    tables: options.tables ?? DEFAULT_KEEL_TABLES,
    clock: options.clock ?? systemClock,
    report: options.report ?? stderrProblemReporter,
  };
}

/** Why `id` cannot be a transaction id, or undefined when it can. */
export function transactionIdProblem(id: unknown): string | undefined {
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_TRANSACTION_ID_LENGTH) {
    return (
      `transaction id ${JSON.stringify(id)} must be a string of 1 to ${MAX_TRANSACTION_ID_LENGTH} ` +
      'characters (the barrier key)'
    );
  }
  return undefined;
}
