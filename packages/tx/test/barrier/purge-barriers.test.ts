// Barrier retention: rows of both outcomes older than the cutoff go, in bounded batches; what a
// purge means for a later check is why the runtime's retention outlasts the broker's checks.

import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { FakeClock } from '@keel/broker';
import { describeWithDatabase } from '@keel/test-support';
import {
  ensureKeelTables,
  purgeBarriers,
  resolveTransactionCheck,
  runInTransaction,
  TxError,
  TxErrorCodes,
} from '@keel/tx';
import { DataSource } from 'typeorm';
import { rejectionOf, StatementLog } from '../tx-fixtures';

const HOUR_MS = 3_600_000;

describeWithDatabase('purgeBarriers', (db) => {
  let dataSource: DataSource;
  const log = new StatementLog();

  beforeAll(async () => {
    dataSource = await new DataSource(db().dataSourceOptions([], { logger: log })).initialize();
    await ensureKeelTables(dataSource);
  });
  afterAll(() => dataSource?.destroy());
  beforeEach(() => db().query('TRUNCATE keel_tx_barrier'));

  const rows = async () =>
    (await db().query<{ tx_id: string }>('SELECT tx_id FROM keel_tx_barrier ORDER BY tx_id')).map(
      (row) => row.tx_id,
    );

  it('deletes committed and rolled_back rows older than the cutoff, in bounded batches', async () => {
    const clock = new FakeClock();
    const claim = (id: string) =>
      runInTransaction(dataSource, (tx) => tx.claimBarrier(), { clock, transactionId: id });
    const check = (id: string) => resolveTransactionCheck(dataSource, id, { lockTimeoutMs: 1_000, clock });
    for (const id of ['old-1', 'old-2', 'old-3']) await claim(id);
    expect(await check('old-4')).toBe('ROLLBACK');
    clock.advance(2 * HOUR_MS);
    await claim('recent');

    log.statements.length = 0;
    expect(await purgeBarriers(dataSource, HOUR_MS, clock, { batchSize: 3 })).toBe(4);
    // 3 + 1: the short batch says there is nothing left.
    expect(log.count(/^DELETE FROM "keel_tx_barrier"/)).toBe(2);
    expect(await rows()).toEqual(['recent']);
  });

  it('shows why a row must outlive the checks: a check after the purge would answer ROLLBACK', async () => {
    const clock = new FakeClock();
    const id = randomUUID();
    await runInTransaction(dataSource, (tx) => tx.claimBarrier(), { clock, transactionId: id });
    expect(await resolveTransactionCheck(dataSource, id, { lockTimeoutMs: 1_000, clock })).toBe('COMMIT');
    clock.advance(2 * HOUR_MS);
    await purgeBarriers(dataSource, HOUR_MS, clock);
    expect(await resolveTransactionCheck(dataSource, id, { lockTimeoutMs: 1_000, clock })).toBe('ROLLBACK');
  });

  it('names bad arguments', async () => {
    const clock = new FakeClock();
    const negative = await rejectionOf(purgeBarriers(dataSource, -1, clock));
    expect((negative as TxError).code).toBe(TxErrorCodes.INVALID_ARGUMENT);
    expect((negative as TxError).message).toMatch(
      /^purgeBarriers: olderThanMs must be a whole number of ms of at least 0, got -1/,
    );
  });
});
