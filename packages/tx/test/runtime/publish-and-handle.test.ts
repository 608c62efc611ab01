// The runtime end to end on a real broker: a @Transactional() method's messages are delivered to
// @OnMessage handlers if and only if its transaction committed, with their key, tag and headers;
// handlers run in a transaction that publish() joins; nested calls send one set of messages.

import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Producer } from '@keel/broker/client';
import { describeWithDatabase } from '@keel/test-support';
import {
  currentManager,
  OnMessage,
  publish,
  Transactional,
  TxErrorCodes,
  type Delivered,
  type PublishedEvent,
} from '@keel/tx';
import { awaitDelivery, drain, recordDeliveries } from '@keel/tx/testing';
import type { DataSource } from 'typeorm';
import { Note, openTxDataSource, rejectionOf } from '../tx-fixtures';
import { runtimeSuite } from './runtime-fixtures';

interface OrderCreated {
  readonly orderId: string;
}

function defineServices() {
  const suffix = randomUUID().slice(0, 8);
  const topics = { created: `order-created-${suffix}`, paid: `order-paid-${suffix}` };
  const group = `payments-${suffix}`;

  class OrderService {
    @Transactional()
    async place(id: string, fail = false): Promise<void> {
      await currentManager().insert(Note, { id, text: 'order' });
      publish(topics.created, { orderId: id }, { key: id, tag: 'created', headers: { traceId: `t-${id}` } });
      if (fail) throw new Error('payment declined');
    }

    @Transactional()
    async placeTwo(first: string, second: string): Promise<void> {
      await this.place(first);
      await this.place(second);
    }
  }

  class PaymentHandlers {
    readonly seen: Delivered<OrderCreated>[] = [];

    @OnMessage({ topic: topics.created, group })
    async charge(message: Delivered<OrderCreated>): Promise<void> {
      this.seen.push(message);
      await currentManager().insert(Note, { id: `paid-${message.body.orderId}`, text: 'paid' });
      publish(topics.paid, { orderId: message.body.orderId }, { key: message.body.orderId });
    }
  }

  class ShippingHandlers {
    readonly shipped: string[] = [];

    @OnMessage({ topic: topics.paid, group: `shipping-${suffix}`, idempotencyKey: 'key' })
    async ship(message: Delivered<OrderCreated>): Promise<void> {
      this.shipped.push(message.body.orderId);
    }
  }
  return { topics, group, OrderService, PaymentHandlers, ShippingHandlers };
}

