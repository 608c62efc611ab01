// The order's state machine as a table:
//
//   PENDING_PAYMENT ──payment-succeeded──▶ PAID        (coupon USED, status event PAID)
//          └────────payment-failed──────▶ CANCELLED    (stock and coupon released, event CANCELLED)
//
// PAID and CANCELLED are final. The same outcome arriving twice is a duplicate to acknowledge; the
// other outcome arriving for a finished order would mean the payment service answered twice
// differently, which no retry can fix.

import type { TerminalStatus } from '../events/order-events';
import type { OrderStatus } from './order';

const TRANSITIONS: Readonly<Record<OrderStatus, readonly TerminalStatus[]>> = {
  PENDING_PAYMENT: ['PAID', 'CANCELLED'],
  PAID: [],
  CANCELLED: [],
};

export type CompletionDecision = 'apply' | 'already-done' | 'contradiction';

export function decideCompletion(current: OrderStatus, outcome: TerminalStatus): CompletionDecision {
  if (TRANSITIONS[current].includes(outcome)) return 'apply';
  return current === outcome ? 'already-done' : 'contradiction';
}

/** What the user pays: price × quantity less the coupon, never below zero. */
export function orderAmountCents(priceCents: number, qty: number, discountCents: number): number {
  return Math.max(0, priceCents * qty - discountCents);
}
