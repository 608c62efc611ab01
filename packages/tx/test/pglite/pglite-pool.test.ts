import type { PGlite } from '@electric-sql/pglite';
import { waitFor } from '@keel/broker/testing';
import { createTestPGlite } from '@keel/test-support';
import { PGliteErrorCodes, PGlitePool, PGlitePoolClient, type PgCompatibleResult } from '@keel/tx';
import { leaseQueueFor } from '../../src/pglite/lease-queue';

// One instance for the file: creating a PGlite costs seconds. Tests use their own tables.
let pglite: PGlite;
let pool: PGlitePool;

beforeAll(async () => {
  pglite = await createTestPGlite();
  pool = new PGlitePool(pglite);
}, 120_000);

afterAll(async () => {
  await pool.end();
  await pglite.close();
});

/** Resolves when `count` callers wait for the instance's session, whichever pool they came through. */
function waitForWaiters(count: number): Promise<true> {
  return waitFor(() => leaseQueueFor(pglite).waitingCount === count, {
    timeoutMs: 5_000,
    description: `${count} waiter(s) for the PGlite lease`,
  });
}

describe('results shaped like node-postgres', () => {
  beforeAll(async () => {
    await pool.query('CREATE TABLE shape (id int PRIMARY KEY, v text)');
  });

  it('reports the command and rowCount pg would', async () => {
    const insert = await pool.query('INSERT INTO shape VALUES ($1, $2), ($3, $4)', [1, 'a', 2, 'b']);
    expect(insert).toMatchObject({ command: 'INSERT', rowCount: 2, rows: [] });

    const update = await pool.query('UPDATE shape SET v = $1', ['c']);
    expect(update).toMatchObject({ command: 'UPDATE', rowCount: 2 });

    const select = await pool.query('SELECT id, v FROM shape WHERE id > $1 ORDER BY id', [0]);
    expect(select.command).toBe('SELECT');
    expect(select.rowCount).toBe(2);
    expect(select.rows).toEqual([
      { id: 1, v: 'c' },
      { id: 2, v: 'c' },
    ]);
    expect(select.fields.map((f) => f.name)).toEqual(['id', 'v']);

    const remove = await pool.query('DELETE FROM shape WHERE id = $1', [2]);
    expect(remove).toMatchObject({ command: 'DELETE', rowCount: 1 });

    // Commands without a count have a null rowCount in pg.
    const client = await pool.connect();
    try {
      expect(await client.query('BEGIN')).toMatchObject({ command: 'BEGIN', rowCount: null });
      expect(await client.query('ROLLBACK')).toMatchObject({ command: 'ROLLBACK', rowCount: null });
    } finally {
      client.release();
    }
  });

  it('runs parameterless multi-statement SQL (migrations) and returns the last result', async () => {
    const result = await pool.query(`
      CREATE TABLE migrated (id int PRIMARY KEY);
      CREATE INDEX migrated_id ON migrated (id);
      INSERT INTO migrated VALUES (1), (2), (3);
      SELECT count(*) AS n FROM migrated;
    `);
    expect(result).toMatchObject({ command: 'SELECT', rowCount: 1, rows: [{ n: '3' }] });
  });

  it('passes PostgreSQL errors through with their SQLSTATE and keeps the lease usable', async () => {
    await expect(pool.query('SELECT * FROM no_such_table')).rejects.toMatchObject({ code: '42P01' });
    expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it("refuses query shapes it cannot honour, such as pg's array rows", async () => {
    await expect(
      pool.query({ text: 'SELECT 1', rowMode: 'array' } as { text: string }),
    ).rejects.toMatchObject({
      code: PGliteErrorCodes.UNSUPPORTED_QUERY,
    });
  });
});

describe('values typed as pg types them by default', () => {
  it('returns int8 and numeric as strings, json parsed, intervals and arrays as pg does', async () => {
    const { rows } = await pool.query(`
      SELECT 9007199254740993::int8 AS big, 12.50::numeric(10,2) AS money, count(*) AS n,
             '{"a":[1,2]}'::jsonb AS doc, '{"b":true}'::json AS plain, '1 day 2 hours'::interval AS span,
             ARRAY[1, 2]::int8[] AS bigs, ARRAY['x', 'y'] AS texts, '\\x0102'::bytea AS bytes, true AS flag,
             gen_random_uuid() AS id
        FROM (VALUES (1)) AS v`);
    const row = rows[0];
    expect(row).toMatchObject({
      big: '9007199254740993',
      money: '12.50',
      n: '1',
      doc: { a: [1, 2] },
      plain: { b: true },
      bigs: ['1', '2'],
      texts: ['x', 'y'],
      flag: true,
    });
    expect(row?.['bytes']).toEqual(Buffer.from([1, 2]));
    expect(row?.['span']).toMatchObject({ days: 1, hours: 2 });
    expect(row?.['id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  // Jest gives tests a copy of process.env, so a test cannot switch the zone; these hold in any
  // zone and tell pg's behaviour from PGlite's own wherever the run's zone is not UTC.
  it('reads and writes timestamps and dates in local time, as pg does', async () => {
    await pool.query('CREATE TABLE times (at timestamp, at_tz timestamptz, day date)');
    const instant = new Date('2024-07-01T12:00:00.250Z');
    await pool.query('INSERT INTO times VALUES ($1, $2, $3)', [instant, instant, '2024-07-01']);
    const { rows } = await pool.query<{ at: Date; at_tz: Date; day: Date; at_text: string }>(
      'SELECT at, at_tz, day, at::text AS at_text FROM times',
    );
    const row = rows[0];
    // pg sends a Date as local time with its offset, so a zoneless column keeps the local wall time.
    const pad = (n: number): string => String(n).padStart(2, '0');
    const localWallTime =
      `${instant.getFullYear()}-${pad(instant.getMonth() + 1)}-${pad(instant.getDate())} ` +
      `${pad(instant.getHours())}:${pad(instant.getMinutes())}:${pad(instant.getSeconds())}.25`;
    expect(row?.at_text).toBe(localWallTime);
    expect(row?.at.getTime()).toBe(instant.getTime());
    expect(row?.at_tz.getTime()).toBe(instant.getTime());
    // A date is local midnight in pg (PGlite alone says UTC midnight: the day before, west of UTC).
    expect([row?.day.getFullYear(), row?.day.getMonth(), row?.day.getDate(), row?.day.getHours()]).toEqual([
      2024, 6, 1, 0,
    ]);
  });

  it('sends parameters as pg does: objects as JSON, arrays as arrays, bytes and bytea text', async () => {
    await pool.query('CREATE TABLE params (doc jsonb, tags text[], raw bytea, raw_text bytea, flag boolean)');
    await pool.query('INSERT INTO params VALUES ($1, $2, $3, $4, $5)', [
      { nested: { n: 1 } },
      ['a', 'b,c', 'd"e'],
      Buffer.from([0xde, 0xad]),
      '\\xbeef',
      false,
    ]);
    const { rows } = await pool.query('SELECT * FROM params');
    expect(rows[0]).toEqual({
      doc: { nested: { n: 1 } },
      tags: ['a', 'b,c', 'd"e'],
      raw: Buffer.from([0xde, 0xad]),
      raw_text: Buffer.from([0xbe, 0xef]),
      flag: false,
    });
  });
});

describe('leases', () => {
  beforeAll(async () => {
    await pool.query('CREATE TABLE leased (id int PRIMARY KEY)');
  });

  it('makes a connected client exclusive: pool.query waits for its release', async () => {
    const client = await pool.connect();
    await client.query('BEGIN');
    await client.query('INSERT INTO leased VALUES (1)');

    const outside = pool.query<{ n: string }>('SELECT count(*) AS n FROM leased');
    await waitForWaiters(1);
    expect(pool.waitingCount).toBe(1);

    await client.query('COMMIT');
    client.release();
    // It ran after the commit, not inside the client's transaction.
    expect((await outside).rows).toEqual([{ n: '1' }]);
  });

  it('shares one lease between pools on the same instance', async () => {
    const other = new PGlitePool(pglite);
    const client = await pool.connect();
    const viaOther = other.query('SELECT 1 AS one');
    await waitForWaiters(1);
    expect(other.waitingCount).toBe(1);
    client.release();
    expect((await viaOther).rows).toEqual([{ one: 1 }]);
    await other.end();
  });

  it('rolls back a transaction left open at release before the next lease starts', async () => {
    const client = await pool.connect();
    await client.query('BEGIN');
    await client.query('INSERT INTO leased VALUES (2)');
    client.release();

    const next = await pool.connect();
    try {
      expect(pglite.isInTransaction()).toBe(false);
      expect((await next.query('SELECT id FROM leased WHERE id = 2')).rows).toEqual([]);
    } finally {
      next.release();
    }
  });

  it('refuses queries on a released client and a second release', async () => {
    const client = await pool.connect();
    client.release();
    expect(client.released).toBe(true);
    await expect(client.query('SELECT 1')).rejects.toMatchObject({ code: PGliteErrorCodes.LEASE_RELEASED });
    expect(() => client.release()).toThrow(
      expect.objectContaining({ code: PGliteErrorCodes.LEASE_RELEASED }),
    );
  });

  it('supports the callback forms TypeORM uses (pool.connect(cb), client.query(sql, cb))', async () => {
    const [client, release] = await new Promise<[PGlitePoolClient, (error?: Error | boolean) => void]>(
      (resolve, reject) => {
        pool.connect((error, connected, done) => {
          if (error !== undefined || connected === undefined) reject(error ?? new Error('no client'));
          else resolve([connected, done]);
        });
      },
    );
    const result = await new Promise<PgCompatibleResult<{ one: number }>>((resolve, reject) => {
      client.query<{ one: number }>('SELECT 1 AS one', (error, value) => {
        if (error !== null || value === undefined) reject(error ?? new Error('no result'));
        else resolve(value);
      });
    });
    expect(result.rows).toEqual([{ one: 1 }]);
    const failure = await new Promise<Error | null>((resolve) => {
      client.query('SELECT * FROM nowhere', [], (error) => resolve(error));
    });
    expect(failure).toMatchObject({ code: '42P01' });
    release();
  });

  it('ends after outstanding leases are released, refuses new ones and leaves PGlite open', async () => {
    const ending = new PGlitePool(pglite);
    const client = await ending.connect();
    let ended = false;
    const end = ending.end().then(() => {
      ended = true;
    });
    await expect(ending.connect()).rejects.toMatchObject({ code: PGliteErrorCodes.POOL_ENDED });
    // The held lease is still usable until released.
    expect((await client.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
    expect(ended).toBe(false);
    client.release();
    await end;
    expect(pglite.closed).toBe(false);
    expect((await pool.query('SELECT 3 AS three')).rows).toEqual([{ three: 3 }]);
  });
});
