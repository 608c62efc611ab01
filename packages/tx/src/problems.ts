// Errors that cannot be thrown to anyone: an after-commit hook that failed (the transaction is
// committed, so the caller gets its result), a rollback that failed while the caller already gets
// the original error, a check-back that answers UNKNOWN. They go to a reporter, never nowhere.
// The default writes one line to stderr; a runtime passes its own (a logger, a metrics counter).

export type TxProblem =
  | {
      readonly kind:
        | 'rollback-failed'
        | 'after-rollback-hook-failed'
        | 'after-commit-hook-failed'
        | 'commit-outcome-unknown'
        | 'release-failed';
      readonly transactionId: string;
      readonly error: unknown;
    }
  | {
      readonly kind: 'check-unknown';
      readonly transactionId: string;
      readonly reason: UnknownCheckReason;
      readonly error?: unknown;
    };

/** Why a check-back answered UNKNOWN. */
export type UnknownCheckReason =
  /** The local transaction held its barrier row longer than `lockTimeoutMs`: it is still running. */
  | 'lock-timeout'
  /** The whole check took longer than `timeoutMs` (pool exhausted, PGlite session busy, server slow). */
  | 'timeout'
  /** The database answered with an error or could not be reached (permissions, missing table, ...). */
  | 'database-error'
  /** The transaction id or options were unusable. */
  | 'invalid-input'
  /** The barrier row held something other than committed/rolled_back. */
  | 'unexpected-outcome';

export type TxProblemReporter = (problem: TxProblem) => void;

/**
 * Hands `problem` to `report`. A reporter that throws must not turn a committed transaction into a
 * failure or hide the original error, so its own error goes to stderr with the problem.
 */
export function reportSafely(report: TxProblemReporter, problem: TxProblem): void {
  try {
    report(problem);
  } catch (reporterError: unknown) {
    process.stderr.write(
      `${describeProblem(problem)}\n[keel-tx] and the problem reporter threw: ${describeError(reporterError)}\n`,
    );
  }
}

/** One line per problem on stderr: what happened, the transaction, and the error. */
export const stderrProblemReporter: TxProblemReporter = (problem) => {
  process.stderr.write(`${describeProblem(problem)}\n`);
};

export function describeProblem(problem: TxProblem): string {
  const what =
    problem.kind === 'check-unknown'
      ? `check-back answered UNKNOWN (${problem.reason})`
      : PROBLEM_TEXT[problem.kind];
  const error = problem.error === undefined ? '' : `: ${describeError(problem.error)}`;
  return `[keel-tx] ${what}; transaction ${problem.transactionId}${error}`;
}

const PROBLEM_TEXT: Record<Exclude<TxProblem['kind'], 'check-unknown'>, string> = {
  'rollback-failed': 'rollback failed after the transaction had failed (the database ends it anyway)',
  'after-rollback-hook-failed': 'an afterRollback hook failed',
  'after-commit-hook-failed': 'an afterCommit hook failed; the transaction is committed',
  'commit-outcome-unknown':
    'the connection failed during COMMIT, so whether it committed is unknown; the barrier row decides ' +
    'at the next check-back',
  'release-failed': 'returning the connection to the pool failed',
};

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code: unknown = (error as { code?: unknown }).code;
  return `${error.name}${typeof code === 'string' ? `(${code})` : ''}: ${error.message}`;
}
