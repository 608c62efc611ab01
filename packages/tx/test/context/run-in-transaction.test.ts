import 'reflect-metadata';
import { describeWithDatabase } from '@keel/test-support';
import {
  currentManager,
  installTransactionGuard,
  keelTables,
  repository,
  runInTransaction,
  TxError,
  TxErrorCodes,
  type TransactionContext,
  type TransactionOptions,
} from '@keel/tx';
import { DataSource } from 'typeorm';
import { runWithHints } from '../../src/context/run-in-transaction';
import { collectProblems, gate, Note, openTxDataSource, rejectionOf, StatementLog } from '../tx-fixtures';

describeWithDatabase('runInTransaction', (db) => {
  let dataSource: DataSource;
  const log = new StatementLog();

  beforeAll(async () => {
    dataSource = await new DataSource(
      db().dataSourceOptions([Note], { synchronize: true, logger: log }),
    ).initialize();
    await openTxDataSource(db()).then((ds) => ds.destroy()); // creates Keel's tables
    await db().query('CREATE TABLE deferred_key (id int PRIMARY KEY DEFERRABLE INITIALLY DEFERRED)');
  });
  afterAll(() => dataSource?.destroy());
  beforeEach(async () => {
    await db().query('TRUNCATE note, keel_tx_barrier, deferred_key');
    log.statements.length = 0;
  });

  const notes = async () =>
    (await db().query<{ id: string }>('SELECT id FROM note ORDER BY id')).map((row) => row.id);
  const barrier = () =>
    db().query<{ tx_id: string; outcome: string }>('SELECT tx_id, outcome FROM keel_tx_barrier');

  const barrierInserts = () => log.count(/INSERT INTO "keel_tx_barrier"/);

  it('commits the writes and returns the value, and writes no barrier row unless one is claimed', async () => {
    const result = await runInTransaction(dataSource, async (context) => {
      await currentManager().insert(Note, { id: 'a', text: 'x' });
      return { id: context.id, claimed: context.barrierClaimed };
    });
    expect(result.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.claimed).toBe(false);
    expect(await notes()).toEqual(['a']);
    expect(await barrier()).toEqual([]);
    expect(barrierInserts()).toBe(0);
  });

  it('claims the barrier once when asked, on its own connection, committed or rolled back with it', async () => {
    const id = await runInTransaction(dataSource, async (context) => {
      await currentManager().insert(Note, { id: 'a', text: 'x' });
      // Concurrent callers share one claim.
      await Promise.all([context.claimBarrier(), context.claimBarrier()]);
      await context.claimBarrier();
      expect(context.barrierClaimed).toBe(true);
      return context.id;
    });
    expect(barrierInserts()).toBe(1);
    expect(await barrier()).toEqual([{ tx_id: id, outcome: 'committed' }]);

    const failure = new Error('after the claim');
    expect(
      await rejectionOf(
        runInTransaction(dataSource, async (context) => {
          await context.claimBarrier();
          throw failure;
        }),
      ),
    ).toBe(failure);
    expect(await barrier()).toEqual([{ tx_id: id, outcome: 'committed' }]);
  });

  it('when messages are expected, BEGIN carries the claim (one round trip on node-postgres)', async () => {
    const claimedAtStart = await runWithHints(
      dataSource,
      async (context) => {
        const claimed = context.barrierClaimed;
        await currentManager().insert(Note, { id: 'a', text: 'x' });
        await context.claimBarrier(); // already done with BEGIN where it could be: nothing sent
        return claimed;
      },
      {},
      { expectsMessages: true },
    );
    const begin = log.statements.findIndex((statement) => statement.startsWith('START TRANSACTION'));
    const [first, second, third] = log.statements.slice(begin, begin + 3);
    if (db().kind === 'postgres') {
      expect(claimedAtStart).toBe(true);
      expect(first).toMatch(/^START TRANSACTION; INSERT INTO "keel_tx_barrier"/);
      expect(second).toMatch(/^INSERT INTO .*"note"/s);
    } else {
      // PGlite: no two-statement BEGIN, so the claim waits until it is asked for.
      expect(claimedAtStart).toBe(false);
      expect(first).toBe('START TRANSACTION');
      expect(second).toMatch(/^INSERT INTO .*"note"/s);
      expect(third).toMatch(/^INSERT INTO "keel_tx_barrier"/);
    }
    expect(barrierInserts()).toBe(1);
    expect(await barrier()).toHaveLength(1);
  });

  it('joins an outer transaction: one BEGIN, one COMMIT, one barrier row, the same context', async () => {
    let inner: TransactionContext | undefined;
    const outer = await runInTransaction(dataSource, async (context) => {
      await currentManager().insert(Note, { id: 'outer', text: 'x' });
      await context.claimBarrier();
      await runInTransaction(dataSource, async (nested) => {
        inner = nested;
        await nested.claimBarrier();
        await repository(Note).insert({ id: 'inner', text: 'y' });
      });
      return context;
    });
    expect(inner).toBe(outer);
    expect(log.count(/^START TRANSACTION/)).toBe(1);
    expect(log.count('COMMIT')).toBe(1);
    expect(barrierInserts()).toBe(1);
    expect(await barrier()).toHaveLength(1);
    expect(await notes()).toEqual(['inner', 'outer']);
  });

  it('rolls back a joined call when the outer call fails after it returned', async () => {
    const failure = new Error('outer failed');
    const caught = await rejectionOf(
      runInTransaction(dataSource, async () => {
        await runInTransaction(dataSource, async () => {
          await repository(Note).insert({ id: 'inner', text: 'y' });
        });
        throw failure;
      }),
    );
    expect(caught).toBe(failure);
    expect(await notes()).toEqual([]);
    expect(await barrier()).toEqual([]);
  });

  it('hands the original error to the caller unchanged, and rolls back', async () => {
    class BusinessError extends Error {
      readonly detail = 42;
    }
    const failure = new BusinessError('no stock');
    const caught = await rejectionOf(
      runInTransaction(dataSource, async () => {
        await currentManager().insert(Note, { id: 'a', text: 'x' });
        throw failure;
      }),
    );
    expect(caught).toBe(failure);
    expect(caught).toBeInstanceOf(BusinessError);
    expect((caught as BusinessError).message).toBe('no stock');
    expect(await notes()).toEqual([]);
    expect(await barrier()).toEqual([]);

    // Not only Error objects: whatever was thrown.
    expect(await rejectionOf(runInTransaction(dataSource, () => Promise.reject('plain string')))).toBe(
      'plain string',
    );
  });

  it('refuses currentManager() outside a transaction with a typed error', () => {
    expect(() => currentManager()).toThrow(
      expect.objectContaining({ code: TxErrorCodes.NO_TRANSACTION }) as unknown as Error,
    );
    expect(() => repository(Note)).toThrow(/runInTransaction\(\), runOnce\(\) or a @Transactional\(\)/);
  });

  it('refuses a callback that keeps running after the commit', async () => {
    const resume = gate();
    let leaked: Promise<unknown> | undefined;
    await runInTransaction(dataSource, async () => {
      // Not awaited: it resumes after the commit, still inside the transaction's async context.
      leaked = resume.opened.then(() => currentManager());
    });
    resume.open();
    const error = await rejectionOf(leaked ?? Promise.resolve());
    expect(error).toBeInstanceOf(TxError);
    expect((error as TxError).code).toBe(TxErrorCodes.TRANSACTION_FINISHED);
    expect((error as TxError).message).toMatch(/is committed/);
  });

  it('runs hooks in order: beforeCommit inside the transaction, afterCommit after COMMIT', async () => {
    const events: string[] = [];
    const commitsBefore = () => log.count('COMMIT');
    await runInTransaction(dataSource, async (context) => {
      context.afterRollback(() => void events.push('after-rollback'));
      context.afterCommit(() => void events.push(`after-commit-1 commits=${commitsBefore()}`));
      context.beforeCommit(async (ctx) => {
        events.push(`before-commit-1 commits=${commitsBefore()}`);
        await ctx.manager.insert(Note, { id: 'from-hook', text: 'x' });
        // A hook may add hooks; they run in the same pass.
        ctx.beforeCommit(() => void events.push('before-commit-3'));
      });
      context.beforeCommit(() => void events.push('before-commit-2'));
      context.afterCommit(() => void events.push('after-commit-2'));
      events.push('callback');
    });
    expect(events).toEqual([
      'callback',
      'before-commit-1 commits=0',
      'before-commit-2',
      'before-commit-3',
      'after-commit-1 commits=1',
      'after-commit-2',
    ]);
    expect(await notes()).toEqual(['from-hook']);
  });

  it('rolls back when a beforeCommit hook fails, and runs afterRollback with that error', async () => {
    const failure = new Error('half message send failed');
    const events: unknown[] = [];
    const caught = await rejectionOf(
      runInTransaction(dataSource, async (context) => {
        await currentManager().insert(Note, { id: 'a', text: 'x' });
        context.beforeCommit(() => {
          throw failure;
        });
        context.afterCommit(() => void events.push('after-commit'));
        context.afterRollback((_ctx, error) => void events.push(error));
      }),
    );
    expect(caught).toBe(failure);
    expect(events).toEqual([failure]);
    expect(log.count('COMMIT')).toBe(0);
    expect(await notes()).toEqual([]);
    expect(await barrier()).toEqual([]);
  });

  it('reports a failing afterCommit hook, runs the others, and still returns the result', async () => {
    const { problems, report } = collectProblems();
    const hookError = new Error('END_TRANSACTION lost');
    const ran: string[] = [];
    const result = await runInTransaction(
      dataSource,
      async (context) => {
        context.afterCommit(() => {
          throw hookError;
        });
        context.afterCommit(() => void ran.push('second'));
        return 'done';
      },
      { report },
    );
    expect(result).toBe('done');
    expect(ran).toEqual(['second']);
    expect(problems).toEqual([
      { kind: 'after-commit-hook-failed', transactionId: expect.any(String), error: hookError },
    ]);
  });

  it('runs afterRollback, not afterCommit, when PostgreSQL refuses the COMMIT itself', async () => {
    const events: string[] = [];
    const caught = await rejectionOf(
      runInTransaction(dataSource, async (context) => {
        // A deferred key is checked at COMMIT: the commit fails with 23505 and rolls back.
        await currentManager().query('INSERT INTO deferred_key VALUES (1), (1)');
        context.afterCommit(() => void events.push('after-commit'));
        context.afterRollback(() => void events.push('after-rollback'));
      }),
    );
    expect((caught as { code?: unknown }).code).toBe('23505');
    expect(events).toEqual(['after-rollback']);
    expect(await barrier()).toEqual([]);
  });

  it('will not commit after an error escaped a joined call and was caught', async () => {
    const innerError = new Error('inner failed');
    const caught = await rejectionOf(
      runInTransaction(dataSource, async () => {
        await currentManager().insert(Note, { id: 'outer', text: 'x' });
        await runInTransaction(dataSource, async () => {
          throw innerError;
        }).catch(() => undefined);
        return 'swallowed';
      }),
    );
    expect(caught).toBeInstanceOf(TxError);
    expect((caught as TxError).code).toBe(TxErrorCodes.ROLLBACK_ONLY);
    expect((caught as TxError).cause).toBe(innerError);
    expect(await notes()).toEqual([]);
  });

  it('will not report success when a failed statement was caught and PostgreSQL aborted the transaction', async () => {
    await db().query(`INSERT INTO note VALUES ('taken', 'x')`);
    const events: string[] = [];
    const caught = await rejectionOf(
      runInTransaction(dataSource, async (context) => {
        context.afterCommit(() => void events.push('after-commit'));
        await currentManager().insert(Note, { id: 'mine', text: 'x' });
        await currentManager()
          .insert(Note, { id: 'taken', text: 'x' })
          .catch(() => undefined);
      }),
    );
    expect((caught as TxError).code).toBe(TxErrorCodes.ABORTED);
    expect(((caught as TxError).cause as { code?: unknown }).code).toBe('23505');
    expect(events).toEqual([]);
    expect(await notes()).toEqual(['taken']);
  });

  it('commits after a failed statement that a savepoint recovered from', async () => {
    await db().query(`INSERT INTO note VALUES ('taken', 'x')`);
    await runInTransaction(dataSource, async () => {
      await currentManager().insert(Note, { id: 'mine', text: 'x' });
      await currentManager()
        .transaction((savepoint) => savepoint.insert(Note, { id: 'taken', text: 'x' }))
        .catch(() => undefined);
    });
    expect(await notes()).toEqual(['mine', 'taken']);
  });

  it('starts the transaction at the isolation level asked for', async () => {
    const level = await runInTransaction(
      dataSource,
      async () => {
        const [row] = (await currentManager().query('SHOW transaction_isolation')) as Array<{
          transaction_isolation: string;
        }>;
        return row?.transaction_isolation;
      },
      { isolation: 'SERIALIZABLE' },
    );
    expect(level).toBe('serializable');
  });

  it('refuses a nested call that asks for another isolation level, id or DataSource', async () => {
    const other = await new DataSource(db().dataSourceOptions([Note])).initialize();
    try {
      const errors = await runInTransaction(dataSource, async () => {
        await currentManager().insert(Note, { id: 'outer', text: 'x' });
        const attempts = [
          runInTransaction(dataSource, async () => 1, { isolation: 'SERIALIZABLE' }),
          runInTransaction(dataSource, async () => 1, { transactionId: 'another-id' }),
          runInTransaction(other, async () => 1),
        ];
        return Promise.all(attempts.map(rejectionOf));
      });
      expect(errors.map((error) => (error as TxError).code)).toEqual([
        TxErrorCodes.NESTED_MISMATCH,
        TxErrorCodes.NESTED_MISMATCH,
        TxErrorCodes.NESTED_MISMATCH,
      ]);
      expect((errors[0] as TxError).message).toMatch(/asks for isolation SERIALIZABLE.*outermost call/);
      expect((errors[2] as TxError).message).toMatch(/another DataSource/);
      // Refused before joining, so nothing of theirs ran and the outer transaction may commit.
      expect(await notes()).toEqual(['outer']);
    } finally {
      await other.destroy();
    }
  });

  it('names bad options and the fix', async () => {
    const typo = await rejectionOf(
      runInTransaction(dataSource, async () => 1, { isolaton: 'SERIALIZABLE' } as TransactionOptions),
    );
    expect((typo as TxError).code).toBe(TxErrorCodes.INVALID_ARGUMENT);
    expect((typo as TxError).message).toMatch(/unknown option isolaton, did you mean isolation\?/);
    const level = await rejectionOf(
      runInTransaction(dataSource, async () => 1, { isolation: 'SERIALISABLE' as 'SERIALIZABLE' }),
    );
    expect((level as TxError).message).toMatch(/did you mean SERIALIZABLE\?/);
    const id = await rejectionOf(runInTransaction(dataSource, async () => 1, { transactionId: '' }));
    expect((id as TxError).message).toMatch(/transaction id "" must be a string of 1 to 128 characters/);
  });

  it.each([
    ['when claimed in the transaction', false],
    ['when claimed with BEGIN', true],
  ])(
    'refuses an id another transaction committed, %s, and leaves the connection clean',
    async (_when, atBegin) => {
      const id = await runInTransaction(dataSource, async (context) => {
        await context.claimBarrier();
        return context.id;
      });
      let ran = false;
      const caught = await rejectionOf(
        runWithHints(
          dataSource,
          async (context) => {
            await context.claimBarrier();
            ran = true;
          },
          { transactionId: id },
          { expectsMessages: atBegin },
        ),
      );
      expect(caught).toMatchObject({ code: TxErrorCodes.BARRIER_CONFLICT, claimedBy: 'another-transaction' });
      expect(ran).toBe(false);
      // Every pooled connection still works: none was returned inside an aborted transaction.
      const results = await Promise.all(
        Array.from({ length: 12 }, () =>
          runInTransaction(dataSource, async () => currentManager().query('SELECT 1 AS one')),
        ),
      );
      expect(results.flat()).toEqual(Array.from({ length: 12 }, () => ({ one: 1 })));
    },
  );

  it.each([
    ['claiming in the transaction', false],
    ['claiming with BEGIN', true],
  ])('names the missing tables and how to create them, %s', async (_when, atBegin) => {
    const caught = await rejectionOf(
      runWithHints(
        dataSource,
        (context) => context.claimBarrier(),
        { tables: keelTables({ prefix: 'absent_' }) },
        { expectsMessages: atBegin },
      ),
    );
    expect((caught as TxError).code).toBe(TxErrorCodes.TABLES_MISSING);
    expect((caught as TxError).message).toMatch(/KeelTablesMigration.*ensureKeelTables/);
  });

  it('with the guard installed, refuses a query that would escape the transaction', async () => {
    const uninstall = installTransactionGuard(dataSource);
    try {
      const caught = await rejectionOf(
        runInTransaction(dataSource, async () => {
          await dataSource.getRepository(Note).insert({ id: 'escaped', text: 'x' });
        }),
      );
      expect((caught as TxError).code).toBe(TxErrorCodes.ESCAPED);
      // Outside a transaction the DataSource works as always.
      await dataSource.getRepository(Note).insert({ id: 'outside', text: 'x' });
    } finally {
      uninstall();
    }
    // Uninstalled, the escape is possible again: on PostgreSQL it commits on its own, which is the
    // danger (on PGlite it would wait forever for the one connection the transaction holds).
    if (db().kind === 'postgres') {
      await runInTransaction(dataSource, async () => {
        await dataSource.getRepository(Note).insert({ id: 'escaped', text: 'x' });
        throw new Error('roll back');
      }).catch(() => undefined);
      expect(await notes()).toEqual(['escaped', 'outside']);
    }
  });
});
