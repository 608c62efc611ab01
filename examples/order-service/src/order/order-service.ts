// Placing an order: deduct stock, lock the coupon, create the order PENDING_PAYMENT and publish
// order-created — in one @Transactional() method, so either all of it happens (and the event is
// delivered) or none of it does. The event is published as a half message before the database
// commits and committed on the broker after; if the process dies in between, the broker asks back
// and Keel answers from the transaction's barrier row.

import { randomUUID } from 'node:crypto';
import type { Clock } from '@keel/broker';
import { publish, repository, Transactional } from '@keel/tx';
import { ExampleError, ExampleErrorCodes } from '../errors';
import type { OrderCreated } from '../events/order-events';
import { Topics } from '../events/topics';
import { databaseErrorOf, UNIQUE_VIOLATION } from '../infra/sql';
import { lockCoupon } from './coupons';
import { Order } from './order';
import { orderAmountCents } from './order-transitions';
import { requestFingerprint, type PlaceOrderRequest } from './place-order-request';
import { reserveStock } from './stock';

export interface PlacedOrder {
  readonly order: Order;
  /** False when the idempotency key found an order placed by an earlier request. */
  readonly created: boolean;
}

export class OrderService {
  readonly #clock: Clock;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /**
   * Places the order, or returns the one an earlier request with the same key placed. Two requests
   * with one key at the same moment both try; the second one's insert meets the first one's unique
   * key, its transaction rolls back (stock and coupon included), and it looks again.
   */
  async placeOrder(request: PlaceOrderRequest, idempotencyKey: string): Promise<PlacedOrder> {
    try {
      return await this.placeOrderOnce(request, idempotencyKey);
    } catch (error: unknown) {
      const { code, constraint } = databaseErrorOf(error);
      if (code !== UNIQUE_VIOLATION || constraint !== 'orders_idempotency_key') throw error;
      return this.placeOrderOnce(request, idempotencyKey);
    }
  }

  @Transactional()
  async placeOrderOnce(request: PlaceOrderRequest, idempotencyKey: string): Promise<PlacedOrder> {
    const fingerprint = requestFingerprint(request);
    const orders = repository(Order);
    const earlier = await orders.findOneBy({ idempotencyKey });
    if (earlier !== null) {
      if (earlier.requestFingerprint !== fingerprint) {
        throw new ExampleError(
          ExampleErrorCodes.IDEMPOTENCY_KEY_REUSED,
          `Idempotency-Key ${idempotencyKey} was used for a different order (${earlier.id}); ` +
            'use a new key for a new order',
          { field: 'Idempotency-Key' },
        );
      }
      return { order: earlier, created: false };
    }

    const product = await reserveStock(request.sku, request.qty);
    const orderId = randomUUID();
    const discount =
      request.couponId === undefined ? 0 : await lockCoupon(request.couponId, request.userId, orderId);
    const order = orders.create({
      id: orderId,
      idempotencyKey,
      requestFingerprint: fingerprint,
      userId: request.userId,
      sku: request.sku,
      qty: request.qty,
      couponId: request.couponId ?? null,
      merchantId: product.merchantId,
      amountCents: orderAmountCents(product.priceCents, request.qty, discount),
      status: 'PENDING_PAYMENT',
      cancelReason: null,
      createdAtMs: String(this.#clock.now()),
      completedAtMs: null,
    });
    await orders.insert(order);

    const event: OrderCreated = {
      orderId,
      userId: order.userId,
      merchantId: order.merchantId,
      amountCents: order.amountCents,
    };
    publish(Topics.orderCreated, event, { key: orderId, shardingKey: orderId });
    return { order, created: true };
  }
}
