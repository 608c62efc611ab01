// One short connection attempt to tell "no server" from "a server that said no" (see
// database-decision.ts). The difference is read from the error's type: pg raises DatabaseError
// only for an error the server sent; refusals, timeouts and DNS failures are plain errors.

import { Client, DatabaseError } from 'pg';
import type { ProbeResult } from './database-decision';

export async function probePostgres(url: string, timeoutMs: number): Promise<ProbeResult> {
  const client = new Client({
    connectionString: url,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    application_name: 'keel-test-probe',
  });
  // A connection that breaks after connect() has settled reports here; the probe has its answer
  // by then, and end() below closes the client anyway, so the late error only goes on record.
  let lateError: unknown;
  client.on('error', (error) => {
    lateError = error;
  });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return { outcome: 'answered' };
  } catch (error: unknown) {
    return error instanceof DatabaseError
      ? { outcome: 'rejected', reason: describeError(error) }
      : { outcome: 'unreachable', reason: describeError(error ?? lateError) };
  } finally {
    await client.end();
  }
}

/** `ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:5999`, or the SQLSTATE and message. */
export function describeError(error: unknown): string {
  // Node reports a host with several addresses (localhost → ::1 and 127.0.0.1) as an
  // AggregateError with an empty message; its first cause says what happened.
  if (error instanceof AggregateError && error.message === '' && error.errors.length > 0) {
    return describeError(error.errors[0]);
  }
  if (!(error instanceof Error)) return String(error);
  const code: unknown = (error as { code?: unknown }).code;
  return typeof code === 'string' && code !== '' ? `${code}: ${error.message}` : error.message;
}
