// The runtime's retention schedules on the injected clock (inbox and barrier): rows older than the
// retention go at each interval, newer ones stay, and a failing purge is logged and tried again
// next interval.

import 'reflect-metadata';
import { createLogger, FakeClock } from '@keel/broker';
import { waitFor } from '@keel/broker/testing';
import { describeWithDatabase } from '@keel/test-support';
import { ensureKeelTables, keelTables, purgeBarriers, purgeInbox, runInTransaction, runOnce } from '@keel/tx';
import { DataSource } from 'typeorm';
import { RetentionPurger } from '../../src/retention/retention-purger';

const DAY_MS = 24 * 3_600_000;
const HOUR_MS = 3_600_000;

describeWithDatabase('RetentionPurger', (db) => {
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = await new DataSource(db().dataSourceOptions([])).initialize();
    await ensureKeelTables(dataSource);
  });
  afterAll(() => dataSource?.destroy());

  const keys = async () =>
    (
      await db().query<{ message_key: string }>('SELECT message_key FROM keel_inbox ORDER BY message_key')
    ).map((row) => row.message_key);

  it('purges inbox rows past the retention every interval of the injected clock', async () => {
    const clock = new FakeClock();
    const lines: string[] = [];
    const logger = createLogger({ clock, component: 't', level: 'debug', sink: (line) => lines.push(line) });
    const purger = new RetentionPurger({
      what: 'inbox',
      retentionMs: 7 * DAY_MS,
      intervalMs: HOUR_MS,
      clock,
      logger,
      purge: (olderThanMs) => purgeInbox(dataSource, olderThanMs, clock),
    });
    const handle = (key: string) =>
      runOnce(dataSource, { group: 'g', key }, async () => undefined, { clock });
    await handle('day-0');
    clock.advance(7 * DAY_MS - 90 * 60_000);
    await handle('day-7');
    purger.start();
    // The first tick, half an hour before day-0 is 7 days old: nothing to delete.
    await clock.advanceAsync(HOUR_MS);
    await waitFor(() => purger.runs === 1, { timeoutMs: 5_000, description: 'the first purge' });
    expect(purger.purged).toBe(0);
    expect(await keys()).toEqual(['day-0', 'day-7']);
    // The next, half an hour after: day-0 goes, day-7 stays.
    await clock.advanceAsync(HOUR_MS);
    await waitFor(() => purger.runs === 2, { timeoutMs: 5_000, description: 'the second purge' });
    expect(purger.purged).toBe(1);
    expect(await keys()).toEqual(['day-7']);
    await purger.stop();
    // Stopped: no more purges however far the clock goes.
    clock.advance(30 * DAY_MS);
    expect(purger.runs).toBe(2);
    expect(lines.some((line) => line.includes('inbox rows past retention deleted'))).toBe(true);
    await db().query('DELETE FROM keel_inbox');
  });

  it('purges barrier rows the same way', async () => {
    await db().query('TRUNCATE keel_tx_barrier');
    const clock = new FakeClock();
    const purger = new RetentionPurger({
      what: 'barrier',
      retentionMs: 7 * DAY_MS,
      intervalMs: DAY_MS,
      clock,
      logger: createLogger({ clock, component: 't', sink: () => undefined }),
      purge: (olderThanMs) => purgeBarriers(dataSource, olderThanMs, clock),
    });
    const claim = () =>
      runInTransaction(
        dataSource,
        async (tx) => {
          await tx.claimBarrier();
          return tx.id;
        },
        { clock },
      );
    const old = await claim();
    clock.advance(DAY_MS);
    const recent = await claim();
    purger.start();
    // Ticks on days 2 to 8: only the one on day 8 finds a row past 7 days (day 0's; day 1's is not).
    for (let day = 1; day <= 7; day++) {
      await clock.advanceAsync(DAY_MS);
      await waitFor(() => purger.runs === day, { timeoutMs: 5_000, description: `purge ${day}` });
      expect(purger.purged).toBe(day === 7 ? 1 : 0);
    }
    await purger.stop();
    expect(purger.purged).toBe(1);
    expect(await db().query('SELECT tx_id FROM keel_tx_barrier')).toEqual([{ tx_id: recent }]);
    expect(old).not.toBe(recent);
  });

  it('logs a failed purge and keeps its schedule', async () => {
    const clock = new FakeClock();
    const lines: string[] = [];
    const logger = createLogger({ clock, component: 't', sink: (line) => lines.push(line) });
    const tables = keelTables({ prefix: 'absent_' });
    const purger = new RetentionPurger({
      what: 'inbox',
      retentionMs: DAY_MS,
      intervalMs: HOUR_MS,
      clock,
      logger,
      purge: (olderThanMs) => purgeInbox(dataSource, olderThanMs, clock, { tables }),
    });
    purger.start();
    await clock.advanceAsync(HOUR_MS);
    await waitFor(() => purger.runs === 1, { timeoutMs: 5_000 });
    await clock.advanceAsync(HOUR_MS);
    await waitFor(() => purger.runs === 2, { timeoutMs: 5_000 });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/inbox purge failed; tried again at the next interval .*TX_TABLES_MISSING/);
    await purger.stop();
  });
});
