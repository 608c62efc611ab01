// The transactional sender against a fake producer, on the database: what goes out before COMMIT
// and after it for every way a transaction ends, in publish order, with the message fields mapped;
// the barrier row claimed just before the first half (and not at all without messages); publish()
// refused once the runtime's gate closes, except in transactions it admitted.

import 'reflect-metadata';
import { createLogger, FakeClock, TypedEmitter } from '@keel/broker';
import type { HalfMessage, LocalTransactionState, Message, SendOptions } from '@keel/broker/client';
import { describeWithDatabase } from '@keel/test-support';
import { randomUUID } from 'node:crypto';
import {
  BarrierConflictError,
  currentManager,
  jsonSerializer,
  publish,
  resolveTransactionCheck,
  runInTransaction,
  TxErrorCodes,
  type KeelRuntimeEvents,
  type PublishedEvent,
} from '@keel/tx';
import type { DataSource } from 'typeorm';
import { registerPublishTarget } from '../../src/publish/publish-targets';
import { TransactionalSender, type HalfMessageProducer } from '../../src/publish/transactional-sender';
import { TransactionGate } from '../../src/runtime/transaction-gate';
import { TransactionSteps } from '../../src/runtime/transaction-steps';
import { Note, openTxDataSource, rejectionOf } from '../tx-fixtures';

class FakeProducer implements HalfMessageProducer {
  readonly log: string[] = [];
  readonly sent: { message: Message; options: SendOptions | undefined }[] = [];
  status: 'SEND_OK' | 'FLUSH_DISK_TIMEOUT' = 'SEND_OK';
  failSendAt: number | undefined;

  async sendHalf(message: Message, options?: SendOptions): Promise<HalfMessage> {
    const index = this.sent.length;
    if (this.failSendAt === index) throw new Error(`broker refused half ${index}`);
    this.sent.push({ message, options });
    const id = `HALF${index}`;
    this.log.push(`half ${message.topic} ${id}`);
    return { transactionId: id, sendResult: { status: this.status, msgId: id } } as unknown as HalfMessage;
  }

  async endTransaction(half: HalfMessage, state: LocalTransactionState): Promise<boolean> {
    this.log.push(`end ${half.transactionId} ${state}`);
    return true;
  }
}

