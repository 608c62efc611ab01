// Shutdown refuses new transactions and finishes the ones in flight: once it begins, a
// @Transactional() call and a publish() in a transaction the runtime did not admit fail with
// RUNTIME_NOT_RUNNING, while a transaction already running commits and its END_TRANSACTION goes out
// before the producer stops (so no check-back is needed to deliver it).

import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { waitFor } from '@keel/broker/testing';
import { describeWithDatabase } from '@keel/test-support';
import {
  currentManager,
  publish,
  runInTransaction,
  Transactional,
  TxErrorCodes,
  type PublishedEvent,
} from '@keel/tx';
import { injectFaults } from '@keel/tx/testing';
import type { DataSource } from 'typeorm';
import { Note, openTxDataSource, rejectionOf } from '../tx-fixtures';
import { captureLog, runtimeSuite } from './runtime-fixtures';

const suffix = randomUUID().slice(0, 8);
const topic = `shutdown-${suffix}`;

class Orders {
  @Transactional()
  async place(id: string): Promise<void> {
    await currentManager().insert(Note, { id, text: 'placed' });
    publish(topic, { id }, { key: id });
  }
}

describeWithDatabase('runtime: shutdown', { needs: 'concurrency' }, (db) => {
  const suite = runtimeSuite();
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = await openTxDataSource(db(), 8);
  });
  afterAll(() => dataSource?.destroy());

  it('refuses new transactions once stopping, and waits for those in flight to end', async () => {
    const log = captureLog();
    const orders = new Orders();
    const runtime = await suite.start({
      dataSource,
      producerGroup: `shutdown-${suffix}`,
      services: [orders],
      logger: log.logger,
    });
    const published: PublishedEvent[] = [];
    runtime.events.on('published', (event) => published.push(event));
    const hold = injectFaults(runtime).holdAt('before-commit');
    const inFlight = orders.place(`${suffix}-in-flight`);
    const held = await hold.reached;

    let stopped = false;
    const stopping = runtime.shutdown().then(() => (stopped = true));
    expect(runtime.state).toBe('stopping');

    const refusedCall = await rejectionOf(orders.place(`${suffix}-refused`));
    expect(refusedCall).toMatchObject({ code: TxErrorCodes.RUNTIME_NOT_RUNNING });
    expect((refusedCall as Error).message).toMatch(
      new RegExp(
        `^Orders\\.place cannot start a transaction: the Keel runtime of producer group shutdown-${suffix} is shutting down`,
      ),
    );
    const refusedPublish = await rejectionOf(
      runInTransaction(dataSource, async () => publish(topic, { id: 'plain' })),
    );
    expect(refusedPublish).toMatchObject({ code: TxErrorCodes.RUNTIME_NOT_RUNNING });

    // Still waiting for the held transaction: the producer is up for its END_TRANSACTION.
    await waitFor(() => log.lines.some((line) => line.includes('waiting for the transactions in flight')), {
      timeoutMs: 10_000,
      description: 'shutdown to wait for the transaction in flight',
    });
    expect(stopped).toBe(false);
    hold.release();
    await inFlight;
    await stopping;
    expect(runtime.state).toBe('stopped');
    expect(published).toEqual([
      expect.objectContaining({
        transactionId: held.transactionId,
        outcome: 'committed',
        endTransactionSent: true,
      }),
    ]);
    const notes = await db().query<{ id: string }>('SELECT id FROM note WHERE id LIKE $1 ORDER BY id', [
      `${suffix}-%`,
    ]);
    expect(notes).toEqual([{ id: `${suffix}-in-flight` }]);
  }, 30_000);
});
