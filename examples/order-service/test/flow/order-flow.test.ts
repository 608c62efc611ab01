// The flow end to end on the real pieces (name server, broker, both runtimes, the HTTP API) and the
// suite's database: an order is paid, or cancelled with its stock and coupon released; retried
// requests find their order; conflicts are 409s naming the field.

import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { systemClock } from '@keel/broker';
import { waitFor } from '@keel/broker/testing';
import { describeWithDatabase } from '@keel/test-support';
import { noFaults } from '../../src/fault-points';
import { ExampleSystem } from '../../src/infra/example-system';
import type { OrderView } from '../../src/order/order-queries';
import type { ScenarioPlan } from '../../src/scenario/scenario-plan';
import { seedOrderDatabase, seedPaymentDatabase } from '../../src/scenario/seed';
import { cleanUpAll, exampleDatabases, quietLogger, type ExampleDatabases } from '../example-fixtures';

const plan: ScenarioPlan = {
  seed: 0,
  accounts: [
    { id: 'rich', kind: 'USER', balanceCents: 10_000 },
    { id: 'poor', kind: 'USER', balanceCents: 500 },
    { id: 'shop', kind: 'MERCHANT', balanceCents: 0 },
  ],
  products: [
    { sku: 'MUG', name: 'Mug', priceCents: 1_200, merchantId: 'shop', stock: 10 },
    { sku: 'LIMITED', name: 'Print', priceCents: 9_000, merchantId: 'shop', stock: 1 },
  ],
  coupons: [
    { id: 'rich-coupon', userId: 'rich', discountCents: 300 },
    { id: 'poor-coupon', userId: 'poor', discountCents: 300 },
  ],
  requests: [],
};

