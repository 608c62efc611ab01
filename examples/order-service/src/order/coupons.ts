// A coupon is locked by the order that takes it, used when that order is paid and released when it
// is cancelled. Each move is one conditional UPDATE that names the state it expects, so two orders
// can never hold one coupon, and a coupon is never released by an order that does not hold it.

import { ExampleError, ExampleErrorCodes, notFound } from '../errors';
import { selectRows, updateRows } from '../infra/sql';

interface CouponRow {
  readonly user_id: string;
  readonly status: string;
}

/** Locks the coupon for `orderId`; returns its discount. Throws NOT_FOUND or COUPON_NOT_AVAILABLE. */
export async function lockCoupon(couponId: string, userId: string, orderId: string): Promise<number> {
  const [locked] = await updateRows<{ readonly discount_cents: number }>(
    `UPDATE coupons SET status = 'LOCKED', locked_by_order_id = $3
      WHERE id = $1 AND user_id = $2 AND status = 'AVAILABLE' RETURNING discount_cents`,
    [couponId, userId, orderId],
  );
  if (locked !== undefined) return locked.discount_cents;
  const [coupon] = await selectRows<CouponRow>('SELECT user_id, status FROM coupons WHERE id = $1', [
    couponId,
  ]);
  if (coupon === undefined) throw notFound('couponId', `coupon ${couponId} does not exist`);
  const why =
    coupon.user_id !== userId
      ? `it belongs to another user`
      : coupon.status === 'USED'
        ? 'it has been used'
        : 'another order holds it until its payment completes';
  throw new ExampleError(
    ExampleErrorCodes.COUPON_NOT_AVAILABLE,
    `coupon ${couponId} is not available to ${userId}: ${why}; order without it or with another coupon`,
    { field: 'couponId' },
  );
}

/** The order was paid: its coupon is spent. */
export async function useCoupon(couponId: string, orderId: string): Promise<void> {
  await moveLockedCoupon(couponId, orderId, `status = 'USED'`);
}

/** The order was cancelled: its coupon can be used again. */
export async function releaseCoupon(couponId: string, orderId: string): Promise<void> {
  await moveLockedCoupon(couponId, orderId, `status = 'AVAILABLE', locked_by_order_id = NULL`);
}

async function moveLockedCoupon(couponId: string, orderId: string, assignments: string): Promise<void> {
  const moved = await updateRows(
    `UPDATE coupons SET ${assignments}
      WHERE id = $1 AND locked_by_order_id = $2 AND status = 'LOCKED' RETURNING id`,
    [couponId, orderId],
  );
  // Orders complete once (see completeOrder), so a coupon not locked by the order is a broken
  // invariant, not a duplicate: fail loudly rather than finish the order without its coupon.
  if (moved.length !== 1) throw new Error(`coupon ${couponId} is not locked by order ${orderId}`);
}