describeWithDatabase('runtime: publish and handle', { needs: 'concurrency' }, (db) => {
  const suite = runtimeSuite();
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = await openTxDataSource(db(), 12);
  });
  afterAll(() => dataSource?.destroy());

  async function startAll() {
    const defined = defineServices();
    const orders = new defined.OrderService();
    const payments = new defined.PaymentHandlers();
    const shipping = new defined.ShippingHandlers();
    const runtime = await suite.start({
      dataSource,
      producerGroup: `orders-${randomUUID().slice(0, 8)}`,
      services: [orders],
      handlers: [payments, shipping],
    });
    return { ...defined, orders, payments, shipping, runtime };
  }

  it('delivers a committed message once, with its key, tag and headers, in the handler transaction', async () => {
    const { orders, payments, shipping, runtime, topics } = await startAll();
    const recorder = recordDeliveries(runtime);
    await orders.place('o-1');
    await recorder.waitFor(
      (event) => event.handler === 'ShippingHandlers.ship' && event.outcome === 'handled',
    );
    expect(payments.seen).toHaveLength(1);
    const [message] = payments.seen;
    expect(message).toMatchObject({
      body: { orderId: 'o-1' },
      topic: topics.created,
      tag: 'created',
      keys: ['o-1'],
      headers: { traceId: 't-o-1' },
      reconsumeTimes: 0,
    });
    expect(message!.msgId).toMatch(/^[0-9A-F]{32}$/);
    expect(message!.raw.properties.get('KEEL_TX_ID')).toMatch(/^[0-9a-f-]{36}$/);
    expect(shipping.shipped).toEqual(['o-1']);
    const rows = await db().query<{ id: string }>(`SELECT id FROM note WHERE id LIKE '%o-1' ORDER BY id`);
    expect(rows.map((row) => row.id)).toEqual(['o-1', 'paid-o-1']);
    // One inbox row per handler group: the payment handler's, and the shipping handler's by key.
    const inbox = await db().query<{ consumer_group: string; message_key: string }>(
      'SELECT consumer_group, message_key FROM keel_inbox WHERE consumer_group LIKE $1 OR consumer_group LIKE $2',
      ['payments-%', 'shipping-%'],
    );
    expect(inbox).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ message_key: message!.msgId }),
        expect.objectContaining({ message_key: 'o-1' }),
      ]),
    );
  });

  it("never delivers a rolled-back transaction's message, and passes its error through unchanged", async () => {
    const { orders, payments, runtime } = await startAll();
    const published: PublishedEvent[] = [];
    runtime.events.on('published', (event) => published.push(event));
    const caught = await rejectionOf(orders.place('o-2', true));
    expect((caught as Error).message).toBe('payment declined');
    // Halves go out just before COMMIT: a method that fails sends nothing at all.
    expect(published).toEqual([]);
    expect(runtime.producer.stats.transactionsSent).toBe(0);
    await orders.place('o-3');
    await awaitDelivery(runtime, (event) => event.message?.keys[0] === 'o-3' && event.outcome === 'handled');
    await drain(runtime);
    expect(payments.seen.map((m) => m.body.orderId)).toEqual(['o-3']);
    expect(await db().query(`SELECT id FROM note WHERE id = 'o-2'`)).toEqual([]);
  });

  it('sends the messages of nested calls once, with the outer commit', async () => {
    const { orders, payments, runtime } = await startAll();
    const published: PublishedEvent[] = [];
    runtime.events.on('published', (event) => published.push(event));
    const recorder = recordDeliveries(runtime);
    await orders.placeTwo('o-4', 'o-5');
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ outcome: 'committed', endTransactionSent: true });
    expect(published[0]!.msgIds).toHaveLength(2);
    await recorder.waitFor((event) => event.handler === 'PaymentHandlers.charge', 2);
    expect(payments.seen.map((m) => m.body.orderId).sort()).toEqual(['o-4', 'o-5']);
  });

  it('dead-letters a message whose body cannot be read, without running the handler', async () => {
    const { payments, runtime, topics } = await startAll();
    const producer = new Producer({
      group: `raw-${randomUUID().slice(0, 8)}`,
      nameServer: suite.broker().nameServer,
    });
    await producer.start();
    try {
      const recorder = recordDeliveries(runtime);
      const sent = await producer.send({ topic: topics.created, body: 'not json {', keys: 'raw' });
      const [event] = await recorder.waitFor((e) => e.msgId === sent.msgId && e.outcome === 'failed');
      expect(event).toMatchObject({ next: 'dead-letter', message: undefined });
      expect((event!.error as { code?: unknown }).code).toBe(TxErrorCodes.SERIALIZATION);
      expect(payments.seen).toEqual([]);
    } finally {
      await producer.shutdown();
    }
  });

  it('refuses publish() outside a transaction and bad options, naming the fix', async () => {
    const { topics } = await startAll();
    expect(() => publish(topics.created, {})).toThrow(
      /outside a transaction: publish inside a @Transactional\(\) method/,
    );
    const { runInTransaction } = await import('@keel/tx');
    const caught = await rejectionOf(
      runInTransaction(dataSource, async () => {
        publish(
          topics.created,
          {},
          { key: 'has space', delayLevel: 2, deliverAt: 5, headers: { KEYS: 'x' } },
        );
      }),
    );
    expect((caught as { code?: unknown }).code).toBe(TxErrorCodes.INVALID_ARGUMENT);
    expect((caught as Error).message).toBe(
      `publish(${topics.created}): key must be a non-empty string without spaces (KEYS are space-separated), got "has space"; ` +
        'give delayLevel or deliverAt, not both (the broker refuses a message with both); ' +
        'header KEYS is a property RocketMQ or Keel sets; choose another name',
    );
    const undefinedBody = await rejectionOf(
      runInTransaction(dataSource, async () => {
        publish(topics.created, undefined);
      }),
    );
    expect((undefinedBody as { code?: unknown }).code).toBe(TxErrorCodes.SERIALIZATION);
  });
});
