import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { FakeClock, sleep, systemClock } from '@keel/broker';
import { waitFor } from '@keel/broker/testing';
import { describeWithDatabase } from '@keel/test-support';
import {
  BarrierConflictError,
  currentManager,
  keelTables,
  resolveTransactionCheck,
  runInTransaction,
  TxErrorCodes,
  type CheckResolution,
  type TxProblem,
} from '@keel/tx';
import { DataSource } from 'typeorm';
import { startProxy } from '../tcp-proxy';
import { collectProblems, gate, Note, openTxDataSource, rejectionOf, type Gate } from '../tx-fixtures';

describeWithDatabase('check-back through the barrier', { needs: 'concurrency' }, (db) => {
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = await openTxDataSource(db(), 12);
  });
  afterAll(() => dataSource?.destroy());

  const check = (id: string, lockTimeoutMs = 5_000, report = collectProblems().report) =>
    resolveTransactionCheck(dataSource, id, { lockTimeoutMs, report });

  /**
   * A local transaction that writes a note, claims its barrier (as publish() does before its first
   * half message: from then on a check-back can come) and then waits for `release` before it ends.
   */
  function heldTransaction(
    release: Gate,
    outcome: 'commit' | 'fail',
    options: { isolation?: 'REPEATABLE READ' } = {},
  ) {
    const started = gate();
    let id = '';
    const done = runInTransaction(
      dataSource,
      async (context) => {
        id = context.id;
        await currentManager().insert(Note, { id: context.id, text: 'held' });
        await context.claimBarrier();
        started.open();
        await release.opened;
        if (outcome === 'fail') throw new Error('local transaction failed');
      },
      options,
    );
    return { done, started: started.opened.then(() => id) };
  }

  /** Sessions of this suite waiting on a row lock: the check blocked behind the local transaction. */
  async function lockWaiters(): Promise<number> {
    const rows = await db().query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`,
      [db().schema],
    );
    return Number(rows[0]?.n);
  }

  it('answers ROLLBACK for a transaction that never started, and keeps answering it', async () => {
    const id = randomUUID();
    expect(await check(id)).toBe('ROLLBACK');
    expect(await check(id)).toBe('ROLLBACK');
    expect(await db().query('SELECT outcome FROM keel_tx_barrier WHERE tx_id = $1', [id])).toEqual([
      { outcome: 'rolled_back' },
    ]);
  });

  /** A transaction that claims its barrier and commits; returns its id. */
  const committedTransaction = (source: DataSource = dataSource) =>
    runInTransaction(source, async (context) => {
      await context.claimBarrier();
      return context.id;
    });

  it('answers COMMIT after the local transaction committed', async () => {
    const id = await committedTransaction();
    expect(await check(id)).toBe('COMMIT');
  });

  it('answers UNKNOWN while the local transaction stays open past the lock timeout, then COMMIT', async () => {
    const release = gate();
    const local = heldTransaction(release, 'commit');
    const id = await local.started;
    const { problems, report } = collectProblems();
    expect(await check(id, 200, report)).toBe('UNKNOWN');
    expect(problems).toEqual([
      expect.objectContaining({ kind: 'check-unknown', transactionId: id, reason: 'lock-timeout' }),
    ]);
    release.open();
    await local.done;
    expect(await check(id)).toBe('COMMIT');
  });

  it('waits for an open local transaction and answers COMMIT once it commits', async () => {
    const release = gate();
    const local = heldTransaction(release, 'commit');
    const id = await local.started;
    let answer: CheckResolution | undefined;
    const checking = check(id).then((resolution) => (answer = resolution));
    await waitFor(async () => (await lockWaiters()) === 1, {
      timeoutMs: 5_000,
      description: 'the check to wait',
    });
    expect(answer).toBeUndefined();
    release.open();
    await local.done;
    expect(await checking).toBe('COMMIT');
  });

  it('waits for an open local transaction and answers ROLLBACK once it fails, which then stays', async () => {
    const release = gate();
    const local = heldTransaction(release, 'fail', { isolation: 'REPEATABLE READ' });
    const id = await local.started;
    const checking = check(id);
    await waitFor(async () => (await lockWaiters()) === 1, {
      timeoutMs: 5_000,
      description: 'the check to wait',
    });
    release.open();
    await expect(local.done).rejects.toThrow('local transaction failed');
    expect(await checking).toBe('ROLLBACK');
    expect(await check(id)).toBe('ROLLBACK');
  });

  it('a check that wins makes the late local transaction fail cleanly at its claim, before it sends', async () => {
    const id = randomUUID();
    expect(await check(id)).toBe('ROLLBACK');
    let ran = false;
    const caught = await rejectionOf(
      runInTransaction(
        dataSource,
        async (context) => {
          await currentManager().insert(Note, { id, text: 'late' });
          await context.claimBarrier();
          ran = true;
        },
        { transactionId: id },
      ),
    );
    expect(caught).toBeInstanceOf(BarrierConflictError);
    expect(caught).toMatchObject({
      code: TxErrorCodes.BARRIER_CONFLICT,
      transactionId: id,
      claimedBy: 'check-back',
    });
    expect((caught as Error).message).toMatch(/decided ROLLBACK first.*run the operation again/);
    expect(ran).toBe(false);
    expect(await db().query('SELECT id FROM note WHERE id = $1', [id])).toEqual([]);
    expect(await check(id)).toBe('ROLLBACK');
  });

  it('names who claimed the id even when reading the row fails, never another error', async () => {
    const id = randomUUID();
    expect(await check(id)).toBe('ROLLBACK');
    // The diagnostic read after the conflict fails: the conflict is still what the caller gets.
    const caught = await rejectionOf(
      runInTransaction(
        dataSource,
        async (context) => {
          const runner = currentManager().queryRunner!;
          const query = runner.query.bind(runner);
          runner.query = (async (sql: string, parameters?: unknown[]) => {
            if (sql.startsWith('SELECT outcome')) throw new Error('connection lost while reading');
            return query(sql, parameters);
          }) as typeof runner.query;
          await context.claimBarrier();
        },
        { transactionId: id },
      ),
    );
    expect(caught).toBeInstanceOf(BarrierConflictError);
    expect(caught).toMatchObject({ transactionId: id, claimedBy: 'unknown' });
    expect(((caught as Error).cause as Error).message).toBe('connection lost while reading');
  });

  it('a check that wins while the late transaction waits at SERIALIZABLE also stops it', async () => {
    // The check's row is inserted but not yet committed when the late transaction reaches its
    // barrier insert; emulated with a session that inserts the rolled_back row and holds it.
    const id = randomUUID();
    const holder = await new DataSource(db().dataSourceOptions([])).initialize();
    const runner = holder.createQueryRunner();
    try {
      await runner.startTransaction();
      await runner.query(
        `INSERT INTO keel_tx_barrier (tx_id, outcome, created_at) VALUES ($1, 'rolled_back', now())`,
        [id],
      );
      const late = rejectionOf(
        runInTransaction(dataSource, (context) => context.claimBarrier(), {
          transactionId: id,
          isolation: 'SERIALIZABLE',
        }),
      );
      await waitFor(async () => (await lockWaiters()) === 1, {
        timeoutMs: 5_000,
        description: 'the late insert to wait',
      });
      await runner.commitTransaction();
      const caught = await late;
      expect(caught).toBeInstanceOf(BarrierConflictError);
      expect((caught as BarrierConflictError).claimedBy).toBe('unknown');
    } finally {
      await runner.release();
      await holder.destroy();
    }
  });

  describe('fails closed: every error answers UNKNOWN, never COMMIT', () => {
    async function unknownReason(
      source: DataSource,
      id: string,
      options: { lockTimeoutMs?: number; tables?: ReturnType<typeof keelTables> } = {},
    ): Promise<TxProblem | undefined> {
      const { problems, report } = collectProblems();
      const answer = await resolveTransactionCheck(source, id, { lockTimeoutMs: 1_000, ...options, report });
      expect(answer).toBe('UNKNOWN');
      return problems.find((problem) => problem.kind === 'check-unknown');
    }

    it('when the barrier table is missing', async () => {
      const problem = await unknownReason(dataSource, randomUUID(), {
        tables: keelTables({ prefix: 'absent_' }),
      });
      expect(problem).toMatchObject({
        reason: 'database-error',
        error: { code: TxErrorCodes.TABLES_MISSING },
      });
    });

    it('when the connection may not write (a committed transaction included)', async () => {
      const readOnly = await new DataSource(
        db().dataSourceOptions([], { extra: { options: '-c default_transaction_read_only=on' } }),
      ).initialize();
      try {
        const committed = await committedTransaction();
        for (const id of [randomUUID(), committed]) {
          const problem = await unknownReason(readOnly, id);
          expect(problem).toMatchObject({ reason: 'database-error', error: { code: '25006' } });
        }
      } finally {
        await readOnly.destroy();
      }
    });

    it('when the database goes away after the DataSource connected', async () => {
      const server = new URL(db().url);
      const proxy = await startProxy({ host: server.hostname, port: Number(server.port || 5432) });
      server.hostname = '127.0.0.1';
      server.port = String(proxy.port);
      const distant = await new DataSource({
        ...db().dataSourceOptions([]),
        url: server.toString(),
      }).initialize();
      try {
        const committed = await committedTransaction(distant);
        expect(await resolveTransactionCheck(distant, committed, { lockTimeoutMs: 1_000 })).toBe('COMMIT');
        await proxy.cut();
        // First on the pooled connection that broke, then on a new one that is refused.
        expect(await unknownReason(distant, committed)).toMatchObject({ reason: 'database-error' });
        expect(await unknownReason(distant, committed)).toMatchObject({
          reason: 'database-error',
          error: { code: 'ECONNREFUSED' },
        });
      } finally {
        await distant.destroy();
      }
    });

    it('when the DataSource was never connected', async () => {
      const never = new DataSource({ type: 'postgres', host: '127.0.0.1', port: 1 });
      expect(await unknownReason(never, randomUUID())).toMatchObject({ reason: 'database-error' });
    });

    it('when its session is killed while it waits', async () => {
      const release = gate();
      const local = heldTransaction(release, 'commit');
      const id = await local.started;
      const checking = unknownReason(dataSource, id, { lockTimeoutMs: 10_000 });
      await waitFor(async () => (await lockWaiters()) === 1, {
        timeoutMs: 5_000,
        description: 'the check to wait',
      });
      await db().query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`,
        [db().schema],
      );
      expect(await checking).toMatchObject({ reason: 'database-error' });
      release.open();
      await local.done;
    });

    it('when it cannot get a connection in time (the deadline on the injected clock)', async () => {
      const single = await openTxDataSource(db(), 1);
      const clock = new FakeClock();
      const { problems, report } = collectProblems();
      try {
        const release = gate();
        const held = runInTransaction(single, async (context) => {
          await context.claimBarrier();
          await release.opened;
          return context.id;
        });
        await waitFor(async () => (await lockWaiters()) === 0 && single.driver !== undefined, {
          timeoutMs: 1_000,
        });
        const answer = resolveTransactionCheck(single, randomUUID(), {
          lockTimeoutMs: 100,
          timeoutMs: 500,
          clock,
          report,
        });
        clock.advance(500);
        expect(await answer).toBe('UNKNOWN');
        expect(problems).toEqual([expect.objectContaining({ reason: 'timeout' })]);
        release.open();
        const id = await held;
        // The abandoned check finishes later without harm; the next one sees the commit.
        expect(await resolveTransactionCheck(single, id, { lockTimeoutMs: 1_000 })).toBe('COMMIT');
      } finally {
        await single.destroy();
      }
    });

    it('for bad input, without throwing', async () => {
      const bad: Array<[string, number]> = [
        ['', 1_000],
        ['x'.repeat(129), 1_000],
        [randomUUID(), 0],
        [randomUUID(), 1.5],
      ];
      for (const [id, lockTimeoutMs] of bad) {
        const problem = await unknownReason(dataSource, id, { lockTimeoutMs });
        expect(problem).toMatchObject({
          reason: 'invalid-input',
          error: { code: TxErrorCodes.INVALID_ARGUMENT },
        });
      }
    });
  });

  it('never contradicts the local outcome when checks race 200 transactions at random moments', async () => {
    // Sleeps here are the point: random hold times and check times make the interleavings.
    const random = mulberry32(0x6b65656c);
    const pick = (max: number) => Math.floor(random() * max);
    const results: Array<{ committed: boolean; answers: CheckResolution[] }> = [];
    const runOne = async (): Promise<void> => {
      const id = randomUUID();
      const holdMs = pick(30);
      const afterClaimMs = pick(10);
      const fails = random() < 0.4;
      // The claim comes late, as publish() makes it just before the first half: a check that
      // lands before it wins (rolled_back row), and the claim then fails, so nothing commits.
      const local = runInTransaction(
        dataSource,
        async (context) => {
          await currentManager().insert(Note, { id, text: 'raced' });
          await sleep(systemClock, holdMs);
          await context.claimBarrier();
          await sleep(systemClock, afterClaimMs);
          if (fails) throw new Error('planned failure');
        },
        { transactionId: id },
      ).then(
        () => true,
        () => false,
      );
      const checks = [pick(40), pick(40)].map(async (delayMs) => {
        await sleep(systemClock, delayMs);
        return resolveTransactionCheck(dataSource, id, {
          lockTimeoutMs: 5 + pick(40),
          report: () => undefined,
        });
      });
      const committed = await local;
      const answers = await Promise.all(checks);
      answers.push(await check(id));
      results.push({ committed, answers });
    };
    for (let round = 0; round < 25; round += 1) await Promise.all(Array.from({ length: 8 }, runOne));

    expect(results).toHaveLength(200);
    const wrong = results.filter(({ committed, answers }) =>
      answers.some((answer) => answer === (committed ? 'ROLLBACK' : 'COMMIT')),
    );
    expect(wrong).toEqual([]);
    // The final check, after the local transaction ended, is always decisive.
    expect(results.filter(({ answers }) => answers.at(-1) === 'UNKNOWN')).toEqual([]);
    // Both outcomes and the check-wins case happened, so the run exercised the race.
    expect(results.some((r) => r.committed)).toBe(true);
    expect(results.some((r) => !r.committed && r.answers.slice(0, 2).includes('ROLLBACK'))).toBe(true);
    const committedNotes = await db().query<{ n: string }>(
      `SELECT count(*) AS n FROM note WHERE text = 'raced'`,
    );
    expect(Number(committedNotes[0]?.n)).toBe(results.filter((r) => r.committed).length);
  }, 60_000);
});

/** A small seeded generator, so a failing interleaving can be replayed. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
