import 'reflect-metadata';
import { describeWithDatabase } from '@keel/test-support';
import {
  createKeelTablesMigration,
  DEFAULT_KEEL_TABLES,
  ensureKeelTables,
  keelTables,
  KeelTablesMigration,
  runInTransaction,
  runOnce,
  TxError,
} from '@keel/tx';
import { DataSource } from 'typeorm';

describe('keelTables', () => {
  it('defaults to keel_tx_barrier and keel_inbox on the search path', () => {
    expect(DEFAULT_KEEL_TABLES).toMatchObject({
      barrierName: 'keel_tx_barrier',
      inboxName: 'keel_inbox',
      barrierTable: '"keel_tx_barrier"',
      inboxTable: '"keel_inbox"',
    });
    expect(keelTables({ prefix: 'shop_', schema: 'app' })).toMatchObject({
      barrierTable: '"app"."shop_tx_barrier"',
      inboxTable: '"app"."shop_inbox"',
    });
  });

  it.each([
    [{ prefix: 'Keel_' }, /table prefix "Keel_": use lowercase letters, digits and _/],
    [{ prefix: 'a"; DROP TABLE x; --' }, /table prefix/],
    [{ prefix: 'p'.repeat(44) }, /too long.*at most 43 characters/],
    [{ schema: 'My Schema' }, /schema "My Schema"/],
  ])('rejects %j with the fix', (options, message) => {
    expect(() => keelTables(options)).toThrow(TxError);
    expect(() => keelTables(options)).toThrow(message);
  });
});

describeWithDatabase('Keel tables on the database', (db) => {
  const columns = (table: string) =>
    db().query<{ column_name: string; data_type: string }>(
      `SELECT column_name, data_type FROM information_schema.columns
        WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
      [db().schema, table],
    );

  it('creates both tables through the migration, and reverts them', async () => {
    const custom = keelTables({ prefix: 'mig_' });
    const dataSource = await new DataSource(
      db().dataSourceOptions([], { migrations: [KeelTablesMigration, createKeelTablesMigration(custom)] }),
    ).initialize();
    try {
      const applied = await dataSource.runMigrations();
      expect(applied.map((m) => m.name)).toEqual([
        'KeelTables1735689600000',
        'KeelTables_mig__1735689600000',
      ]);
      expect(await columns('keel_tx_barrier')).toEqual([
        { column_name: 'tx_id', data_type: 'character varying' },
        { column_name: 'outcome', data_type: 'character varying' },
        { column_name: 'created_at', data_type: 'timestamp with time zone' },
      ]);
      expect((await columns('mig_inbox')).map((c) => c.column_name)).toEqual([
        'consumer_group',
        'message_key',
        'handled_at',
      ]);
      // The tables work with the names they were made for.
      await runInTransaction(dataSource, (context) => context.claimBarrier(), { tables: custom });
      await runOnce(dataSource, { group: 'g', key: 'k' }, async () => undefined, { tables: custom });
      await dataSource.undoLastMigration();
      expect(await columns('mig_inbox')).toEqual([]);
      expect(await columns('keel_inbox')).toHaveLength(3);
    } finally {
      await dataSource.destroy();
    }
  });

  it('ensureKeelTables is idempotent and safe when several services start at once', async () => {
    const tables = keelTables({ prefix: 'ens_' });
    const dataSource = await new DataSource(db().dataSourceOptions([])).initialize();
    try {
      await Promise.all([1, 2, 3].map(() => ensureKeelTables(dataSource, { tables })));
      await ensureKeelTables(dataSource, { tables });
      expect(await columns('ens_tx_barrier')).toHaveLength(3);
    } finally {
      await dataSource.destroy();
    }
  });

  it('accepts only committed and rolled_back as outcomes', async () => {
    const dataSource = await new DataSource(db().dataSourceOptions([])).initialize();
    try {
      await ensureKeelTables(dataSource);
      await expect(
        db().query(`INSERT INTO keel_tx_barrier VALUES ('t', 'maybe', now())`),
      ).rejects.toMatchObject({ code: '23514' });
    } finally {
      await dataSource.destroy();
    }
  });
});
