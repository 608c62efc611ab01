import 'reflect-metadata';
import { waitFor } from '@keel/broker/testing';
import { describeWithDatabase } from '@keel/test-support';
import {
  currentManager,
  currentTransaction,
  resolveTransactionCheck,
  rollbackErrorOf,
  runInTransaction,
} from '@keel/tx';
import type { DataSource } from 'typeorm';
import { collectProblems, Note, openTxDataSource, rejectionOf } from '../tx-fixtures';

// The server ends the transaction's session (pg_terminate_backend, as a failover or an operator
// would) while the transaction is open; what the caller, the hooks and a check-back then see.
describeWithDatabase('runInTransaction when the connection breaks', { needs: 'postgres' }, (db) => {
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = await openTxDataSource(db());
  });
  afterAll(() => dataSource?.destroy());

  /** Terminates the current transaction's session and waits until TypeORM noticed. */
  async function killOwnSession(): Promise<void> {
    const [row] = (await currentManager().query('SELECT pg_backend_pid() AS pid')) as Array<{ pid: number }>;
    const runner = currentTransaction().manager.queryRunner;
    await db().query('SELECT pg_terminate_backend($1)', [row?.pid]);
    await waitFor(() => runner?.isReleased, {
      timeoutMs: 5_000,
      description: 'the query runner to see the kill',
    });
  }

  it('gives the caller the original error and attaches the failed rollback to it', async () => {
    const { problems, report } = collectProblems();
    const failure = new Error('business rule broken');
    const afterRollback: unknown[] = [];
    const caught = await rejectionOf(
      runInTransaction(
        dataSource,
        async (context) => {
          context.afterRollback((_ctx, error) => void afterRollback.push(error));
          await currentManager().insert(Note, { id: 'lost', text: 'x' });
          await killOwnSession();
          throw failure;
        },
        { report },
      ),
    );
    expect(caught).toBe(failure);
    expect(rollbackErrorOf(caught)).toBeInstanceOf(Error);
    expect(problems.map((problem) => problem.kind)).toEqual(['rollback-failed']);
    // The server rolled back with the session, so afterRollback is still right.
    expect(afterRollback).toEqual([failure]);
    expect(await db().query(`SELECT id FROM note WHERE id = 'lost'`)).toEqual([]);
  });

  it('runs no after-hook when COMMIT got no answer, and the check-back then decides ROLLBACK', async () => {
    const { problems, report } = collectProblems();
    const hooks: string[] = [];
    let id = '';
    const caught = await rejectionOf(
      runInTransaction(
        dataSource,
        async (context) => {
          id = context.id;
          context.afterCommit(() => void hooks.push('after-commit'));
          context.afterRollback(() => void hooks.push('after-rollback'));
          await killOwnSession();
        },
        { report },
      ),
    );
    expect(caught).toBeInstanceOf(Error);
    expect(hooks).toEqual([]);
    expect(problems).toEqual([{ kind: 'commit-outcome-unknown', transactionId: id, error: caught }]);
    // Nothing committed, so the barrier row is absent and the check claims it.
    expect(await resolveTransactionCheck(dataSource, id, { lockTimeoutMs: 1_000 })).toBe('ROLLBACK');
  });
});
