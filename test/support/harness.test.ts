// The harness as suites use it. Suites in one file run one after another, so a later suite can
// check what an earlier one left behind.

import 'reflect-metadata';
import type { PGlite } from '@electric-sql/pglite';
import { waitFor } from '@keel/broker/testing';
import { describeWithDatabase, type TestDatabase } from '@keel/test-support';
import { Client } from 'pg';
import { Column, DataSource, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { sweepAbandonedSchemas } from './postgres-schema';

@Entity('note')
class Note {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column('text')
  body!: string;
}

async function schemaExists(db: TestDatabase, schema: string): Promise<boolean> {
  const rows = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = $1',
    [schema],
  );
  return rows[0]?.n === 1;
}

/** What the first suite leaves for the second to check. */
const first: { schema?: string; pglite?: PGlite } = {};

describeWithDatabase('a first suite', (db) => {
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = await new DataSource(db().dataSourceOptions([Note], { synchronize: true })).initialize();
  });

  afterAll(async () => {
    await dataSource.destroy();
  });

  it('gets a fresh schema of its own, named keel_t_<pid>_<random>', async () => {
    first.schema = db().schema;
    const database = db();
    if (database.kind === 'pglite') first.pglite = database.pglite;
    expect(db().schema).toMatch(new RegExp(`^keel_t_${process.pid}_[0-9a-f]{8}$`));
    expect(
      await db().query('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [
        db().schema,
      ]),
    ).toEqual([{ table_name: 'note' }]);
  });

  it('puts TypeORM tables and raw SQL in that schema', async () => {
    await dataSource.getRepository(Note).save({ body: 'hello' });
    expect(await db().query('SELECT body FROM note')).toEqual([{ body: 'hello' }]);
    expect(await db().query('SELECT current_schema() AS schema')).toEqual([{ schema: db().schema }]);
  });
});

describeWithDatabase('a second suite', (db) => {
  it('gets another schema, without the first suite’s tables', async () => {
    expect(first.schema).toBeDefined();
    expect(db().schema).not.toBe(first.schema);
    expect(await db().query(`SELECT to_regclass('note') AS t`)).toEqual([{ t: null }]);
  });

  it('finds the first suite’s database gone', async () => {
    const database = db();
    if (database.kind === 'postgres') {
      expect(await schemaExists(database, first.schema ?? '')).toBe(false);
    } else {
      // On PGlite each suite has its own instance; the first one was closed with everything in it.
      expect(first.pglite?.closed).toBe(true);
    }
  });
});

describeWithDatabase('a suite that needs concurrency', { needs: 'concurrency' }, (db) => {
  const clients: Client[] = [];

  async function connect(): Promise<Client> {
    const client = new Client(db().pgConfig());
    clients.push(client);
    await client.connect();
    return client;
  }

  async function backendPid(client: Client): Promise<number> {
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    return rows[0]?.pid ?? Number.NaN;
  }

  beforeAll(async () => {
    await db().query('CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL)');
    await db().query('INSERT INTO counter VALUES (1, 0)');
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.end()));
  });

  it('runs on PostgreSQL with connections bound to the schema', async () => {
    expect(db().kind).toBe('postgres');
    const client = await connect();
    expect((await client.query('SELECT current_schema() AS s')).rows).toEqual([{ s: db().schema }]);
  });

  it('has real concurrent connections: a second transaction blocks on the first one’s row lock', async () => {
    const [holder, waiter, observer] = [await connect(), await connect(), await connect()];
    const holderPid = await backendPid(holder);
    const waiterPid = await backendPid(waiter);

    await holder.query('BEGIN');
    await holder.query('UPDATE counter SET n = n + 1 WHERE id = 1');
    await waiter.query('BEGIN');
    const blocked = waiter.query<{ n: number }>('UPDATE counter SET n = n + 10 WHERE id = 1 RETURNING n');

    // Polls the server's lock table: blocking on a row lock announces no event to the client.
    await waitFor(
      async () => {
        const { rows } = await observer.query<{ pids: number[] }>('SELECT pg_blocking_pids($1) AS pids', [
          waiterPid,
        ]);
        return rows[0]?.pids.includes(holderPid) ?? false;
      },
      { timeoutMs: 10_000, description: 'the second transaction to wait on the first one’s row lock' },
    );

    await holder.query('COMMIT');
    expect((await blocked).rows).toEqual([{ n: 11 }]);
    await waiter.query('COMMIT');
  });
});

describeWithDatabase('cleaning up on PostgreSQL', { needs: 'postgres' }, (db) => {
  it('sweeps keel_t_ schemas whose suite is gone and spares live ones', async () => {
    // Created without the advisory lock a live suite holds: to the sweep, an abandoned schema.
    const abandoned = `keel_t_abandoned_${process.pid}`;
    await db().query(`CREATE SCHEMA ${abandoned}`);
    const dropped = await sweepAbandonedSchemas(db().url);
    expect(dropped).toContain(abandoned);
    expect(dropped).not.toContain(db().schema);
    expect(await schemaExists(db(), abandoned)).toBe(false);
    expect(await schemaExists(db(), db().schema)).toBe(true);
  });

  it("spares a live suite's own extra schemas (<suite schema>_name) and sweeps a dead suite's", async () => {
    const live = `${db().schema}_orders`;
    const dead = `keel_t_999999999_0badf00d_orders`;
    await db().query(`CREATE SCHEMA ${live}`);
    await db().query(`CREATE SCHEMA ${dead}`);
    try {
      const dropped = await sweepAbandonedSchemas(db().url);
      expect(dropped).toContain(dead);
      expect(dropped).not.toContain(live);
      expect(await schemaExists(db(), live)).toBe(true);
    } finally {
      await db().query(`DROP SCHEMA IF EXISTS ${live} CASCADE`);
    }
  });
});

/** A connection the next suite leaves open inside a transaction, as a forgotten DataSource would. */
const leaked: { schema?: string; client?: Client; errors: Error[] } = { errors: [] };

describeWithDatabase(
  'a suite that leaves a transaction open (the harness warns about it)',
  { needs: 'postgres' },
  (db) => {
    it('holds a lock on one of its tables when it ends', async () => {
      leaked.schema = db().schema;
      await db().query('CREATE TABLE held (id int)');
      const client = new Client(db().pgConfig());
      client.on('error', (error) => leaked.errors.push(error));
      await client.connect();
      leaked.client = client;
      await client.query('BEGIN');
      await client.query('LOCK TABLE held IN ACCESS EXCLUSIVE MODE');
    });
  },
);

describeWithDatabase('after it', { needs: 'postgres' }, (db) => {
  afterAll(async () => {
    await leaked.client?.end();
  });

  it('still got its schema dropped, by ending the session that blocked the DROP', async () => {
    expect(await schemaExists(db(), leaked.schema ?? '')).toBe(false);
    const error = await waitFor(() => leaked.errors[0], {
      timeoutMs: 5_000,
      description: 'the leaked session to end',
    });
    expect(error).toMatchObject({ code: '57P01' }); // admin_shutdown: terminated by the harness
  });
});