describeWithDatabase('TransactionalSender', (db) => {
  let dataSource: DataSource;
  let producer: FakeProducer;
  let steps: TransactionSteps;
  let gate: TransactionGate;
  let published: PublishedEvent[];
  let unregister: () => void;

  beforeAll(async () => {
    dataSource = await openTxDataSource(db());
  });
  afterAll(() => dataSource?.destroy());
  beforeEach(() => {
    producer = new FakeProducer();
    steps = new TransactionSteps();
    gate = new TransactionGate('the test runtime');
    published = [];
    const events = new TypedEmitter<KeelRuntimeEvents>();
    events.on('published', (event) => published.push(event));
    const logger = createLogger({ clock: new FakeClock(), component: 't', sink: () => undefined });
    const sender = new TransactionalSender({
      producer,
      serializer: jsonSerializer,
      logger,
      steps,
      events,
      gate,
    });
    unregister = registerPublishTarget(dataSource, sender);
  });
  afterEach(() => unregister());

  it('sends halves in publish order before COMMIT, with the fields mapped, and commits them after', async () => {
    steps.add(async ({ step }) => {
      if (step === 'before-commit') {
        // Still inside the open transaction: the note is not visible to others yet.
        producer.log.push(
          `before-commit visible=${(await db().query("SELECT id FROM note WHERE id = 'n1'")).length}`,
        );
      }
    });
    const id = await runInTransaction(dataSource, async (tx) => {
      await currentManager().insert(Note, { id: 'n1', text: 'x' });
      publish('orders', { n: 1 }, { key: 'k1', tag: 'created', shardingKey: 's1', headers: { trace: 't1' } });
      publish('audit', 'second', { delayLevel: 3 });
      publish('later', [3], { deliverAt: new Date(5_000) });
      return tx.id;
    });
    expect(producer.log).toEqual([
      'half orders HALF0',
      'half audit HALF1',
      'half later HALF2',
      'before-commit visible=0',
      'end HALF0 COMMIT_MESSAGE',
      'end HALF1 COMMIT_MESSAGE',
      'end HALF2 COMMIT_MESSAGE',
    ]);
    const [first, second, third] = producer.sent;
    expect(first!.message).toEqual({
      topic: 'orders',
      body: Buffer.from('{"n":1}'),
      keys: 'k1',
      tags: 'created',
      properties: { trace: 't1', KEEL_TX_ID: id },
    });
    expect(first!.options).toEqual({ shardingKey: 's1' });
    expect(second!.message).toMatchObject({ delayLevel: 3, body: Buffer.from('"second"') });
    expect(third!.message.properties).toEqual({ KEEL_TX_ID: id, TIMER_DELIVER_MS: '5000' });
    expect(published).toEqual([
      {
        transactionId: id,
        msgIds: ['HALF0', 'HALF1', 'HALF2'],
        outcome: 'committed',
        endTransactionSent: true,
      },
    ]);
  });

  it('rolls back the halves already sent when a later send fails, and passes that error through', async () => {
    producer.failSendAt = 1;
    const caught = await rejectionOf(
      runInTransaction(dataSource, async () => {
        publish('orders', 1);
        publish('orders', 2);
      }),
    );
    expect((caught as Error).message).toBe('broker refused half 1');
    expect(producer.log).toEqual(['half orders HALF0', 'end HALF0 ROLLBACK_MESSAGE']);
    expect(published).toEqual([expect.objectContaining({ outcome: 'rolled-back', msgIds: ['HALF0'] })]);
  });

  it('rolls back on a half stored with a soft status (HALF_NOT_DURABLE)', async () => {
    producer.status = 'FLUSH_DISK_TIMEOUT';
    const caught = await rejectionOf(runInTransaction(dataSource, async () => publish('orders', 1)));
    expect((caught as { code?: unknown }).code).toBe(TxErrorCodes.HALF_NOT_DURABLE);
    expect(producer.log).toEqual(['half orders HALF0', 'end HALF0 ROLLBACK_MESSAGE']);
  });

  it('skips END_TRANSACTION, logged, when a fault hits after the commit (the check-back commits it)', async () => {
    steps.add(({ step }) => {
      if (step === 'after-commit') throw new Error('process died');
    });
    await runInTransaction(dataSource, async () => publish('orders', 1));
    expect(producer.log).toEqual(['half orders HALF0']);
    expect(published).toEqual([expect.objectContaining({ outcome: 'committed', endTransactionSent: false })]);
  });

  const barrierRows = () => db().query<{ tx_id: string }>('SELECT tx_id FROM keel_tx_barrier');

  it('claims the barrier row just before the first half, inside the transaction', async () => {
    await db().query('TRUNCATE keel_tx_barrier');
    const seen: string[] = [];
    steps.add(async ({ step, transactionId }) => {
      if (step !== 'before-half') return;
      // The transaction's own view: the row is there (uncommitted, so locked against a check).
      const rows = await currentManager().query('SELECT outcome FROM keel_tx_barrier WHERE tx_id = $1', [
        transactionId,
      ]);
      seen.push(JSON.stringify(rows));
    });
    const id = await runInTransaction(dataSource, async (tx) => {
      await currentManager().insert(Note, { id: 'claimed-late', text: 'x' });
      publish('orders', 1);
      // Published, but nothing claimed yet: the claim waits for the halves.
      expect(tx.barrierClaimed).toBe(false);
      return tx.id;
    });
    expect(seen).toEqual(['[{"outcome":"committed"}]']);
    expect(await barrierRows()).toEqual([{ tx_id: id }]);
  });

  it('sends nothing when the id was claimed by a check-back first, and fails with BarrierConflictError', async () => {
    const id = randomUUID();
    expect(await resolveTransactionCheck(dataSource, id, { lockTimeoutMs: 1_000 })).toBe('ROLLBACK');
    const caught = await rejectionOf(
      runInTransaction(
        dataSource,
        async () => {
          await currentManager().insert(Note, { id: 'too-late', text: 'x' });
          publish('orders', 1);
        },
        { transactionId: id },
      ),
    );
    expect(caught).toBeInstanceOf(BarrierConflictError);
    expect(caught).toMatchObject({ transactionId: id, claimedBy: 'check-back' });
    expect(producer.log).toEqual([]);
    expect(await db().query(`SELECT id FROM note WHERE id = 'too-late'`)).toEqual([]);
  });

  it('runs no step hook, not even a promise of one, when none is installed', async () => {
    const run = jest.spyOn(steps, 'run');
    await runInTransaction(dataSource, async () => publish('orders', 1));
    expect(run).not.toHaveBeenCalled();
    steps.add(() => undefined);
    await runInTransaction(dataSource, async () => publish('orders', 2));
    expect(run.mock.calls.map(([info]) => info.step)).toEqual([
      'before-half',
      'after-half',
      'before-commit',
      'after-commit',
    ]);
  });

  it('refuses publish() once the gate closed, except in a transaction it admitted', async () => {
    const admitted = gate.admitDelivery((admit) =>
      runInTransaction(dataSource, async (tx) => {
        admit(tx);
        gate.close();
        publish('orders', 'in flight');
      }),
    );
    await admitted;
    const caught = await rejectionOf(runInTransaction(dataSource, async () => publish('orders', 'new')));
    expect(caught).toMatchObject({ code: TxErrorCodes.RUNTIME_NOT_RUNNING });
    expect((caught as Error).message).toMatch(
      /^publish\(orders\) in transaction .*: the test runtime is shutting down and takes no new transactions/,
    );
    expect(producer.log).toEqual(['half orders HALF0', 'end HALF0 COMMIT_MESSAGE']);
  });

  it('sends nothing and claims no barrier for a transaction without messages, and refuses publish() after the halves went out', async () => {
    await db().query('TRUNCATE keel_tx_barrier');
    await runInTransaction(dataSource, async () => undefined);
    expect(producer.log).toEqual([]);
    expect(await barrierRows()).toEqual([]);
    const caught = await rejectionOf(
      runInTransaction(dataSource, async (tx) => {
        publish('orders', 1);
        tx.beforeCommit(() => publish('orders', 2));
      }),
    );
    expect((caught as { code?: unknown }).code).toBe(TxErrorCodes.PUBLISH_TOO_LATE);
    expect(producer.log).toEqual(['half orders HALF0', 'end HALF0 ROLLBACK_MESSAGE']);
  });
});
