// The runtime on embedded PGlite (the example's default), whatever database the rest of the run
// uses: a service's message reaches a handler that publishes in turn, an after-commit END_TRANSACTION
// loss is settled by the check-back (which on PGlite waits for the one session, not a row lock),
// and a failing handler is retried and then dead-lettered.

import 'reflect-metadata';
import type { PGlite } from '@electric-sql/pglite';
import { createTestPGlite } from '@keel/test-support';
import {
  currentManager,
  KeelRuntime,
  NonRetriableError,
  OnDeadLetter,
  OnMessage,
  pgliteDataSourceOptions,
  publish,
  Transactional,
  type Delivered,
} from '@keel/tx';
import {
  injectFaults,
  recordDeliveries,
  startTestBroker,
  testRuntimeTuning,
  type TestBroker,
} from '@keel/tx/testing';
import { DataSource } from 'typeorm';
import { Note } from '../tx-fixtures';
import { captureLog } from '../runtime/runtime-fixtures';

class Orders {
  @Transactional()
  async place(id: string): Promise<void> {
    await currentManager().insert(Note, { id, text: 'placed' });
    publish('pglite-orders', { id }, { key: id });
  }
}

class Payments {
  @OnMessage({ topic: 'pglite-orders', group: 'pglite-payments' })
  async pay(message: Delivered<{ id: string }>): Promise<void> {
    if (message.body.id.startsWith('bad')) throw new NonRetriableError('cannot pay');
    await currentManager().insert(Note, { id: `paid-${message.body.id}`, text: 'paid' });
    publish('pglite-paid', { id: message.body.id }, { key: message.body.id });
  }

  @OnMessage({ topic: 'pglite-paid', group: 'pglite-shipping' })
  async ship(message: Delivered<{ id: string }>): Promise<void> {
    await currentManager().insert(Note, { id: `shipped-${message.body.id}`, text: 'shipped' });
  }

  @OnDeadLetter({ group: 'pglite-payments' })
  async parked(message: Delivered<{ id: string }>): Promise<void> {
    await currentManager().insert(Note, { id: `parked-${message.body.id}`, text: 'parked' });
  }
}

describe('the runtime on embedded PGlite', () => {
  let pglite: PGlite;
  let dataSource: DataSource;
  let broker: TestBroker;
  let runtime: KeelRuntime | undefined;

  beforeAll(async () => {
    pglite = await createTestPGlite();
    dataSource = await new DataSource(
      pgliteDataSourceOptions(pglite, { entities: [Note], synchronize: true }),
    ).initialize();
    broker = await startTestBroker();
  }, 120_000);
  afterAll(async () => {
    await runtime?.shutdown();
    await broker?.stop();
    await dataSource?.destroy();
    await pglite?.close();
  });

  it('publishes, handles, settles a lost END_TRANSACTION and dead-letters', async () => {
    const orders = new Orders();
    runtime = await KeelRuntime.start({
      ...testRuntimeTuning,
      dataSource,
      nameServer: broker.nameServer,
      producerGroup: 'pglite-orders',
      services: [orders],
      handlers: [new Payments()],
      ensureTables: true,
      checkLockTimeoutMs: 500,
      logger: captureLog().logger,
    });
    const recorder = recordDeliveries(runtime);
    await orders.place('a');
    injectFaults(runtime).failAt('after-commit');
    await orders.place('b');
    await orders.place('bad-c');
    await recorder.waitFor(
      (event) => event.handler === 'Payments.ship' && event.outcome === 'handled',
      2,
      20_000,
    );
    await recorder.waitFor((event) => event.kind === 'dead-letter' && event.outcome === 'handled', 1, 20_000);
    const ids = (await dataSource.query<{ id: string }[]>('SELECT id FROM note ORDER BY id')).map(
      (row) => row.id,
    );
    expect(ids).toEqual(['a', 'b', 'bad-c', 'paid-a', 'paid-b', 'parked-bad-c', 'shipped-a', 'shipped-b']);
    expect(runtime.producer.stats.checksAnswered).toBeGreaterThan(0);
  }, 60_000);
});
