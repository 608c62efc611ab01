// Charging one order inside the payment handler's transaction: debit the user, credit the
// merchant, record the payment. The debit is one conditional UPDATE (balance ≥ amount), so two
// charges of one user at once can never overdraw the account, and a balance check cannot go stale.

import type { Clock } from '@keel/broker';
import type { OrderCreated, PaymentFailureReason } from '../events/order-events';
import { selectRows, updateRows } from '../infra/sql';

export type ChargeOutcome =
  | { readonly kind: 'charged' }
  /** A payment for the order exists already: it was charged by an earlier delivery. */
  | { readonly kind: 'already-charged' }
  | { readonly kind: 'refused'; readonly reason: PaymentFailureReason };

export async function chargeOrder(order: OrderCreated, clock: Clock): Promise<ChargeOutcome> {
  const paid = await selectRows('SELECT 1 FROM payments WHERE order_id = $1', [order.orderId]);
  if (paid.length > 0) return { kind: 'already-charged' };

  const merchant = await selectRows(`SELECT 1 FROM accounts WHERE id = $1 AND kind = 'MERCHANT'`, [
    order.merchantId,
  ]);
  if (merchant.length === 0) return { kind: 'refused', reason: 'UNKNOWN_ACCOUNT' };

  // Users are debited before merchants are credited in every transaction, so two charges never
  // wait on each other's rows in opposite orders (no deadlock).
  const debited = await updateRows(
    `UPDATE accounts SET balance_cents = balance_cents - $2
      WHERE id = $1 AND kind = 'USER' AND balance_cents >= $2 RETURNING id`,
    [order.userId, order.amountCents],
  );
  if (debited.length === 0) {
    const user = await selectRows(`SELECT 1 FROM accounts WHERE id = $1 AND kind = 'USER'`, [order.userId]);
    return { kind: 'refused', reason: user.length === 0 ? 'UNKNOWN_ACCOUNT' : 'INSUFFICIENT_BALANCE' };
  }
  await updateRows('UPDATE accounts SET balance_cents = balance_cents + $2 WHERE id = $1 RETURNING id', [
    order.merchantId,
    order.amountCents,
  ]);
  await selectRows(
    `INSERT INTO payments (order_id, user_id, merchant_id, amount_cents, created_at_ms)
     VALUES ($1, $2, $3, $4, $5)`,
    [order.orderId, order.userId, order.merchantId, order.amountCents, clock.now()],
  );
  return { kind: 'charged' };
}
