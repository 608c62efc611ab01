// Two runtimes in one process, each with its own DataSource (here: its own schema) and producer
// group, as the order-and-payment example runs them: each service's @Transactional() methods and
// handlers run on its own database, and messages flow both ways.

import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { describeWithDatabase } from '@keel/test-support';
import {
  currentManager,
  currentTransaction,
  OnMessage,
  publish,
  Transactional,
  TxErrorCodes,
  type Delivered,
} from '@keel/tx';
import { recordDeliveries } from '@keel/tx/testing';
import { DataSource } from 'typeorm';
import { Note, openTxDataSource, rejectionOf } from '../tx-fixtures';
import { runtimeSuite } from './runtime-fixtures';

const suffix = randomUUID().slice(0, 8);
const topics = { created: `two-created-${suffix}`, paid: `two-paid-${suffix}` };

class OrderService {
  @Transactional()
  async place(id: string): Promise<string> {
    await currentManager().insert(Note, { id, text: 'pending' });
    publish(topics.created, { id }, { key: id });
    return currentTransaction().dataSource.options.name ?? '';
  }

  @OnMessage({ topic: topics.paid, group: `two-orders-${suffix}` })
  async paid(message: Delivered<{ id: string }>): Promise<void> {
    await currentManager().update(Note, { id: message.body.id }, { text: 'paid' });
  }
}

class PaymentService {
  @OnMessage({ topic: topics.created, group: `two-payments-${suffix}` })
  async charge(message: Delivered<{ id: string }>): Promise<void> {
    await currentManager().insert(Note, { id: `payment-${message.body.id}`, text: 'captured' });
    await this.audit(message.body.id);
    publish(topics.paid, { id: message.body.id }, { key: message.body.id });
  }

  @Transactional()
  async audit(id: string): Promise<void> {
    await currentManager().insert(Note, { id: `audit-${id}`, text: 'charged' });
  }
}

describeWithDatabase('runtime: two runtimes in one process', { needs: 'concurrency' }, (db) => {
  const suite = runtimeSuite();
  const paymentSchema = `keel_pay_${suffix.replace(/-/g, '_')}`;
  let orderData: DataSource;
  let paymentData: DataSource;

  beforeAll(async () => {
    orderData = await openTxDataSource(db(), 8);
    await db().query(`CREATE SCHEMA ${paymentSchema}`);
    const base = db().dataSourceOptions([Note]);
    paymentData = await new DataSource({
      ...base,
      name: 'payments',
      schema: paymentSchema,
      synchronize: true,
      extra: { options: `-c search_path=${paymentSchema}`, max: 8 },
    }).initialize();
  });
  afterAll(async () => {
    await paymentData?.destroy();
    await orderData?.destroy();
    await db().query(`DROP SCHEMA IF EXISTS ${paymentSchema} CASCADE`);
  });

  it('runs each service on its own DataSource, and messages flow both ways', async () => {
    const orders = new OrderService();
    const payments = new PaymentService();
    const orderRuntime = await suite.start({
      dataSource: orderData,
      producerGroup: `two-orders-${suffix}`,
      services: [orders],
      handlers: [orders],
    });
    const paymentRuntime = await suite.start({
      dataSource: paymentData,
      producerGroup: `two-payments-${suffix}`,
      handlers: [payments],
      ensureTables: true,
    });
    const paid = recordDeliveries(orderRuntime);
    await orders.place(`o-${suffix}`);
    await paid.waitFor((event) => event.handler === 'OrderService.paid' && event.outcome === 'handled');

    expect(await orderData.query('SELECT id, text FROM note WHERE id = $1', [`o-${suffix}`])).toEqual([
      { id: `o-${suffix}`, text: 'paid' },
    ]);
    const paymentRows = await paymentData.query<{ id: string }[]>('SELECT id FROM note ORDER BY id');
    expect(paymentRows.map((row) => row.id)).toEqual([`audit-o-${suffix}`, `payment-o-${suffix}`]);
    expect(await orderData.query('SELECT id FROM note WHERE id LIKE $1', [`payment-%${suffix}`])).toEqual([]);
    expect(paymentRuntime.consumerGroups).toEqual([`two-payments-${suffix}`]);
  });

  it('refuses a second runtime on the same DataSource or with an instance bound to another', async () => {
    const orders = new OrderService();
    await suite.start({ dataSource: orderData, producerGroup: `two-a-${suffix}`, services: [orders] });
    const sameData = await rejectionOf(
      suite.start({ dataSource: orderData, producerGroup: `two-b-${suffix}` }),
    );
    expect((sameData as Error).message).toMatch(/another Keel runtime is already running on this DataSource/);
    const sameInstance = await rejectionOf(
      suite.start({ dataSource: paymentData, producerGroup: `two-c-${suffix}`, services: [orders] }),
    );
    expect((sameInstance as { code?: unknown }).code).toBe(TxErrorCodes.INVALID_ARGUMENT);
    expect((sameInstance as Error).message).toMatch(/OrderService instance is already bound/);
  });
});
