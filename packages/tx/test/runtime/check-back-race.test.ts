// The check-back race on a real broker (checks every second, for halves older than a second):
// a local transaction held open across several checks gets UNKNOWN until it ends and then the
// right answer — delivered once if it committed, never if it rolled back — whether or not its
// END_TRANSACTION arrives; a check that wins against a transaction that has not claimed its barrier
// makes that transaction fail cleanly before it sends anything; a half message Keel did not send is answered UNKNOW.

import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { LocalTransactionState } from '@keel/broker/client';
import { waitFor } from '@keel/broker/testing';
import { describeWithDatabase } from '@keel/test-support';
import {
  BarrierConflictError,
  currentManager,
  KEEL_TX_ID_PROPERTY,
  OnMessage,
  publish,
  runInTransaction,
  Transactional,
  type Delivered,
  type KeelRuntime,
} from '@keel/tx';
import { drain, injectFaults, recordDeliveries } from '@keel/tx/testing';
import type { DataSource } from 'typeorm';
import { Note, openTxDataSource, rejectionOf } from '../tx-fixtures';
import { captureLog, runtimeSuite } from './runtime-fixtures';

const suffix = randomUUID().slice(0, 8);
const topic = `race-${suffix}`;

class Orders {
  @Transactional()
  async place(id: string): Promise<void> {
    await currentManager().insert(Note, { id, text: 'placed' });
    publish(topic, { id }, { key: id });
  }
}

class Listener {
  readonly seen: string[] = [];

  @OnMessage({ topic, group: `race-listener-${suffix}` })
  async on(message: Delivered<{ id: string }>): Promise<void> {
    this.seen.push(message.keys[0] ?? message.msgId);
  }
}

describeWithDatabase('runtime: the check-back race', { needs: 'concurrency' }, (db) => {
  const suite = runtimeSuite();
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = await openTxDataSource(db(), 12);
  });
  afterAll(() => dataSource?.destroy());

  async function start() {
    const log = captureLog();
    const orders = new Orders();
    const listener = new Listener();
    const runtime = await suite.start({
      dataSource,
      producerGroup: `race-${randomUUID().slice(0, 8)}`,
      services: [orders],
      handlers: [listener],
      checkLockTimeoutMs: 200,
      logger: log.logger,
    });
    return { orders, listener, runtime, log };
  }

  const checksAfter = (runtime: KeelRuntime, count: number) =>
    waitFor(() => runtime.producer.stats.checksAnswered >= count, {
      timeoutMs: 15_000,
      description: `${count} check-backs answered`,
    });

  it.each([
    ['commits', 'commit'],
    ['commits, and its END_TRANSACTION is lost', 'commit-lost-end'],
    ['rolls back', 'rollback'],
  ] as const)(
    'a transaction held open across checks that then %s gets the right answer',
    async (_name, fate) => {
      const { orders, listener, runtime, log } = await start();
      const recorder = recordDeliveries(runtime);
      const faults = injectFaults(runtime);
      const hold = faults.holdAt('before-commit');
      if (fate === 'rollback') faults.failAt('before-commit');
      if (fate === 'commit-lost-end') faults.failAt('after-commit');
      const id = `${fate}-${suffix}`;
      const placing = orders.place(id).then(
        () => 'committed',
        (error: unknown) => error,
      );
      const held = await hold.reached;
      // At least two checks met the open transaction: each waited on its barrier row, then UNKNOWN.
      await checksAfter(runtime, 2);
      expect(listener.seen).toEqual([]);
      expect(log.lines.filter((line) => line.includes('check-unknown')).length).toBeGreaterThanOrEqual(2);
      hold.release();
      const outcome = await placing;
      if (fate === 'rollback') {
        expect((outcome as Error).message).toMatch(/injected fault at before-commit/);
        // The rolled-back transaction left no committed barrier row: no later check can say COMMIT.
        expect(
          await db().query("SELECT 1 FROM keel_tx_barrier WHERE outcome = 'committed' AND tx_id = $1", [
            held.transactionId,
          ]),
        ).toEqual([]);
        await drain(runtime);
        expect(listener.seen).toEqual([]);
      } else {
        expect(outcome).toBe('committed');
        await recorder.waitFor((event) => event.outcome === 'handled');
        await drain(runtime);
        expect(listener.seen).toEqual([id]);
      }
      faults.clear();
    },
  );

  it('makes the late commit of a transaction a check found not started fail cleanly', async () => {
    const { listener, runtime } = await start();
    const transactionId = randomUUID();
    // A half message whose local transaction has not begun: the check finds no barrier row.
    const half = await runtime.producer.sendHalf({
      topic,
      body: JSON.stringify({ id: 'late' }),
      keys: 'late',
      properties: { [KEEL_TX_ID_PROPERTY]: transactionId },
    });
    await waitFor(
      async () =>
        (
          await db().query<{ outcome: string }>('SELECT outcome FROM keel_tx_barrier WHERE tx_id = $1', [
            transactionId,
          ])
        )[0]?.outcome === 'rolled_back',
      { timeoutMs: 15_000, description: 'the check-back to write its rolled_back row' },
    );
    // The late transaction publishes under that id: its claim, just before its first half, conflicts.
    // A transaction that stored any half reports it (`published`, rolled-back) when it ends.
    const published: string[] = [];
    const off = runtime.events.on('published', (event) => published.push(event.transactionId));
    const caught = await rejectionOf(
      runInTransaction(
        dataSource,
        async () => {
          await currentManager().insert(Note, { id: `late-${suffix}`, text: 'late' });
          publish(topic, { id: 'late' }, { key: 'late' });
        },
        { transactionId },
      ),
    );
    expect(caught).toBeInstanceOf(BarrierConflictError);
    expect((caught as BarrierConflictError).claimedBy).toBe('check-back');
    off();
    expect(published).toEqual([]);
    expect(await db().query('SELECT id FROM note WHERE id = $1', [`late-${suffix}`])).toEqual([]);
    await drain(runtime);
    expect(listener.seen).toEqual([]);
    expect(half.transactionId).toMatch(/^[0-9A-F]{32}$/);
  });

  it('answers UNKNOW, logged, for a half message without KEEL_TX_ID', async () => {
    const { listener, runtime, log } = await start();
    const half = await runtime.producer.sendHalf({ topic, body: '{"id":"foreign"}', keys: 'foreign' });
    await waitFor(() => log.lines.some((line) => line.includes(`without ${KEEL_TX_ID_PROPERTY}`)), {
      timeoutMs: 15_000,
      description: 'the check of the foreign half message',
    });
    expect(listener.seen).toEqual([]);
    await runtime.producer.endTransaction(half, LocalTransactionState.ROLLBACK_MESSAGE);
  });
});
