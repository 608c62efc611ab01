import 'reflect-metadata';
import { FakeClock } from '@keel/broker';
import { waitFor } from '@keel/broker/testing';
import { describeWithDatabase } from '@keel/test-support';
import {
  currentManager,
  runInTransaction,
  runOnce,
  TxError,
  TxErrorCodes,
  type RunOnceResult,
} from '@keel/tx';
import type { DataSource } from 'typeorm';
import { gate, openTxDataSource, rejectionOf } from '../tx-fixtures';

describeWithDatabase('runOnce: the idempotent inbox', { needs: 'concurrency' }, (db) => {
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = await openTxDataSource(db(), 12);
    await db().query('CREATE TABLE effect (message_key text NOT NULL, attempt int)');
  });
  afterAll(() => dataSource?.destroy());
  beforeEach(() => db().query('TRUNCATE effect, keel_inbox, keel_tx_barrier'));

  /** The handler under test: one row per run, which is the effect that must happen once. */
  const effect = (key: string) => async () => {
    await currentManager().query('INSERT INTO effect (message_key) VALUES ($1)', [key]);
    return key;
  };
  const effectCount = async (key?: string) => {
    const rows = await db().query<{ n: string }>(
      key === undefined
        ? 'SELECT count(*) AS n FROM effect'
        : 'SELECT count(*) AS n FROM effect WHERE message_key = $1',
      key === undefined ? [] : [key],
    );
    return Number(rows[0]?.n);
  };
  const lockWaiters = async () => {
    const rows = await db().query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`,
      [db().schema],
    );
    return Number(rows[0]?.n);
  };

  it('runs the first delivery and skips a later duplicate without calling the handler', async () => {
    const clock = new FakeClock();
    expect(await runOnce(dataSource, { group: 'payments', key: 'm1' }, effect('m1'), { clock })).toEqual({
      ran: true,
      value: 'm1',
    });
    let called = false;
    const duplicate = await runOnce(dataSource, { group: 'payments', key: 'm1' }, async () => {
      called = true;
    });
    expect(duplicate).toEqual({ ran: false });
    expect(called).toBe(false);
    expect(await effectCount('m1')).toBe(1);
    expect(await db().query('SELECT consumer_group, message_key, handled_at FROM keel_inbox')).toEqual([
      { consumer_group: 'payments', message_key: 'm1', handled_at: new Date(clock.now()) },
    ]);
  });

  it('keeps groups apart: each group handles the message once', async () => {
    await runOnce(dataSource, { group: 'payments', key: 'm1' }, effect('m1'));
    expect((await runOnce(dataSource, { group: 'stock', key: 'm1' }, effect('m1'))).ran).toBe(true);
    expect(await effectCount('m1')).toBe(2);
  });

  it("rolls back the handler's writes and its inbox row on error, so the redelivery runs", async () => {
    const failure = new Error('card declined');
    const caught = await rejectionOf(
      runOnce(dataSource, { group: 'payments', key: 'm1' }, async () => {
        await effect('m1')();
        throw failure;
      }),
    );
    expect(caught).toBe(failure);
    expect(await effectCount()).toBe(0);
    expect(await db().query('SELECT * FROM keel_inbox')).toEqual([]);
    expect((await runOnce(dataSource, { group: 'payments', key: 'm1' }, effect('m1'))).ran).toBe(true);
    expect(await effectCount('m1')).toBe(1);
  });

  it('makes a concurrent duplicate wait on the first one, then skip', async () => {
    const release = gate();
    const started = gate();
    const first = runOnce(dataSource, { group: 'payments', key: 'm1' }, async () => {
      started.open();
      await release.opened;
      return effect('m1')();
    });
    await started.opened;
    let secondResult: RunOnceResult<string> | undefined;
    const second = runOnce(dataSource, { group: 'payments', key: 'm1' }, effect('m1')).then(
      (result) => (secondResult = result),
    );
    await waitFor(async () => (await lockWaiters()) === 1, {
      timeoutMs: 5_000,
      description: 'the duplicate to wait',
    });
    expect(secondResult).toBeUndefined();
    release.open();
    expect(await first).toEqual({ ran: true, value: 'm1' });
    expect(await second).toEqual({ ran: false });
    expect(await effectCount('m1')).toBe(1);
  });

  it.each(['READ COMMITTED', 'REPEATABLE READ', 'SERIALIZABLE'] as const)(
    'lets the waiting duplicate run when the first attempt rolls back (%s)',
    async (isolation) => {
      const release = gate();
      const started = gate();
      const first = runOnce(
        dataSource,
        { group: 'payments', key: 'm1' },
        async () => {
          await effect('m1')();
          started.open();
          await release.opened;
          throw new Error('first attempt failed');
        },
        { isolation },
      );
      await started.opened;
      const second = runOnce(dataSource, { group: 'payments', key: 'm1' }, effect('m1'), { isolation });
      await waitFor(async () => (await lockWaiters()) === 1, {
        timeoutMs: 5_000,
        description: 'the duplicate to wait',
      });
      release.open();
      await expect(first).rejects.toThrow('first attempt failed');
      expect(await second).toEqual({ ran: true, value: 'm1' });
      expect(await effectCount('m1')).toBe(1);
    },
  );

  it.each(['REPEATABLE READ', 'SERIALIZABLE'] as const)(
    'skips a waiting duplicate at %s when the first commits (a serialization failure, not an error)',
    async (isolation) => {
      const release = gate();
      const started = gate();
      const first = runOnce(
        dataSource,
        { group: 'payments', key: 'm1' },
        async () => {
          started.open();
          await release.opened;
          return effect('m1')();
        },
        { isolation },
      );
      await started.opened;
      const second = runOnce(dataSource, { group: 'payments', key: 'm1' }, effect('m1'), { isolation });
      await waitFor(async () => (await lockWaiters()) === 1, {
        timeoutMs: 5_000,
        description: 'the duplicate to wait',
      });
      release.open();
      expect(await first).toEqual({ ran: true, value: 'm1' });
      expect(await second).toEqual({ ran: false });
    },
  );

  it('joins an outer transaction: the inbox row commits or rolls back with it', async () => {
    const results = await runInTransaction(dataSource, async () => [
      await runOnce(dataSource, { group: 'payments', key: 'm1' }, effect('m1')),
      await runOnce(dataSource, { group: 'payments', key: 'm1' }, effect('m1')),
    ]);
    expect(results.map((r) => r.ran)).toEqual([true, false]);
    await runInTransaction(dataSource, async () => {
      await runOnce(dataSource, { group: 'payments', key: 'm2' }, effect('m2'));
      throw new Error('outer failed');
    }).catch(() => undefined);
    expect(await db().query('SELECT message_key FROM keel_inbox')).toEqual([{ message_key: 'm1' }]);
  });

  it('names a bad group or key', async () => {
    const caught = await rejectionOf(runOnce(dataSource, { group: '', key: 'x'.repeat(256) }, effect('x')));
    expect((caught as TxError).code).toBe(TxErrorCodes.INVALID_ARGUMENT);
    expect((caught as TxError).message).toMatch(
      /group must be a string of 1 to 255 characters, got 0 characters; key must be .* got 256 characters \(hash a longer business key\)/,
    );
  });

  it('turns 1,000 duplicate deliveries (many concurrent, some failing first) into one effect per message', async () => {
    const keys = Array.from({ length: 250 }, (_, i) => `order-${i}`);
    // Every 5th message fails the first time a handler runs for it, like a transient error would.
    const flaky = new Set(keys.filter((_, i) => i % 5 === 0));
    const failedOnce = new Set<string>();
    const deliver = (key: string) =>
      runOnce(dataSource, { group: 'payments', key }, async () => {
        await effect(key)();
        if (flaky.has(key) && !failedOnce.has(key)) {
          failedOnce.add(key);
          throw new Error('transient');
        }
      }).then(
        (result) => (result.ran ? 'ran' : 'skipped'),
        () => 'failed',
      );
    const outcomes: string[] = [];
    // Three deliveries of each message at once (real parallel connections), for 25 messages at a
    // time, then a fourth, late redelivery of every message.
    for (let start = 0; start < keys.length; start += 25) {
      const batch = keys
        .slice(start, start + 25)
        .flatMap((key) => [deliver(key), deliver(key), deliver(key)]);
      outcomes.push(...(await Promise.all(batch)));
    }
    outcomes.push(...(await Promise.all(keys.map(deliver))));

    expect(outcomes).toHaveLength(1_000);
    expect(outcomes.filter((o) => o === 'ran')).toHaveLength(250);
    expect(outcomes.filter((o) => o === 'failed')).toHaveLength(flaky.size);
    const perKey = await db().query<{ message_key: string; n: string }>(
      'SELECT message_key, count(*) AS n FROM effect GROUP BY message_key',
    );
    expect(perKey).toHaveLength(250);
    expect(perKey.filter((row) => row.n !== '1')).toEqual([]);
    expect(Number((await db().query<{ n: string }>('SELECT count(*) AS n FROM keel_inbox'))[0]?.n)).toBe(250);
  }, 60_000);
});
