// A node-postgres-shaped pool over one PGlite instance, for TypeORM's postgres driver.
//
// PGlite is a single PostgreSQL session, so this is a pool of exactly one connection. `connect`
// grants an exclusive lease on the session (first come, first served, shared with every other pool
// on the same instance, see lease-queue.ts); the lease ends with `release`. A TypeORM query runner
// holds one lease from its first query to its release, so its transaction sees no statement of
// anyone else's. `pool.query` takes a lease for one statement.
//
// Modes of a lease: waiting → held → cleaning up → released. Cleaning up rolls back a transaction
// the holder left open (pg-pool would destroy such a connection when released with an error, and
// the server would roll back). It happens before the next holder gets the session, because here a
// leaked transaction would otherwise swallow everyone's statements.
//
// The caller owns the PGlite instance: `end` stops handing out leases but never closes it.
// A holder that waits for a second lease on the same instance waits forever: there is no second
// connection to give, which is what the harness's "needs concurrency" suites are about.

import { EventEmitter } from 'node:events';
import type { PGlite, Results } from '@electric-sql/pglite';
import { PGliteErrorCodes, PGlitePoolError } from './errors';
import { leaseQueueFor, type LeaseQueue } from './lease-queue';
import {
  PG_PARAM_SERIALIZERS,
  pgParsersFor,
  toPgParams,
  toPgResult,
  type PgCompatibleResult,
} from './pg-compat';

/** What the pool needs of a PGlite instance. */
export type PGliteSession = Pick<PGlite, 'query' | 'exec' | 'parsers' | 'isInTransaction' | 'closed'>;

/** A row when the caller names no row type. */
export type DefaultRow = Record<string, unknown>;

/** The query shapes accepted: SQL text, or pg's `{ text, values }` config. */
export type PGliteQueryInput = string | { readonly text: string; readonly values?: readonly unknown[] };

export type QueryCallback<R> = (error: Error | null, result?: PgCompatibleResult<R>) => void;

/** pg-pool's `release`: pass an error (or `true`) when the connection is suspect. */
export type ReleaseFunction = (error?: Error | boolean) => void;

export type ConnectCallback = (
  error: Error | undefined,
  client: PGlitePoolClient | undefined,
  release: ReleaseFunction,
) => void;

/**
 * Runs one statement the way node-postgres would. Parameterless SQL goes through `exec` (the simple
 * protocol, like pg without values), so migrations may hold several statements; the result is the
 * last statement's (pg would return an array of results there).
 */
async function runQuery<R>(
  pglite: PGliteSession,
  input: PGliteQueryInput,
  values: readonly unknown[] | undefined,
): Promise<PgCompatibleResult<R>> {
  const { text, params } = normaliseQuery(input, values);
  const options = { parsers: pgParsersFor(pglite), serializers: PG_PARAM_SERIALIZERS };
  if (params.length === 0) {
    const results = await pglite.exec(text, options);
    // PGlite answers even an empty string with one (empty) result, so `last` is always there.
    const last: Results = results.at(-1) ?? { rows: [], fields: [] };
    // Rows are typed by the caller's word, as in pg: nothing here checks them against R.
    return toPgResult(last, text) as PgCompatibleResult<R>;
  }
  return toPgResult(await pglite.query<R>(text, toPgParams(params), options), text);
}

function normaliseQuery(
  input: PGliteQueryInput,
  values: readonly unknown[] | undefined,
): { text: string; params: readonly unknown[] } {
  if (typeof input === 'string') return { text: input, params: values ?? [] };
  const unsupported = Object.keys(input).filter((key) => key !== 'text' && key !== 'values');
  if (unsupported.length > 0) {
    // Streams and cursors (`submit`), named statements and array rows have no PGlite equivalent here.
    throw new PGlitePoolError(
      PGliteErrorCodes.UNSUPPORTED_QUERY,
      `the PGlite pool accepts SQL text or { text, values }, not a query config with ${unsupported.join(', ')}`,
    );
  }
  return { text: input.text, params: values ?? input.values ?? [] };
}

