import 'reflect-metadata';
import { FakeClock } from '@keel/broker';
import { describeWithDatabase } from '@keel/test-support';
import { ensureKeelTables, purgeInbox, runOnce, TxError, TxErrorCodes } from '@keel/tx';
import { DataSource } from 'typeorm';
import { rejectionOf, StatementLog } from '../tx-fixtures';

const HOUR_MS = 3_600_000;

describeWithDatabase('purgeInbox', (db) => {
  let dataSource: DataSource;
  const log = new StatementLog();

  beforeAll(async () => {
    dataSource = await new DataSource(db().dataSourceOptions([], { logger: log })).initialize();
    await ensureKeelTables(dataSource);
  });
  afterAll(() => dataSource?.destroy());

  it('deletes rows handled longer ago than the retention, in bounded batches, and keeps the rest', async () => {
    const clock = new FakeClock();
    const handle = (key: string) =>
      runOnce(dataSource, { group: 'g', key }, async () => undefined, { clock });
    for (const key of ['old-1', 'old-2', 'old-3', 'old-4', 'old-5']) await handle(key);
    clock.advance(2 * HOUR_MS);
    await handle('recent');

    log.statements.length = 0;
    expect(await purgeInbox(dataSource, HOUR_MS, clock, { batchSize: 2 })).toBe(5);
    // 2 + 2 + 1: the short batch says there is nothing left.
    expect(log.count(/^DELETE FROM "keel_inbox"/)).toBe(3);
    expect(await db().query('SELECT message_key FROM keel_inbox')).toEqual([{ message_key: 'recent' }]);
    // A purged key is no longer a duplicate: this is why retention must outlast redeliveries.
    expect((await handle('old-1')).ran).toBe(true);
  });

  it('names bad arguments', async () => {
    const clock = new FakeClock();
    const negative = await rejectionOf(purgeInbox(dataSource, -1, clock));
    expect((negative as TxError).code).toBe(TxErrorCodes.INVALID_ARGUMENT);
    expect((negative as TxError).message).toMatch(
      /olderThanMs must be a whole number of ms of at least 0, got -1/,
    );
    const batch = await rejectionOf(purgeInbox(dataSource, 0, clock, { batchSize: 0 }));
    expect((batch as TxError).message).toMatch(/batchSize must be a whole number from 1 to 100000, got 0/);
  });
});
