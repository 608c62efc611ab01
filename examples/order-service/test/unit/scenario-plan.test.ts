import { planScenario } from '../../src/scenario/scenario-plan';

describe('planScenario', () => {
  const options = { orders: 1_000, users: 50, seed: 7, clientFaults: true };

  it('is the same plan for the same seed, another for another seed', () => {
    expect(planScenario(options)).toEqual(planScenario(options));
    expect(planScenario({ ...options, seed: 8 }).requests).not.toEqual(planScenario(options).requests);
  });

  it('gives every request its own key, and each coupon to at most one request', () => {
    const plan = planScenario(options);
    expect(plan.requests).toHaveLength(1_000);
    expect(new Set(plan.requests.map((request) => request.key)).size).toBe(1_000);
    const coupons = plan.requests.flatMap((request) => request.body.couponId ?? []);
    expect(coupons.length).toBeGreaterThan(50);
    expect(new Set(coupons).size).toBe(coupons.length);
  });

  it('mixes in what each path needs: poor users, scarce stock, client retries and reused keys', () => {
    const plan = planScenario(options);
    const poor = plan.accounts.filter((account) => account.kind === 'USER' && account.balanceCents < 5_000);
    expect(poor).toHaveLength(5);
    const limited = plan.products.find((product) => product.sku === 'LIMITED');
    const limitedAsked = plan.requests
      .filter((request) => request.body.sku === 'LIMITED')
      .reduce((total, request) => total + request.body.qty, 0);
    expect(limitedAsked).toBeGreaterThan(limited?.stock ?? Infinity);
    const deliveries = new Set(plan.requests.map((request) => request.delivery));
    expect(deliveries).toEqual(new Set(['once', 'retry-after-answer', 'two-at-once']));
    expect(plan.requests.some((request) => request.reuseKeyWithOtherBody)).toBe(true);
  });

  it('sends every request once without client faults', () => {
    const plan = planScenario({ ...options, clientFaults: false });
    expect(
      plan.requests.every((request) => request.delivery === 'once' && !request.reuseKeyWithOtherBody),
    ).toBe(true);
  });
});
