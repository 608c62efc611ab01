// A suite's own schema on the PostgreSQL server, and the clean-up of schemas left behind.
//
// Several jest runs (other engineers, CI) may share one database, so a leftover cannot be told
// by its name or age. Instead each suite holds a session-level advisory lock keyed by its schema
// name for as long as the schema lives, on its admin connection. A crashed or killed worker loses
// its connection and with it the lock; the next run's sweep takes the lock of every keel_t_ schema
// it can, and drops those: their owners are gone. A live suite's lock makes the sweep pass it by.

import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export const SCHEMA_PREFIX = 'keel_t_';

// First key of the advisory locks (two-key form), so ours never collide with the application's
// single-key locks; 'keel' in ASCII.
const LOCK_NAMESPACE = 0x6b65656c;

const TRY_LOCK_SQL = 'SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked';
const UNLOCK_SQL = 'SELECT pg_advisory_unlock($1, hashtext($2))';

/** `keel_t_<pid>_<random>`: only lowercase letters, digits and '_', so it never needs quoting. */
export function newSchemaName(): string {
  return `${SCHEMA_PREFIX}${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** The search path that binds a connection to `schema`; `public` stays for extension functions. */
export function searchPathOf(schema: string): string {
  return `${schema},public`;
}

/** A live schema and the admin connection that holds its lock. */
export class SuiteSchema {
  readonly name: string;
  readonly #admin: Client;

  private constructor(name: string, admin: Client) {
    this.name = name;
    this.#admin = admin;
  }

  static async create(url: string): Promise<SuiteSchema> {
    const admin = new Client({ connectionString: url, application_name: 'keel-test-admin' });
    await admin.connect();
    try {
      const name = await lockFreshName(admin);
      await admin.query(`CREATE SCHEMA ${name}`);
      return new SuiteSchema(name, admin);
    } catch (error: unknown) {
      await admin.end();
      throw error;
    }
  }

  /**
   * Drops the schema. Sessions the suite left active or inside a transaction (a test that timed
   * out mid-query, a DataSource never destroyed) are ended first: they would block the DROP, and
   * the suite is over. They are found by the application_name the harness gave them.
   */
  async drop(): Promise<{ readonly terminatedSessions: number }> {
    try {
      // In the select list, not the WHERE clause: there the planner may call it before the filters.
      const terminated = await this.#admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE application_name = $1 AND pid <> pg_backend_pid() AND state <> 'idle'`,
        [this.name],
      );
      // Bounded: should anything still hold a lock, fail the suite loudly instead of hanging;
      // the schema is then swept by the next run.
      await this.#admin.query(`SET lock_timeout = '10s'`);
      await this.#admin.query(`DROP SCHEMA IF EXISTS ${this.name} CASCADE`);
      await this.#admin.query(UNLOCK_SQL, [LOCK_NAMESPACE, this.name]);
      return { terminatedSessions: terminated.rowCount ?? 0 };
    } finally {
      await this.#admin.end();
    }
  }
}

async function lockFreshName(admin: Client): Promise<string> {
  // A taken lock means another live suite's name hashes the same (2^-32 odds): draw again.
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const name = newSchemaName();
    const result = await admin.query<{ locked: boolean }>(TRY_LOCK_SQL, [LOCK_NAMESPACE, name]);
    if (result.rows[0]?.locked === true) return name;
  }
  throw new Error('could not find a free test schema name in 5 attempts; is pg_advisory_lock working?');
}

/**
 * The suite schema a schema belongs to: a suite may create schemas of its own next to its schema
 * (`<suite schema>_order`); they live and die with it, so they are swept by the suite's lock.
 */
export function suiteSchemaOf(schema: string): string {
  return SUITE_SCHEMA_PATTERN.exec(schema)?.[0] ?? schema;
}

const SUITE_SCHEMA_PATTERN = new RegExp(`^${SCHEMA_PREFIX}\\d+_[0-9a-f]{8}`);

/** Drops every keel_t_ schema whose suite is gone (see the top of this file); returns their names. */
export async function sweepAbandonedSchemas(url: string): Promise<string[]> {
  const client = new Client({ connectionString: url, application_name: 'keel-test-sweep' });
  await client.connect();
  try {
    const schemas = await client.query<{ nspname: string }>(
      `SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1) ORDER BY nspname`,
      [SCHEMA_PREFIX],
    );
    const dropped: string[] = [];
    for (const { nspname } of schemas.rows) {
      const owner = suiteSchemaOf(nspname);
      const lock = await client.query<{ locked: boolean }>(TRY_LOCK_SQL, [LOCK_NAMESPACE, owner]);
      if (lock.rows[0]?.locked !== true) continue; // its suite is still running
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${nspname.replaceAll('"', '""')}" CASCADE`);
        dropped.push(nspname);
      } catch (error: unknown) {
        // Another run sweeping at the same moment can deadlock with this DROP (40P01) or drop the
        // schema first; either way the schema is being dealt with, and this run's tests do not
        // need it gone. Anything else is a real problem with the server.
        if (!isConcurrentSweep(error)) throw error;
      } finally {
        await client.query(UNLOCK_SQL, [LOCK_NAMESPACE, owner]);
      }
    }
    return dropped;
  } finally {
    await client.end();
  }
}

/** deadlock_detected, or a concurrent drop's "does not exist" / "tuple concurrently deleted". */
function isConcurrentSweep(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === '40P01' || code === '3F000' || code === 'XX000';
}