/** Calls `callback` node-style if given, otherwise returns the promise. */
function settle<T>(
  promise: Promise<T>,
  callback: ((error: Error | null, value?: T) => void) | undefined,
): Promise<T> | undefined {
  if (callback === undefined) return promise;
  promise.then(
    (value) => callback(null, value),
    (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
  );
  return undefined;
}

/**
 * The connection handed out with a lease. Valid until released; a query after that is refused,
 * because it would run inside whoever holds the session next.
 */
export class PGlitePoolClient extends EventEmitter {
  readonly #pglite: PGliteSession;
  readonly #onRelease: () => void;
  #released = false;

  /** @internal Created by PGlitePool when it grants a lease. */
  constructor(pglite: PGliteSession, onRelease: () => void) {
    super();
    this.#pglite = pglite;
    this.#onRelease = onRelease;
  }

  get released(): boolean {
    return this.#released;
  }

  query<R = DefaultRow>(input: PGliteQueryInput, values?: readonly unknown[]): Promise<PgCompatibleResult<R>>;
  query<R = DefaultRow>(input: PGliteQueryInput, callback: QueryCallback<R>): void;
  query<R = DefaultRow>(
    input: PGliteQueryInput,
    values: readonly unknown[] | undefined,
    callback: QueryCallback<R>,
  ): void;
  query<R = DefaultRow>(
    input: PGliteQueryInput,
    valuesOrCallback?: readonly unknown[] | QueryCallback<R>,
    maybeCallback?: QueryCallback<R>,
  ): Promise<PgCompatibleResult<R>> | undefined {
    const callback = typeof valuesOrCallback === 'function' ? valuesOrCallback : maybeCallback;
    const values = typeof valuesOrCallback === 'function' ? undefined : valuesOrCallback;
    const result = this.#released
      ? Promise.reject(
          new PGlitePoolError(
            PGliteErrorCodes.LEASE_RELEASED,
            'query on a PGlite pool client after release(): connect() again for a new lease',
          ),
        )
      : runQuery<R>(this.#pglite, input, values);
    return settle(result, callback);
  }

  /**
   * Ends the lease. pg-pool destroys a connection released with an error (or `true`); here there is
   * only one session, which is cleaned up the same way either way, so the argument changes nothing.
   */
  release(_error?: Error | boolean): void {
    if (this.#released) {
      throw new PGlitePoolError(
        PGliteErrorCodes.LEASE_RELEASED,
        'release() called twice on one PGlite lease',
      );
    }
    this.#released = true;
    this.#onRelease();
  }
}

/** The pool; TypeORM creates it with `new driver.Pool(options)` (see pglite-driver.ts). */
export class PGlitePool extends EventEmitter {
  readonly #pglite: PGliteSession;
  readonly #queue: LeaseQueue;
  #ending = false;
  /** Leases asked for through this pool and not yet released: waiting, held or cleaning up. */
  #outstanding = 0;
  #waiting = 0;
  readonly #drainWaiters: Array<() => void> = [];

  /** `_options` are node-postgres connection options; there is nothing to connect to, so unused. */
  constructor(pglite: PGliteSession, _options?: unknown) {
    super();
    this.#pglite = pglite;
    this.#queue = leaseQueueFor(pglite);
  }

  /** Callers of this pool waiting for the session, as pg-pool's `waitingCount`. */
  get waitingCount(): number {
    return this.#waiting;
  }

  get ending(): boolean {
    return this.#ending;
  }

  connect(): Promise<PGlitePoolClient>;
  connect(callback: ConnectCallback): void;
  connect(callback?: ConnectCallback): Promise<PGlitePoolClient> | undefined {
    const lease = this.#lease();
    if (callback === undefined) return lease;
    lease.then(
      (client) => callback(undefined, client, (error) => client.release(error)),
      (error: unknown) =>
        callback(error instanceof Error ? error : new Error(String(error)), undefined, () => undefined),
    );
    return undefined;
  }

  /** One statement under its own lease, so it waits for any transaction in progress. */
  query<R = DefaultRow>(input: PGliteQueryInput, values?: readonly unknown[]): Promise<PgCompatibleResult<R>>;
  query<R = DefaultRow>(input: PGliteQueryInput, callback: QueryCallback<R>): void;
  query<R = DefaultRow>(
    input: PGliteQueryInput,
    values: readonly unknown[] | undefined,
    callback: QueryCallback<R>,
  ): void;
  query<R = DefaultRow>(
    input: PGliteQueryInput,
    valuesOrCallback?: readonly unknown[] | QueryCallback<R>,
    maybeCallback?: QueryCallback<R>,
  ): Promise<PgCompatibleResult<R>> | undefined {
    const callback = typeof valuesOrCallback === 'function' ? valuesOrCallback : maybeCallback;
    const values = typeof valuesOrCallback === 'function' ? undefined : valuesOrCallback;
    const run = async (): Promise<PgCompatibleResult<R>> => {
      const client = await this.#lease();
      try {
        return await client.query<R>(input, values);
      } finally {
        client.release();
      }
    };
    return settle(run(), callback);
  }

  /**
   * Stops granting new leases and resolves once every lease already asked for through this pool
   * has been released. The PGlite instance stays open: it belongs to the caller.
   */
  end(): Promise<void>;
  end(callback: (error?: Error) => void): void;
  end(callback?: (error?: Error) => void): Promise<void> | undefined {
    this.#ending = true;
    const drained =
      this.#outstanding === 0
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            this.#drainWaiters.push(resolve);
          });
    if (callback === undefined) return drained;
    drained.then(() => callback());
    return undefined;
  }

  async #lease(): Promise<PGlitePoolClient> {
    if (this.#ending) {
      throw new PGlitePoolError(PGliteErrorCodes.POOL_ENDED, 'connect() on a PGlite pool after end()');
    }
    this.#outstanding += 1;
    this.#waiting += 1;
    try {
      await this.#queue.acquire();
    } finally {
      this.#waiting -= 1;
    }
    const client: PGlitePoolClient = new PGlitePoolClient(this.#pglite, () => {
      void this.#finishLease(client);
    });
    return client;
  }

  async #finishLease(client: PGlitePoolClient): Promise<void> {
    try {
      // A closed instance has no session left to clean; its next user gets PGlite's own error.
      if (!this.#pglite.closed && this.#pglite.isInTransaction()) await this.#pglite.exec('ROLLBACK');
    } catch (error: unknown) {
      // Reported like pg-pool reports a broken idle connection: TypeORM listens and logs it; with
      // no listener Node makes it an unhandled error rather than letting it pass silently.
      this.emit('error', error, client);
    } finally {
      this.#queue.release();
      this.#outstanding -= 1;
      if (this.#outstanding === 0) {
        for (const resolve of this.#drainWaiters.splice(0)) resolve();
      }
    }
  }
}
