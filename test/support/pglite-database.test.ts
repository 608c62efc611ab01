// The PGlite side of the harness, tested directly so it is covered in runs that have PostgreSQL
// too (there describeWithDatabase never picks it).

import 'reflect-metadata';
import { Column, DataSource, Entity, PrimaryColumn } from 'typeorm';
import { LivePGliteDatabase } from './test-database';

@Entity('item')
class Item {
  @PrimaryColumn('bigint')
  id!: string;

  @Column('text')
  name!: string;
}

describe('a PGlite test database', () => {
  let database: LivePGliteDatabase;

  beforeAll(async () => {
    database = await LivePGliteDatabase.open();
  }, 120_000);

  afterAll(async () => {
    if (!database.pglite.closed) await database.close();
  });

  it('has its own schema first on the search path', async () => {
    expect(database.kind).toBe('pglite');
    expect(database.schema).toMatch(/^keel_t_\d+_[0-9a-f]{8}$/);
    expect(await database.query('SELECT current_schema() AS s')).toEqual([{ s: database.schema }]);
  });

  it('gives TypeORM options that put tables in the schema, next to raw SQL', async () => {
    const dataSource = await new DataSource(
      database.dataSourceOptions([Item], { synchronize: true }),
    ).initialize();
    try {
      await dataSource.getRepository(Item).save({ id: '9007199254740993', name: 'big' });
      expect(await database.query('SELECT id, name FROM item')).toEqual([
        { id: '9007199254740993', name: 'big' },
      ]);
      expect(
        await database.query('SELECT table_schema FROM information_schema.tables WHERE table_name = $1', [
          'item',
        ]),
      ).toEqual([{ table_schema: database.schema }]);
    } finally {
      await dataSource.destroy();
    }
  });

  it('is discarded, instance and all, when closed', async () => {
    await database.close();
    expect(database.pglite.closed).toBe(true);
  });
});
