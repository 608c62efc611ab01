import 'reflect-metadata';
import type { PGlite } from '@electric-sql/pglite';
import { waitFor } from '@keel/broker/testing';
import { createTestPGlite } from '@keel/test-support';
import { pgliteDataSourceOptions } from '@keel/tx';
import {
  Column,
  CreateDateColumn,
  DataSource,
  Entity,
  PrimaryGeneratedColumn,
  type MigrationInterface,
  type QueryRunner,
} from 'typeorm';
import { leaseQueueFor } from '../../src/pglite/lease-queue';

@Entity('account')
class Account {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column('text')
  owner!: string;

  @Column('bigint')
  balance!: string;

  @Column('numeric', { precision: 12, scale: 2 })
  creditLimit!: string;

  @Column('jsonb', { default: {} })
  meta!: Record<string, unknown>;

  @Column('date', { nullable: true })
  openedOn!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}

class CreateLedger1700000000000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    // Several statements in one call, as generated and hand-written migrations do.
    await runner.query(`
      CREATE TABLE ledger (id bigserial PRIMARY KEY, account_id int NOT NULL, amount numeric(12, 2) NOT NULL);
      CREATE INDEX ledger_account ON ledger (account_id);
      INSERT INTO ledger (account_id, amount) VALUES (1, 10.00), (1, -2.50);
    `);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE ledger');
  }
}

interface Deferred {
  readonly promise: Promise<void>;
  resolve(): void;
}

function deferred(): Deferred {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

let pglite: PGlite;
let dataSource: DataSource;

beforeAll(async () => {
  pglite = await createTestPGlite();
  dataSource = await new DataSource(
    pgliteDataSourceOptions(pglite, {
      entities: [Account],
      synchronize: true,
      migrations: [CreateLedger1700000000000],
    }),
  ).initialize();
}, 120_000);

afterAll(async () => {
  await dataSource?.destroy();
  await pglite?.close();
});

beforeEach(async () => {
  await dataSource.getRepository(Account).clear();
});

describe('TypeORM on the PGlite pool', () => {
  it('saves and finds an entity, with bigint and numeric as strings like pg', async () => {
    const accounts = dataSource.getRepository(Account);
    const saved = await accounts.save(
      accounts.create({
        owner: 'ada',
        balance: '9007199254740993', // 2^53 + 1: a number would lose the last digit
        creditLimit: '100.50',
        meta: { tier: 'gold', tags: ['a'] },
        openedOn: '2024-07-01',
      }),
    );
    const found = await accounts.findOneByOrFail({ id: saved.id });
    expect(found).toEqual({
      id: saved.id,
      owner: 'ada',
      balance: '9007199254740993',
      creditLimit: '100.50',
      meta: { tier: 'gold', tags: ['a'] },
      openedOn: '2024-07-01',
      createdAt: expect.any(Date),
    });
    const [count] = await dataSource.query<Array<{ n: unknown }>>('SELECT count(*) AS n FROM account');
    expect(count?.n).toBe('1');
  });

  it('reports affected rows of UPDATE and DELETE', async () => {
    const accounts = dataSource.getRepository(Account);
    await accounts.insert([
      { owner: 'a', balance: '1', creditLimit: '0' },
      { owner: 'a', balance: '2', creditLimit: '0' },
      { owner: 'b', balance: '3', creditLimit: '0' },
    ]);
    expect((await accounts.update({ owner: 'a' }, { creditLimit: '5.00' })).affected).toBe(2);
    const viaBuilder = await dataSource
      .createQueryBuilder()
      .update(Account)
      .set({ balance: '10' })
      .where('owner = :owner', { owner: 'b' })
      .execute();
    expect(viaBuilder.affected).toBe(1);
    expect((await accounts.delete({ owner: 'b' })).affected).toBe(1);
    expect((await accounts.delete({ owner: 'nobody' })).affected).toBe(0);
  });

  it('rolls a failed transaction back and leaves the session outside any transaction', async () => {
    const failure = new Error('abort the transfer');
    await expect(
      dataSource.transaction(async (manager) => {
        await manager.insert(Account, { owner: 'ghost', balance: '1', creditLimit: '0' });
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await dataSource.getRepository(Account).countBy({ owner: 'ghost' })).toBe(0);
    expect(pglite.isInTransaction()).toBe(false);
  });

  it('runs two concurrent transactions one after the other: the second waits for the first to commit', async () => {
    const log: string[] = [];
    const firstInside = deferred();
    const letFirstCommit = deferred();

    const first = dataSource.transaction(async (manager) => {
      await manager.insert(Account, { owner: 'first', balance: '1', creditLimit: '0' });
      log.push('first inserted');
      firstInside.resolve();
      await letFirstCommit.promise;
      log.push('first commits');
    });
    await firstInside.promise;

    const second = dataSource.transaction(async (manager) => {
      log.push('second starts');
      const seen = await manager.countBy(Account, { owner: 'first' });
      log.push(`second sees ${seen} row(s) of first`);
    });
    // The second transaction is queued for the session, not running inside the first one.
    await waitFor(() => leaseQueueFor(pglite).waitingCount === 1, {
      timeoutMs: 5_000,
      description: 'the second transaction to wait for the lease',
    });
    expect(log).toEqual(['first inserted']);

    letFirstCommit.resolve();
    await Promise.all([first, second]);
    expect(log).toEqual([
      'first inserted',
      'first commits',
      'second starts',
      'second sees 1 row(s) of first',
    ]);
  });

  it('runs migrations made of multi-statement SQL', async () => {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    expect(applied.map((m) => m.name)).toEqual(['CreateLedger1700000000000']);
    const rows = await dataSource.query<Array<{ total: string; n: string }>>(
      'SELECT sum(amount) AS total, count(*) AS n FROM ledger',
    );
    expect(rows).toEqual([{ total: '7.50', n: '2' }]);
    await dataSource.undoLastMigration();
  });

  it('keeps two services on two PGlite instances independent', async () => {
    const other = await createTestPGlite();
    const otherSource = await new DataSource(
      pgliteDataSourceOptions(other, { entities: [Account], synchronize: true }),
    ).initialize();
    try {
      const holdFirst = deferred();
      const firstInside = deferred();
      const first = dataSource.transaction(async (manager) => {
        await manager.insert(Account, { owner: 'svc-1', balance: '1', creditLimit: '0' });
        firstInside.resolve();
        await holdFirst.promise;
      });
      await firstInside.promise;
      // While the first instance's session is leased, the second instance serves a transaction.
      await otherSource.transaction(async (manager) => {
        await manager.insert(Account, { owner: 'svc-2', balance: '2', creditLimit: '0' });
      });
      expect(await otherSource.getRepository(Account).countBy({ owner: 'svc-2' })).toBe(1);
      holdFirst.resolve();
      await first;
      expect(await dataSource.getRepository(Account).countBy({ owner: 'svc-2' })).toBe(0);
    } finally {
      await otherSource.destroy();
      await other.close();
    }
  });
});
