// The order service's reaction to the payment outcome, inside the handler's transaction: PAID and
// the coupon USED, or CANCELLED with stock and coupon released (the compensation). Either way the
// status event is published in the same transaction, sharded by the order id like every event of
// the order.

import type { Clock } from '@keel/broker';
import { NonRetriableError, publish } from '@keel/tx';
import type { OrderStatusChanged, TerminalStatus } from '../events/order-events';
import { Topics } from '../events/topics';
import { selectRows, updateRows } from '../infra/sql';
import { releaseCoupon, useCoupon } from './coupons';
import type { OrderStatus } from './order';
import { decideCompletion } from './order-transitions';
import { releaseStock } from './stock';

interface OrderRow {
  readonly status: OrderStatus;
  readonly user_id: string;
  readonly sku: string;
  readonly qty: number;
  readonly coupon_id: string | null;
}

export type CompletionResult = 'completed' | 'duplicate';

export async function completeOrder(
  orderId: string,
  outcome: TerminalStatus,
  cancelReason: string | null,
  clock: Clock,
): Promise<CompletionResult> {
  // FOR UPDATE: the decision below must hold until this transaction commits.
  const [order] = await selectRows<OrderRow>(
    'SELECT status, user_id, sku, qty, coupon_id FROM orders WHERE id = $1 FOR UPDATE',
    [orderId],
  );
  if (order === undefined) {
    // The payment service only learns of orders whose creation committed, so this is not a race.
    throw new NonRetriableError(`payment outcome ${outcome} for order ${orderId}, which does not exist`);
  }
  const decision = decideCompletion(order.status, outcome);
  if (decision === 'already-done') return 'duplicate';
  if (decision === 'contradiction') {
    throw new NonRetriableError(`order ${orderId} is ${order.status}; refusing to make it ${outcome}`);
  }

  await updateRows(
    `UPDATE orders SET status = $2, completed_at_ms = $3, cancel_reason = $4 WHERE id = $1 RETURNING id`,
    [orderId, outcome, clock.now(), cancelReason],
  );
  if (outcome === 'PAID') {
    if (order.coupon_id !== null) await useCoupon(order.coupon_id, orderId);
  } else {
    await releaseStock(order.sku, order.qty);
    if (order.coupon_id !== null) await releaseCoupon(order.coupon_id, orderId);
  }

  const event: OrderStatusChanged = {
    orderId,
    status: outcome,
    userId: order.user_id,
    sku: order.sku,
    qty: order.qty,
  };
  publish(Topics.orderStatus, event, { key: orderId, tag: outcome, shardingKey: orderId });
  return 'completed';
}