describeWithDatabase('order flow', (db) => {
  let databases: ExampleDatabases;
  let system: ExampleSystem;
  // Kept so afterAll can stop a system whose start outlived beforeAll's timeout.
  let starting: Promise<ExampleSystem> | undefined;
  const { logger, problems } = quietLogger();

  beforeAll(async () => {
    databases = exampleDatabases(db());
    starting = ExampleSystem.start({
      dataDir: databases.dataDir,
      database: databases.target,
      clock: systemClock,
      logger,
      faults: noFaults,
      port: 0,
      prepare: async (orderDb, paymentDb) => {
        await seedOrderDatabase(orderDb, plan);
        await seedPaymentDatabase(paymentDb, plan);
      },
    });
    system = await starting;
  }, 60_000);

  afterAll(async () => {
    await cleanUpAll([
      // A failed start stopped what it had started.
      async () => (await starting?.catch(() => undefined))?.stop(),
      async () => databases?.cleanUp(),
    ]);
  }, 30_000);

  const place = (body: object, key: string = randomUUID()) =>
    fetch(`${system.apiUrl}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify(body),
    });
  const get = async <T>(path: string): Promise<T> =>
    (await (await fetch(`${system.apiUrl}${path}`)).json()) as T;
  const finalOrder = (id: string) =>
    waitFor(
      async () => {
        const order = await get<OrderView>(`/orders/${id}`);
        return order.status === 'PENDING_PAYMENT' ? undefined : order;
      },
      { timeoutMs: 15_000, intervalMs: 50, description: `order ${id} to be paid or cancelled` },
    );
  const coupon = async (id: string) =>
    (
      await system.orderDb.query<Array<{ status: string; locked_by_order_id: string | null }>>(
        'SELECT status, locked_by_order_id FROM coupons WHERE id = $1',
        [id],
      )
    )[0];

  it('pays an order: user debited, merchant credited, coupon used, stock sold, shipment made', async () => {
    const response = await place({ userId: 'rich', sku: 'MUG', qty: 1, couponId: 'rich-coupon' });
    expect(response.status).toBe(201);
    const placed = (await response.json()) as OrderView;
    expect(placed).toMatchObject({ status: 'PENDING_PAYMENT', amountCents: 900, couponId: 'rich-coupon' });

    const paid = await finalOrder(placed.id);
    expect(paid.status).toBe('PAID');
    expect(await get('/accounts/rich')).toMatchObject({ balanceCents: 9_100 });
    expect(await get('/accounts/shop')).toMatchObject({ balanceCents: 900 });
    expect(await get('/products/MUG')).toMatchObject({ available: 9, sold: 1 });
    expect(await coupon('rich-coupon')).toEqual({ status: 'USED', locked_by_order_id: placed.id });
    await waitFor(
      async () =>
        (await system.orderDb.query('SELECT 1 FROM shipments WHERE order_id = $1', [placed.id])).length === 1,
      { timeoutMs: 10_000, intervalMs: 50, description: 'the shipment' },
    );
  });

  it('cancels an order the user cannot pay, releasing its stock and coupon', async () => {
    const response = await place({ userId: 'poor', sku: 'MUG', qty: 2, couponId: 'poor-coupon' });
    expect(response.status).toBe(201);
    const placed = (await response.json()) as OrderView;
    const before = await get<{ available: number; sold: number }>('/products/MUG');

    const cancelled = await finalOrder(placed.id);
    expect(cancelled).toMatchObject({ status: 'CANCELLED', cancelReason: 'INSUFFICIENT_BALANCE' });
    expect(await get('/accounts/poor')).toMatchObject({ balanceCents: 500 });
    expect(await get('/products/MUG')).toMatchObject({
      available: before.available + 2,
      sold: before.sold - 2,
    });
    expect(await coupon('poor-coupon')).toEqual({ status: 'AVAILABLE', locked_by_order_id: null });
    const payments = await system.paymentDb.query('SELECT 1 FROM payments WHERE order_id = $1', [placed.id]);
    expect(payments).toHaveLength(0);
  });

  it('answers a retried request with the same order, and a reused key with 409', async () => {
    const key = randomUUID();
    const body = { userId: 'rich', sku: 'MUG', qty: 1 };
    const first = await place(body, key);
    const second = await place(body, key);
    expect([first.status, second.status]).toEqual([201, 200]);
    const firstId = ((await first.json()) as OrderView).id;
    expect(((await second.json()) as OrderView).id).toBe(firstId);

    const [a, b] = await Promise.all([place(body, `${key}-twin`), place(body, `${key}-twin`)]);
    const ids = [((await a.json()) as OrderView).id, ((await b.json()) as OrderView).id];
    expect(ids[0]).toBe(ids[1]);
    expect([a.status, b.status].sort()).toEqual([200, 201]);

    const reused = await place({ ...body, qty: 2 }, key);
    expect(reused.status).toBe(409);
    expect(await reused.json()).toMatchObject({
      error: { code: 'IDEMPOTENCY_KEY_REUSED', field: 'Idempotency-Key' },
    });
    const orders = await system.orderDb.query('SELECT id FROM orders WHERE idempotency_key IN ($1, $2)', [
      key,
      `${key}-twin`,
    ]);
    expect(orders).toHaveLength(2);
  });

  it.each([
    [{ userId: 'rich', sku: 'LIMITED', qty: 2 }, 409, 'OUT_OF_STOCK', 'qty'],
    [
      { userId: 'rich', sku: 'MUG', qty: 1, couponId: 'poor-coupon' },
      409,
      'COUPON_NOT_AVAILABLE',
      'couponId',
    ],
    [{ userId: 'rich', sku: 'NOPE', qty: 1 }, 404, 'NOT_FOUND', 'sku'],
    [{ userId: 'rich', sku: 'MUG', qty: 1, couponId: 'no-such-coupon' }, 404, 'NOT_FOUND', 'couponId'],
    [{ userId: 'rich', sku: 'MUG', qty: -1 }, 400, 'INVALID_REQUEST', 'qty'],
  ])('refuses %j with %d %s naming %s, and changes nothing', async (body, status, code, field) => {
    const stockBefore = await get('/products/MUG');
    const response = await place(body);
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ error: { code, field } });
    expect(await get('/products/MUG')).toEqual(stockBefore);
  });

  it('answers 404 for an unknown order and an unknown account', async () => {
    expect((await fetch(`${system.apiUrl}/orders/not-an-order`)).status).toBe(404);
    expect((await fetch(`${system.apiUrl}/orders/${randomUUID()}`)).status).toBe(404);
    expect((await fetch(`${system.apiUrl}/accounts/nobody`)).status).toBe(404);
  });

  it('logged no warning or error', () => {
    // A consumer that starts before the broker has announced its group's %RETRY% topic to the name
    // server logs one failed rebalance and finds the route on the next one: start-up noise of the
    // client, not something the flow did.
    const retryTopicRace = /rebalance of a topic failed.*topic=%RETRY%.*NO_ROUTE/;
    expect(problems.filter((line) => !retryTopicRace.test(line))).toEqual([]);
  });
});
