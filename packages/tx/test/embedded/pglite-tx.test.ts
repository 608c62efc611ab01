import 'reflect-metadata';
import type { PGlite } from '@electric-sql/pglite';
import { FakeClock } from '@keel/broker';
import { createTestPGlite } from '@keel/test-support';
import {
  BarrierConflictError,
  currentManager,
  ensureKeelTables,
  pgliteDataSourceOptions,
  purgeInbox,
  resolveTransactionCheck,
  runInTransaction,
  runOnce,
} from '@keel/tx';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { collectProblems, gate, Note, rejectionOf } from '../tx-fixtures';

// The embedded setup (`npm run example`): everything on one in-memory PGlite, always, whatever
// database the rest of the run uses. PGlite is one session, so "waiting on a row lock" becomes
// "waiting for the session": a check-back cannot look inside an open transaction, and its
// deadline on the injected clock is what bounds the wait.
describe('@keel/tx on embedded PGlite', () => {
  let pglite: PGlite;
  let dataSource: DataSource;

  beforeAll(async () => {
    pglite = await createTestPGlite();
    dataSource = await new DataSource(
      pgliteDataSourceOptions(pglite, { entities: [Note], synchronize: true }),
    ).initialize();
    await ensureKeelTables(dataSource);
  }, 120_000);
  afterAll(async () => {
    await dataSource?.destroy();
    await pglite?.close();
  });

  const rows = (sql: string) => dataSource.query<Array<Record<string, unknown>>>(sql);

  it('commits a transaction and its joined calls once, and rolls back on error', async () => {
    const id = await runInTransaction(dataSource, async (context) => {
      await currentManager().insert(Note, { id: 'a', text: 'x' });
      await runInTransaction(dataSource, () => currentManager().insert(Note, { id: 'b', text: 'y' }));
      await context.claimBarrier();
      return context.id;
    });
    const failure = new Error('nope');
    expect(
      await rejectionOf(
        runInTransaction(dataSource, async () => {
          await currentManager().insert(Note, { id: 'c', text: 'z' });
          throw failure;
        }),
      ),
    ).toBe(failure);
    expect(await rows('SELECT id FROM note ORDER BY id')).toEqual([{ id: 'a' }, { id: 'b' }]);
    expect(await rows('SELECT tx_id, outcome FROM keel_tx_barrier')).toEqual([
      { tx_id: id, outcome: 'committed' },
    ]);
  });

  it('answers check-backs: COMMIT, ROLLBACK, and a late commit fails', async () => {
    const committed = await runInTransaction(dataSource, async (context) => {
      await context.claimBarrier();
      return context.id;
    });
    expect(await resolveTransactionCheck(dataSource, committed, { lockTimeoutMs: 1_000 })).toBe('COMMIT');
    const late = randomUUID();
    expect(await resolveTransactionCheck(dataSource, late, { lockTimeoutMs: 1_000 })).toBe('ROLLBACK');
    const caught = await rejectionOf(
      runInTransaction(dataSource, (context) => context.claimBarrier(), { transactionId: late }),
    );
    expect(caught).toBeInstanceOf(BarrierConflictError);
  });

  it('answers UNKNOWN at the deadline while a transaction holds the session, then COMMIT', async () => {
    const release = gate();
    const started = gate();
    const id = randomUUID();
    const local = runInTransaction(
      dataSource,
      async (context) => {
        await context.claimBarrier();
        started.open();
        await release.opened;
      },
      { transactionId: id },
    );
    await started.opened;
    const clock = new FakeClock();
    const { problems, report } = collectProblems();
    const answer = resolveTransactionCheck(dataSource, id, {
      lockTimeoutMs: 100,
      timeoutMs: 1_000,
      clock,
      report,
    });
    clock.advance(1_000);
    expect(await answer).toBe('UNKNOWN');
    expect(problems).toEqual([expect.objectContaining({ kind: 'check-unknown', reason: 'timeout' })]);
    release.open();
    await local;
    // The abandoned check runs once the session is free, finds the committed row and changes nothing.
    expect(await resolveTransactionCheck(dataSource, id, { lockTimeoutMs: 100 })).toBe('COMMIT');
  });

  it('runs a handler once for duplicates, concurrent ones included, and purges old rows', async () => {
    const clock = new FakeClock();
    let runs = 0;
    const handler = async () => {
      runs += 1;
      await currentManager().insert(Note, { id: `effect-${runs}`, text: 'x' });
    };
    const results = await Promise.all(
      [1, 2, 3].map(() => runOnce(dataSource, { group: 'g', key: 'm1' }, handler, { clock })),
    );
    expect(results.filter((r) => r.ran)).toHaveLength(1);
    expect(runs).toBe(1);
    clock.advance(60_000);
    expect(await purgeInbox(dataSource, 30_000, clock)).toBe(1);
    expect(await rows('SELECT * FROM keel_inbox')).toEqual([]);
  });
});
