// Reading PostgreSQL's answer from an error: the SQLSTATE, never the message text. node-postgres
// and PGlite both put it in `code` of an error that also carries the server's `severity`;
// TypeORM wraps driver errors in a QueryFailedError that keeps the original as `driverError`.
// Socket errors have a `code` too (ECONNRESET, EPIPE) but no severity: no server answered.

export const SqlState = {
  UNIQUE_VIOLATION: '23505',
  SERIALIZATION_FAILURE: '40001',
  IN_FAILED_TRANSACTION: '25P02',
  LOCK_NOT_AVAILABLE: '55P03',
  QUERY_CANCELED: '57014',
  UNDEFINED_TABLE: '42P01',
} as const;

const SQLSTATE_PATTERN = /^[0-9A-Z]{5}$/;

/** The SQLSTATE the server sent with `error`, or undefined when no server answered with one. */
export function sqlStateOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const driverError: unknown = (error as { driverError?: unknown }).driverError;
  for (const candidate of [driverError, error]) {
    if (typeof candidate !== 'object' || candidate === null) continue;
    const { code, severity } = candidate as { code?: unknown; severity?: unknown };
    if (typeof code === 'string' && typeof severity === 'string' && SQLSTATE_PATTERN.test(code)) return code;
  }
  return undefined;
}

/**
 * What a failed COMMIT means. A server that answers COMMIT with an ordinary error (serialization
 * failure, a deferred constraint) has rolled the transaction back. Without an answer (the
 * connection broke) or with a connection, shutdown or system error, the commit may or may not
 * have happened: PostgreSQL can make a commit durable and die before it replies.
 */
export function commitFailureOutcome(error: unknown): 'rolled-back' | 'unknown' {
  const state = sqlStateOf(error);
  if (state === undefined) return 'unknown';
  // 08: connection exception; 57P: operator intervention (shutdown, crash); 58: system error;
  // XX: internal error.
  if (/^(08|57P|58|XX)/.test(state)) return 'unknown';
  return 'rolled-back';
}
