import { checkInvariants, type ClientObservations } from '../../src/scenario/invariants';
import type { ScenarioPlan } from '../../src/scenario/scenario-plan';
import type { OrderRecord, Snapshot } from '../../src/scenario/snapshot';

// A tiny world after a run: two users, one merchant, one product; order A paid with a coupon,
// order B cancelled (its coupon released, its stock returned).
const plan: ScenarioPlan = {
  seed: 1,
  accounts: [
    { id: 'u1', kind: 'USER', balanceCents: 10_000 },
    { id: 'u2', kind: 'USER', balanceCents: 100 },
    { id: 'm', kind: 'MERCHANT', balanceCents: 0 },
  ],
  products: [{ sku: 'MUG', name: 'Mug', priceCents: 1_000, merchantId: 'm', stock: 10 }],
  coupons: [
    { id: 'c1', userId: 'u1', discountCents: 300 },
    { id: 'c2', userId: 'u2', discountCents: 300 },
  ],
  requests: [],
};

const order = (id: string, fields: Partial<OrderRecord>): OrderRecord => ({
  id,
  status: 'PAID',
  userId: 'u1',
  merchantId: 'm',
  sku: 'MUG',
  qty: 2,
  couponId: null,
  amountCents: 2_000,
  createdAtMs: 0,
  completedAtMs: 10,
  ...fields,
});

const consistent: Snapshot = {
  orders: [
    order('A', { couponId: 'c1', amountCents: 1_700 }),
    order('B', { status: 'CANCELLED', userId: 'u2', couponId: 'c2', qty: 1, amountCents: 700 }),
  ],
  products: [{ sku: 'MUG', available: 8, sold: 2 }],
  coupons: [
    { id: 'c1', status: 'USED', lockedByOrderId: 'A' },
    { id: 'c2', status: 'AVAILABLE', lockedByOrderId: null },
  ],
  shipments: [{ orderId: 'A' }],
  accounts: [
    { id: 'u1', balanceCents: 8_300 },
    { id: 'u2', balanceCents: 100 },
    { id: 'm', balanceCents: 1_700 },
  ],
  payments: [{ orderId: 'A', userId: 'u1', merchantId: 'm', amountCents: 1_700 }],
};

const client: ClientObservations = {
  accepted: new Map([
    ['k1', 'A'],
    ['k2', 'B'],
  ]),
  repeated: [{ key: 'k1', orderIds: ['A', 'A'] }],
  reusedKeys: [{ key: 'k2', code: 'IDEMPOTENCY_KEY_REUSED' }],
  unanswered: [],
};

function failing(snapshot: Snapshot, observations: ClientObservations = client): string[] {
  return checkInvariants(plan, snapshot, observations)
    .filter((verdict) => !verdict.holds)
    .map((verdict) => verdict.name);
}

describe('checkInvariants', () => {
  it('finds a consistent outcome consistent', () => {
    const verdicts = checkInvariants(plan, consistent, client);
    expect(verdicts.filter((verdict) => !verdict.holds)).toEqual([]);
    expect(verdicts).toHaveLength(8);
  });

  // Each broken world must fail its own invariant (and the test says which).
  it.each<[string, Partial<Snapshot>, RegExp]>([
    [
      'an order left pending',
      {
        orders: [
          consistent.orders[0]!,
          order('B', { status: 'PENDING_PAYMENT', userId: 'u2', couponId: 'c2', qty: 1 }),
        ],
        coupons: [consistent.coupons[0]!, { id: 'c2', status: 'LOCKED', lockedByOrderId: 'B' }],
        products: [{ sku: 'MUG', available: 7, sold: 3 }],
      },
      /every order terminal/,
    ],
    [
      'money created',
      {
        accounts: [
          { id: 'u1', balanceCents: 8_300 },
          { id: 'u2', balanceCents: 100 },
          { id: 'm', balanceCents: 1_800 },
        ],
      },
      /money conserved/,
    ],
    [
      'money moved without a payment',
      {
        accounts: [
          { id: 'u1', balanceCents: 8_200 },
          { id: 'u2', balanceCents: 100 },
          { id: 'm', balanceCents: 1_800 },
        ],
      },
      /money conserved/,
    ],
    ['stock lost', { products: [{ sku: 'MUG', available: 7, sold: 2 }] }, /stock conserved/],
    [
      'stock not released by a cancellation',
      { products: [{ sku: 'MUG', available: 7, sold: 3 }] },
      /stock conserved/,
    ],
    [
      'a cancelled order charged',
      { payments: [...consistent.payments, { orderId: 'B', userId: 'u2', merchantId: 'm', amountCents: 0 }] },
      /one payment per paid order/,
    ],
    [
      'a paid order not charged',
      {
        payments: [],
        accounts: [
          { id: 'u1', balanceCents: 10_000 },
          { id: 'u2', balanceCents: 100 },
          { id: 'm', balanceCents: 0 },
        ],
      },
      /one payment per paid order/,
    ],
    [
      'a charge of the wrong amount',
      {
        payments: [{ orderId: 'A', userId: 'u1', merchantId: 'm', amountCents: 2_000 }],
        accounts: [
          { id: 'u1', balanceCents: 8_000 },
          { id: 'u2', balanceCents: 100 },
          { id: 'm', balanceCents: 2_000 },
        ],
      },
      /one payment per paid order/,
    ],
    [
      'a coupon left locked',
      { coupons: [consistent.coupons[0]!, { id: 'c2', status: 'LOCKED', lockedByOrderId: 'B' }] },
      /coupons consistent/,
    ],
    [
      'a paid order whose coupon is not used',
      { coupons: [{ id: 'c1', status: 'AVAILABLE', lockedByOrderId: null }, consistent.coupons[1]!] },
      /coupons consistent/,
    ],
    [
      'a cancelled order shipped',
      { shipments: [{ orderId: 'A' }, { orderId: 'B' }] },
      /one shipment per paid order/,
    ],
    [
      'a paid order shipped twice',
      { shipments: [{ orderId: 'A' }, { orderId: 'A' }] },
      /one shipment per paid order/,
    ],
    ['a paid order not shipped', { shipments: [] }, /one shipment per paid order/],
  ])('fails on %s', (_name, change, name) => {
    const broken = failing({ ...consistent, ...change });
    expect(broken.length).toBeGreaterThan(0);
    expect(broken.some((verdict) => name.test(verdict))).toBe(true);
  });

  it.each<[string, Partial<ClientObservations>, RegExp]>([
    [
      'a retry that got a second order',
      { repeated: [{ key: 'k1', orderIds: ['A', 'B'] }] },
      /one order per idempotency key/,
    ],
    [
      'a reused key that got an order',
      { reusedKeys: [{ key: 'k2', code: undefined }] },
      /one order per idempotency key/,
    ],
    [
      'an order no request was answered with',
      { accepted: new Map([['k1', 'A']]) },
      /one order per idempotency key/,
    ],
    ['a request never answered', { unanswered: ['k3: no answer'] }, /every request answered/],
  ])('fails on %s', (_name, change, name) => {
    const broken = failing(consistent, { ...client, ...change });
    expect(broken).toHaveLength(1);
    expect(broken[0]).toMatch(name);
  });
});
