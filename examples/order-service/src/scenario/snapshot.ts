// The state of both services' databases after a run, read table by table for the invariant checks.
// The reads are separate (two databases cannot be read in one transaction), which is fine only
// because they run after the system has gone quiet: every order terminal, no message in flight.

import type { DataSource } from 'typeorm';
import type { CouponStatus } from '../order/coupon';
import type { OrderStatus } from '../order/order';
import { toEpochMs } from '../infra/sql';

export interface OrderRecord {
  readonly id: string;
  readonly status: OrderStatus;
  readonly userId: string;
  readonly merchantId: string;
  readonly sku: string;
  readonly qty: number;
  readonly couponId: string | null;
  readonly amountCents: number;
  readonly createdAtMs: number;
  readonly completedAtMs: number | null;
}

export interface Snapshot {
  readonly orders: readonly OrderRecord[];
  readonly products: ReadonlyArray<{
    readonly sku: string;
    readonly available: number;
    readonly sold: number;
  }>;
  readonly coupons: ReadonlyArray<{
    readonly id: string;
    readonly status: CouponStatus;
    readonly lockedByOrderId: string | null;
  }>;
  readonly shipments: ReadonlyArray<{ readonly orderId: string }>;
  readonly accounts: ReadonlyArray<{ readonly id: string; readonly balanceCents: number }>;
  readonly payments: ReadonlyArray<{
    readonly orderId: string;
    readonly userId: string;
    readonly merchantId: string;
    readonly amountCents: number;
  }>;
}

export async function readSnapshot(orderDb: DataSource, paymentDb: DataSource): Promise<Snapshot> {
  const orders = await orderDb.query<
    Array<{
      id: string;
      status: OrderStatus;
      user_id: string;
      merchant_id: string;
      sku: string;
      qty: number;
      coupon_id: string | null;
      amount_cents: number;
      created_at_ms: string;
      completed_at_ms: string | null;
    }>
  >(
    `SELECT id, status, user_id, merchant_id, sku, qty, coupon_id, amount_cents, created_at_ms, completed_at_ms
       FROM orders`,
  );
  return {
    orders: orders.map((row) => ({
      id: row.id,
      status: row.status,
      userId: row.user_id,
      merchantId: row.merchant_id,
      sku: row.sku,
      qty: row.qty,
      couponId: row.coupon_id,
      amountCents: row.amount_cents,
      createdAtMs: toEpochMs(row.created_at_ms),
      completedAtMs: row.completed_at_ms === null ? null : toEpochMs(row.completed_at_ms),
    })),
    products: await orderDb.query('SELECT sku, available, sold FROM products'),
    coupons: await orderDb.query('SELECT id, status, locked_by_order_id AS "lockedByOrderId" FROM coupons'),
    shipments: await orderDb.query('SELECT order_id AS "orderId" FROM shipments'),
    accounts: await paymentDb.query('SELECT id, balance_cents AS "balanceCents" FROM accounts'),
    payments: await paymentDb.query(
      `SELECT order_id AS "orderId", user_id AS "userId", merchant_id AS "merchantId",
              amount_cents AS "amountCents" FROM payments`,
    ),
  };
}
