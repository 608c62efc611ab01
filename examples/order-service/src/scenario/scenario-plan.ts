// What a scenario run does, decided up front from a seed: the users, merchants, products and
// coupons it starts with, and every request it will send. Pure data, so the plan can be tested and
// a run repeated exactly.
//
// The mix is chosen to exercise every path: a few users with too little money (their orders are
// CANCELLED and compensated), a product with little stock (some requests get 409 OUT_OF_STOCK),
// coupons on some orders, and, with faults on, client retries of the same request (the same order
// comes back), two copies of a request at once (one order), and a key reused for another order (409).

import type { PlaceOrderRequest } from '../order/place-order-request';
import { SeededRandom } from './random';

export interface PlannedAccount {
  readonly id: string;
  readonly kind: 'USER' | 'MERCHANT';
  readonly balanceCents: number;
}

export interface PlannedProduct {
  readonly sku: string;
  readonly name: string;
  readonly priceCents: number;
  readonly merchantId: string;
  readonly stock: number;
}

export interface PlannedCoupon {
  readonly id: string;
  readonly userId: string;
  readonly discountCents: number;
}

/** How the client sends a request: once, again after the answer, or twice at the same time. */
export type Delivery = 'once' | 'retry-after-answer' | 'two-at-once';

export interface PlannedRequest {
  readonly key: string;
  readonly body: PlaceOrderRequest;
  readonly delivery: Delivery;
  /** Also send this key with another body afterwards, which must be refused (409). */
  readonly reuseKeyWithOtherBody: boolean;
}

export interface ScenarioPlan {
  readonly seed: number;
  readonly accounts: readonly PlannedAccount[];
  readonly products: readonly PlannedProduct[];
  readonly coupons: readonly PlannedCoupon[];
  readonly requests: readonly PlannedRequest[];
}

export interface PlanOptions {
  readonly orders: number;
  readonly users: number;
  readonly seed: number;
  /** Client-side faults: retried and doubled requests, reused keys. */
  readonly clientFaults: boolean;
}

const RICH_BALANCE_CENTS = 500_000;
const POOR_BALANCE_CENTS = 2_000;
// One user in ten has too little money for most orders.
const POOR_USER_EVERY = 10;
const COUPONS_PER_USER = 2;
const COUPON_SHARE = 0.15;
const LIMITED_STOCK = 40;

export function planScenario(options: PlanOptions): ScenarioPlan {
  const random = new SeededRandom(options.seed);
  const users: PlannedAccount[] = Array.from({ length: options.users }, (_, index) => ({
    id: userId(index + 1),
    kind: 'USER',
    balanceCents: (index + 1) % POOR_USER_EVERY === 0 ? POOR_BALANCE_CENTS : RICH_BALANCE_CENTS,
  }));
  const merchants: PlannedAccount[] = [
    { id: 'merchant-keel-store', kind: 'MERCHANT', balanceCents: 0 },
    { id: 'merchant-harbour-goods', kind: 'MERCHANT', balanceCents: 0 },
  ];
  // Plenty of the everyday products, so only the limited one runs out.
  const plenty = options.orders * 3;
  const everyday: PlannedProduct[] = [
    { sku: 'MUG', name: 'Keel mug', priceCents: 1_200, merchantId: 'merchant-keel-store', stock: plenty },
    {
      sku: 'TEE',
      name: 'Keel T-shirt',
      priceCents: 2_500,
      merchantId: 'merchant-harbour-goods',
      stock: plenty,
    },
    {
      sku: 'HOODIE',
      name: 'Keel hoodie',
      priceCents: 5_500,
      merchantId: 'merchant-harbour-goods',
      stock: plenty,
    },
  ];
  const limited: PlannedProduct = {
    sku: 'LIMITED',
    name: 'Signed print',
    priceCents: 9_000,
    merchantId: 'merchant-keel-store',
    stock: LIMITED_STOCK,
  };
  const coupons: PlannedCoupon[] = users.flatMap((user, userIndex) =>
    Array.from({ length: COUPONS_PER_USER }, (_, index) => ({
      id: `coupon-${userIndex + 1}-${index + 1}`,
      userId: user.id,
      discountCents: (index + 1) * 300,
    })),
  );

  const unusedCoupons = new Map(users.map((user) => [user.id, coupons.filter((c) => c.userId === user.id)]));
  const requests: PlannedRequest[] = [];
  for (let index = 0; index < options.orders; index += 1) {
    const user = random.pick(users);
    const product = random.chance(0.08) ? limited : random.pick(everyday);
    const body: PlaceOrderRequest = { userId: user.id, sku: product.sku, qty: random.integer(1, 3) };
    const own = unusedCoupons.get(user.id) ?? [];
    const withCoupon = random.chance(COUPON_SHARE) && own.length > 0 ? own.shift() : undefined;
    requests.push({
      key: `order-${options.seed}-${index + 1}`,
      body: withCoupon === undefined ? body : { ...body, couponId: withCoupon.id },
      delivery: options.clientFaults ? chooseDelivery(random) : 'once',
      reuseKeyWithOtherBody: options.clientFaults && random.chance(0.005),
    });
  }
  return {
    seed: options.seed,
    accounts: [...users, ...merchants],
    products: [...everyday, limited],
    coupons,
    requests,
  };
}

function chooseDelivery(random: SeededRandom): Delivery {
  const roll = random.next();
  if (roll < 0.05) return 'retry-after-answer';
  if (roll < 0.07) return 'two-at-once';
  return 'once';
}

function userId(n: number): string {
  return `user-${String(n).padStart(3, '0')}`;
}
