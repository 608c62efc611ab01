import type { Server } from 'node:http';
import { KeelError } from '@keel/broker';
import { closeServer, listenOnEphemeralPort } from '@keel/broker/testing';
import { ExampleError, ExampleErrorCodes, notFound } from '../../src/errors';
import { createApiServer, type ApiBackends } from '../../src/http/http-api';
import type { OrderView } from '../../src/order/order-queries';
import type { PlaceOrderRequest } from '../../src/order/place-order-request';

const order: OrderView = {
  id: '3b1f6a52-6a4e-4d0e-9d3c-0f0e5a1b2c3d',
  status: 'PENDING_PAYMENT',
  userId: 'user-1',
  sku: 'MUG',
  qty: 1,
  couponId: null,
  amountCents: 1_200,
  cancelReason: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  completedAt: null,
};

describe('HTTP API', () => {
  let server: Server;
  let base: string;
  let placeOrder: jest.Mock<Promise<{ order: OrderView; created: boolean }>, [PlaceOrderRequest, string]>;
  const logged: Array<[string, unknown]> = [];

  beforeEach(async () => {
    logged.length = 0;
    placeOrder = jest.fn(async (_request: PlaceOrderRequest, _key: string) => ({ order, created: true }));
    const backends: ApiBackends = {
      placeOrder,
      order: async (id) => {
        if (id !== order.id) throw notFound('id', `order ${id} does not exist`);
        return order;
      },
      product: async (sku) => ({ sku, name: 'Mug', priceCents: 1_200, available: 5, sold: 1 }),
      account: async (userId) => ({ id: userId, kind: 'USER', balanceCents: 10_000 }),
    };
    server = createApiServer(backends, (message, error) => logged.push([message, error]));
    base = `http://127.0.0.1:${await listenOnEphemeralPort(server)}`;
  });

  afterEach(async () => {
    server.closeAllConnections();
    await closeServer(server);
  });

  const post = (body: string, headers: Record<string, string> = { 'idempotency-key': 'k-1' }) =>
    fetch(`${base}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });

  async function errorOf(response: Response): Promise<{ code: string; message: string; field?: string }> {
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    return ((await response.json()) as { error: { code: string; message: string; field?: string } }).error;
  }

  it('places an order: 201 with the order and its location, the key passed through', async () => {
    const response = await post(JSON.stringify({ userId: 'user-1', sku: 'MUG', qty: 1 }));
    expect(response.status).toBe(201);
    expect(response.headers.get('location')).toBe(`/orders/${order.id}`);
    expect(await response.json()).toEqual(order);
    expect(placeOrder).toHaveBeenCalledWith({ userId: 'user-1', sku: 'MUG', qty: 1 }, 'k-1');
  });

  it('answers a replayed request 200 with the same order', async () => {
    placeOrder.mockResolvedValue({ order, created: false });
    const response = await post(JSON.stringify({ userId: 'user-1', sku: 'MUG', qty: 1 }));
    expect(response.status).toBe(200);
    expect(response.headers.get('idempotent-replayed')).toBe('true');
    expect(((await response.json()) as OrderView).id).toBe(order.id);
  });

  it.each([
    ['no Idempotency-Key', JSON.stringify({ userId: 'u', sku: 'MUG', qty: 1 }), {}, 'Idempotency-Key'],
    ['a body that is not JSON', '{"userId":', undefined, 'body'],
    ['an empty body', '', undefined, 'body'],
    ['qty 0', JSON.stringify({ userId: 'u', sku: 'MUG', qty: 0 }), undefined, 'qty'],
    ['no userId', JSON.stringify({ sku: 'MUG', qty: 1 }), undefined, 'userId'],
    ['an unknown field', JSON.stringify({ userId: 'u', sku: 'MUG', qty: 1, price: 1 }), undefined, 'price'],
  ])('answers 400 naming the field for %s', async (_name, body, headers, field) => {
    const response = await post(body, headers);
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.field).toBe(field);
    expect(placeOrder).not.toHaveBeenCalled();
  });

  it('refuses a body over the limit without reading it all', async () => {
    const response = await post(JSON.stringify({ userId: 'u', sku: 'x'.repeat(20_000), qty: 1 }));
    expect(response.status).toBe(400);
    expect((await errorOf(response)).field).toBe('body');
  });

  it.each([
    [ExampleErrorCodes.OUT_OF_STOCK, 409],
    [ExampleErrorCodes.COUPON_NOT_AVAILABLE, 409],
    [ExampleErrorCodes.IDEMPOTENCY_KEY_REUSED, 409],
    [ExampleErrorCodes.STOCK_CONTENTION, 409],
    [ExampleErrorCodes.NOT_FOUND, 404],
  ])('answers %s from the service with %d', async (code, status) => {
    placeOrder.mockRejectedValue(new ExampleError(code, `because ${code}`, { field: 'sku' }));
    const response = await post(JSON.stringify({ userId: 'u', sku: 'MUG', qty: 1 }));
    expect(response.status).toBe(status);
    expect(await errorOf(response)).toEqual({ code, message: `because ${code}`, field: 'sku' });
  });

  it('answers 503 with Retry-After when the broker or database is away (retriable)', async () => {
    placeOrder.mockRejectedValue(new KeelError('SOMETHING_DOWN', 'broker unreachable', { retriable: true }));
    const response = await post(JSON.stringify({ userId: 'u', sku: 'MUG', qty: 1 }));
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect((await errorOf(response)).code).toBe('UNAVAILABLE');
    expect(logged).toEqual([]);
  });

  it('answers 500 without details for an unexpected error, and logs it', async () => {
    const failure = new Error('secret internals');
    placeOrder.mockRejectedValue(failure);
    const response = await post(JSON.stringify({ userId: 'u', sku: 'MUG', qty: 1 }));
    expect(response.status).toBe(500);
    expect(JSON.stringify(await errorOf(response))).not.toContain('secret');
    expect(logged).toEqual([['POST /orders failed', failure]]);
  });

  it('serves orders, products and accounts, and 404 for unknown ones', async () => {
    expect(await (await fetch(`${base}/orders/${order.id}`)).json()).toEqual(order);
    expect(((await (await fetch(`${base}/products/MUG`)).json()) as { available: number }).available).toBe(5);
    expect(
      ((await (await fetch(`${base}/accounts/user-1`)).json()) as { balanceCents: number }).balanceCents,
    ).toBe(10_000);
    const missing = await fetch(`${base}/orders/3b1f6a52-0000-4d0e-9d3c-0f0e5a1b2c3d`);
    expect(missing.status).toBe(404);
    expect((await errorOf(missing)).field).toBe('id');
    const nowhere = await fetch(`${base}/nowhere`);
    expect(nowhere.status).toBe(404);
    expect((await errorOf(nowhere)).field).toBe('path');
  });

  it('answers 400 naming the path for a malformed %-escape, without logging an internal error', async () => {
    const response = await fetch(`${base}/orders/%E0%A4%A`);
    expect(response.status).toBe(400);
    expect((await errorOf(response)).field).toBe('path');
    expect(logged).toEqual([]);
  });

  it('answers 503 for a half message the broker did not make durable (run it again)', async () => {
    placeOrder.mockRejectedValue(new KeelError('TX_HALF_NOT_DURABLE', 'half message not durable'));
    const response = await post(JSON.stringify({ userId: 'u', sku: 'MUG', qty: 1 }));
    expect(response.status).toBe(503);
    expect(logged).toEqual([]);
  });

  it('answers 405 naming the allowed methods', async () => {
    const response = await fetch(`${base}/orders`, { method: 'DELETE' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect((await errorOf(response)).code).toBe('METHOD_NOT_ALLOWED');
  });
});
