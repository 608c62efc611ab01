// What must hold after a run, whatever faults were injected, checked from the databases' final
// state (and, for idempotency, from what the client saw). Pure: a snapshot in, verdicts out.

import type { ScenarioPlan } from './scenario-plan';
import type { OrderRecord, Snapshot } from './snapshot';

export interface Verdict {
  readonly name: string;
  readonly holds: boolean;
  /** The evidence when it holds, the first offenders when it does not. */
  readonly detail: string;
}

/** What the client saw: which order each idempotency key got, and how repeats were answered. */
export interface ClientObservations {
  /** Key → the order id its request got (201 or 200). */
  readonly accepted: ReadonlyMap<string, string>;
  /** Keys sent more than once with the same body, and the order id each copy got. */
  readonly repeated: ReadonlyArray<{ readonly key: string; readonly orderIds: readonly string[] }>;
  /** Keys sent again with a different body, and the error code each got (409 expected). */
  readonly reusedKeys: ReadonlyArray<{ readonly key: string; readonly code: string | undefined }>;
  /** Requests that got no answer (201, 200 or an error) within the client's retry budget. */
  readonly unanswered: readonly string[];
}

// Enough offenders to debug from, few enough to read.
const SHOWN = 3;

export function checkInvariants(
  plan: ScenarioPlan,
  snapshot: Snapshot,
  client: ClientObservations,
): Verdict[] {
  return [
    verdict(
      'every request answered',
      client.unanswered,
      `${client.accepted.size} orders placed, the other requests refused with a reason`,
    ),
    everyOrderTerminal(snapshot),
    moneyConserved(plan, snapshot),
    stockConserved(plan, snapshot),
    onePaymentPerPaidOrder(snapshot),
    couponsConsistent(snapshot),
    oneShipmentPerPaidOrder(snapshot),
    requestsIdempotent(snapshot, client),
  ];
}

function everyOrderTerminal(snapshot: Snapshot): Verdict {
  const pending = snapshot.orders.filter((order) => order.status === 'PENDING_PAYMENT');
  return verdict(
    'every order terminal (PAID or CANCELLED)',
    pending.map((order) => `${order.id} is still PENDING_PAYMENT`),
    `${snapshot.orders.length} orders, none pending`,
  );
}

function moneyConserved(plan: ScenarioPlan, snapshot: Snapshot): Verdict {
  const initialTotal = sum(plan.accounts.map((account) => account.balanceCents));
  const finalTotal = sum(snapshot.accounts.map((account) => account.balanceCents));
  const problems: string[] = [];
  if (finalTotal !== initialTotal) {
    problems.push(`balances add up to ${cents(finalTotal)}, started at ${cents(initialTotal)}`);
  }
  // Stronger than the total: each account moved by exactly its payments.
  const expected = new Map(plan.accounts.map((account) => [account.id, account.balanceCents]));
  for (const payment of snapshot.payments) {
    expected.set(payment.userId, (expected.get(payment.userId) ?? 0) - payment.amountCents);
    expected.set(payment.merchantId, (expected.get(payment.merchantId) ?? 0) + payment.amountCents);
  }
  for (const account of snapshot.accounts) {
    const should = expected.get(account.id);
    if (should !== account.balanceCents) {
      problems.push(
        `${account.id} holds ${cents(account.balanceCents)}, its payments say ${cents(should ?? 0)}`,
      );
    }
  }
  return verdict(
    'money conserved (every balance = start ± its payments)',
    problems,
    `${cents(finalTotal)} across ${snapshot.accounts.length} accounts, as at the start`,
  );
}

function stockConserved(plan: ScenarioPlan, snapshot: Snapshot): Verdict {
  const problems: string[] = [];
  for (const planned of plan.products) {
    const product = snapshot.products.find((candidate) => candidate.sku === planned.sku);
    if (product === undefined) {
      problems.push(`product ${planned.sku} is missing`);
      continue;
    }
    if (product.available + product.sold !== planned.stock) {
      problems.push(
        `${planned.sku}: available ${product.available} + sold ${product.sold} ≠ initial ${planned.stock}`,
      );
    }
    // Sold counts the orders holding stock: the paid ones, and any still pending.
    const held = sum(
      snapshot.orders
        .filter((order) => order.sku === planned.sku && order.status !== 'CANCELLED')
        .map((order) => order.qty),
    );
    if (held !== product.sold) problems.push(`${planned.sku}: sold ${product.sold}, but orders hold ${held}`);
  }
  const sold = sum(snapshot.products.map((product) => product.sold));
  return verdict(
    'stock conserved (available + sold = initial; sold = paid quantities)',
    problems,
    `${plan.products.length} products, ${sold} units sold`,
  );
}

function onePaymentPerPaidOrder(snapshot: Snapshot): Verdict {
  const orders = new Map(snapshot.orders.map((order) => [order.id, order]));
  const payments = countBy(snapshot.payments.map((payment) => payment.orderId));
  const problems: string[] = [];
  for (const [orderId, count] of payments) {
    const order = orders.get(orderId);
    if (count > 1) problems.push(`order ${orderId} has ${count} payments`);
    if (order === undefined) problems.push(`payment for unknown order ${orderId}`);
    else if (order.status !== 'PAID') problems.push(`order ${orderId} is ${order.status} but was charged`);
  }
  for (const payment of snapshot.payments) {
    const order = orders.get(payment.orderId);
    if (order !== undefined && order.amountCents !== payment.amountCents) {
      problems.push(
        `order ${order.id} costs ${cents(order.amountCents)}, was charged ${cents(payment.amountCents)}`,
      );
    }
  }
  const paid = paidOrders(snapshot);
  for (const order of paid) {
    if (!payments.has(order.id)) problems.push(`order ${order.id} is PAID with no payment`);
  }
  return verdict(
    'exactly one payment per paid order, none for cancelled ones',
    problems,
    `${snapshot.payments.length} payments for ${paid.length} paid orders`,
  );
}

