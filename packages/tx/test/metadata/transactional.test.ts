import 'reflect-metadata';
import { describeWithDatabase } from '@keel/test-support';
import {
  currentManager,
  currentTransaction,
  jsonSerializer,
  KeelMetadataStorage,
  bindTransactional,
  publish,
  Transactional,
  TxError,
  TxErrorCodes,
  withKeelMetadataStorage,
} from '@keel/tx';
import type { DataSource } from 'typeorm';
import { registerPublishTarget } from '../../src/publish/publish-targets';
import { TransactionGate } from '../../src/runtime/transaction-gate';
import { gate as openable, Note, openTxDataSource, rejectionOf } from '../tx-fixtures';

const storage = new KeelMetadataStorage();

const OrderService = withKeelMetadataStorage(storage, () => {
  class OrderService {
    readonly prefix = 'order';

    @Transactional()
    async placeOrder(id: string, fail = false): Promise<string> {
      await currentManager().insert(Note, { id: `${this.prefix}-${id}`, text: 'placed' });
      await this.reserveStock(id);
      if (fail) throw new Error('payment declined');
      return currentTransaction().id;
    }

    @Transactional()
    async reserveStock(id: string): Promise<string> {
      await currentManager().insert(Note, { id: `stock-${id}`, text: 'reserved' });
      return currentTransaction().id;
    }

    @Transactional({ isolation: 'REPEATABLE READ' })
    async report(): Promise<string> {
      const [row] = (await currentManager().query('SHOW transaction_isolation')) as Array<{
        transaction_isolation: string;
      }>;
      return row?.transaction_isolation ?? '';
    }
  }
  return OrderService;
});

const Notifier = withKeelMetadataStorage(new KeelMetadataStorage(), () => {
  class Notifier {
    @Transactional()
    async notify(id: string, send: boolean): Promise<boolean> {
      const claimedAtStart = currentTransaction().barrierClaimed;
      await currentManager().insert(Note, { id, text: 'notified' });
      if (send) publish('notices', { id });
      return claimedAtStart;
    }

    @Transactional()
    async hold(until: Promise<void>, started: () => void): Promise<void> {
      started();
      await until;
      // Joins the open transaction even though the gate closed meanwhile.
      await this.notify(`held-${Math.random()}`, false);
    }
  }
  return Notifier;
});

describeWithDatabase('@Transactional()', (db) => {
  let dataSource: DataSource;
  let unregister: (() => void) | undefined;

  beforeAll(async () => {
    dataSource = await openTxDataSource(db());
  });
  afterAll(() => dataSource?.destroy());
  beforeEach(() => db().query('TRUNCATE note, keel_tx_barrier'));
  afterEach(() => {
    unregister?.();
    unregister = undefined;
  });

  it('names the class and method when the instance is not bound to a runtime', async () => {
    const caught = await rejectionOf(new OrderService().placeOrder('1'));
    expect(caught).toBeInstanceOf(TxError);
    expect((caught as TxError).code).toBe(TxErrorCodes.NO_RUNTIME);
    expect((caught as TxError).message).toMatch(
      /^OrderService\.placeOrder is @Transactional\(\) but this instance is not bound to a running Keel runtime/,
    );
  });

  it('runs the method in one transaction that nested decorated calls join', async () => {
    const service = new OrderService();
    unregister = bindTransactional([service], dataSource);
    expect(service.placeOrder.name).toBe('placeOrder');
    const id = await service.placeOrder('1');
    expect(await db().query('SELECT id FROM note ORDER BY id')).toEqual([
      { id: 'order-1' },
      { id: 'stock-1' },
    ]);
    // Nothing was published, so no barrier row was claimed.
    expect(await db().query('SELECT tx_id FROM keel_tx_barrier')).toEqual([]);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('rolls back everything, nested calls included, and passes the error through', async () => {
    const service = new OrderService();
    unregister = bindTransactional([service], dataSource);
    await expect(service.placeOrder('2', true)).rejects.toThrow('payment declined');
    expect(await db().query('SELECT id FROM note')).toEqual([]);
  });

  it('uses the isolation level of its decorator', async () => {
    const service = new OrderService();
    unregister = bindTransactional([service], dataSource);
    expect(await service.report()).toBe('repeatable read');
  });

  it('binds instances, not classes: an unbound instance of a bound class still fails', async () => {
    const bound = new OrderService();
    unregister = bindTransactional([bound], dataSource);
    await bound.placeOrder('3');
    const caught = await rejectionOf(new OrderService().placeOrder('4'));
    expect((caught as TxError).code).toBe(TxErrorCodes.NO_RUNTIME);
  });

  it('refuses an instance already bound, and unbinding frees it', async () => {
    const service = new OrderService();
    const unbind = bindTransactional([service], dataSource);
    expect(() => bindTransactional([service], dataSource)).toThrow(
      /the OrderService instance is already bound to a running Keel runtime/,
    );
    unbind();
    const caught = await rejectionOf(service.placeOrder('5'));
    expect((caught as TxError).code).toBe(TxErrorCodes.NO_RUNTIME);
    unregister = bindTransactional([service], dataSource);
    await service.placeOrder('5');
  });

  it('records the decorated methods', () => {
    expect(storage.entries.map((entry) => [entry.kind, entry.member])).toEqual([
      ['transactional', 'placeOrder'],
      ['transactional', 'reserveStock'],
      ['transactional', 'report'],
    ]);
  });

  it('claims the barrier with BEGIN when the method published on its previous call', async () => {
    const notifier = new Notifier();
    unregister = bindTransactional([notifier], dataSource);
    // A publish target that records and sends nothing (no broker here).
    const unregisterTarget = registerPublishTarget(dataSource, {
      serializer: jsonSerializer,
      enlist: () => undefined,
    });
    try {
      const claimed = [
        await notifier.notify('n1', true), // first call: nothing known, no claim at BEGIN
        await notifier.notify('n2', false), // published last time: claimed at BEGIN
        await notifier.notify('n3', false), // did not publish last time
      ];
      // Only node-postgres can send BEGIN and the claim as one query; PGlite never guesses.
      expect(claimed).toEqual(db().kind === 'postgres' ? [false, true, false] : [false, false, false]);
    } finally {
      unregisterTarget();
    }
  });

  it('with a runtime gate: refused once it closes, calls in flight finish and are waited for', async () => {
    const notifier = new Notifier();
    const gate = new TransactionGate('the test runtime');
    unregister = bindTransactional([notifier], dataSource, {}, gate);
    const release = openable();
    const started = openable();
    const inFlight = notifier.hold(release.opened, started.open);
    await started.opened;
    expect(gate.inFlight).toBe(1);
    gate.close();
    const refused = await rejectionOf(notifier.notify('late', false));
    expect(refused).toMatchObject({ code: TxErrorCodes.RUNTIME_NOT_RUNNING });
    expect((refused as Error).message).toMatch(
      /^Notifier\.notify cannot start a transaction: the test runtime is shutting down/,
    );
    let idle = false;
    const waiting = gate.whenIdle().then(() => (idle = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(idle).toBe(false);
    release.open();
    await inFlight;
    await waiting;
    expect(gate.inFlight).toBe(0);
    expect(await db().query("SELECT id FROM note WHERE text = 'notified'")).toHaveLength(1);
  });
});