function couponsConsistent(snapshot: Snapshot): Verdict {
  const orders = new Map(snapshot.orders.map((order) => [order.id, order]));
  const problems: string[] = [];
  for (const coupon of snapshot.coupons) {
    const holder = coupon.lockedByOrderId === null ? undefined : orders.get(coupon.lockedByOrderId);
    switch (coupon.status) {
      case 'USED':
        if (holder?.status !== 'PAID' || holder.couponId !== coupon.id) {
          problems.push(`coupon ${coupon.id} is USED but not by a PAID order with it`);
        }
        break;
      case 'LOCKED':
        if (holder?.status !== 'PENDING_PAYMENT') {
          problems.push(`coupon ${coupon.id} is LOCKED by ${holder?.status ?? 'no'} order`);
        }
        break;
      case 'AVAILABLE':
        if (coupon.lockedByOrderId !== null) problems.push(`coupon ${coupon.id} is AVAILABLE yet held`);
        break;
    }
  }
  const coupons = new Map(snapshot.coupons.map((coupon) => [coupon.id, coupon]));
  for (const order of paidOrders(snapshot)) {
    if (order.couponId === null) continue;
    const coupon = coupons.get(order.couponId);
    if (coupon?.status !== 'USED' || coupon.lockedByOrderId !== order.id) {
      problems.push(`order ${order.id} is PAID but its coupon ${order.couponId} is not USED by it`);
    }
  }
  const used = snapshot.coupons.filter((coupon) => coupon.status === 'USED').length;
  const locked = snapshot.coupons.filter((coupon) => coupon.status === 'LOCKED').length;
  return verdict(
    'coupons consistent (USED ⇔ a PAID order; none left LOCKED)',
    problems,
    `${used} used, ${locked} locked, ${snapshot.coupons.length - used - locked} available`,
  );
}

function oneShipmentPerPaidOrder(snapshot: Snapshot): Verdict {
  const orders = new Map(snapshot.orders.map((order) => [order.id, order]));
  const shipments = countBy(snapshot.shipments.map((shipment) => shipment.orderId));
  const problems: string[] = [];
  for (const [orderId, count] of shipments) {
    if (count > 1) problems.push(`order ${orderId} has ${count} shipments`);
    const status = orders.get(orderId)?.status;
    if (status !== 'PAID') problems.push(`order ${orderId} was shipped but is ${status ?? 'unknown'}`);
  }
  const paid = paidOrders(snapshot);
  for (const order of paid) {
    if (!shipments.has(order.id)) problems.push(`order ${order.id} is PAID and not shipped`);
  }
  return verdict('one shipment per paid order', problems, `${snapshot.shipments.length} shipments`);
}

function requestsIdempotent(snapshot: Snapshot, client: ClientObservations): Verdict {
  const problems: string[] = [];
  const known = new Set(snapshot.orders.map((order) => order.id));
  for (const { key, orderIds } of client.repeated) {
    if (new Set(orderIds).size > 1)
      problems.push(`key ${key} got orders ${[...new Set(orderIds)].join(', ')}`);
  }
  for (const { key, code } of client.reusedKeys) {
    if (code !== 'IDEMPOTENCY_KEY_REUSED')
      problems.push(`key ${key} reused for another order got ${code ?? 'an order'}`);
  }
  for (const [key, orderId] of client.accepted) {
    if (!known.has(orderId)) problems.push(`key ${key} got order ${orderId}, which does not exist`);
  }
  const acceptedIds = new Set(client.accepted.values());
  for (const order of snapshot.orders) {
    if (!acceptedIds.has(order.id))
      problems.push(`order ${order.id} exists but no request was answered with it`);
  }
  return verdict(
    'one order per idempotency key (retries and duplicates got the same order)',
    problems,
    `${client.accepted.size} keys → ${snapshot.orders.length} orders; ${client.repeated.length} repeated ` +
      `requests got their first answer's order; ${client.reusedKeys.length} reused keys refused`,
  );
}

function verdict(name: string, problems: readonly string[], evidence: string): Verdict {
  if (problems.length === 0) return { name, holds: true, detail: evidence };
  const shown = problems.slice(0, SHOWN).join('; ');
  const more = problems.length > SHOWN ? ` (and ${problems.length - SHOWN} more)` : '';
  return { name, holds: false, detail: shown + more };
}

function paidOrders(snapshot: Snapshot): OrderRecord[] {
  return snapshot.orders.filter((order) => order.status === 'PAID');
}

function countBy(values: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

export function cents(amount: number): string {
  const sign = amount < 0 ? '-' : '';
  const absolute = Math.abs(amount);
  return `${sign}$${Math.floor(absolute / 100).toLocaleString('en-US')}.${String(absolute % 100).padStart(2, '0')}`;
}
