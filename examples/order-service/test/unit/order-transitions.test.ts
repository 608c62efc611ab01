import { decideCompletion, orderAmountCents } from '../../src/order/order-transitions';

describe('decideCompletion', () => {
  it.each([
    ['PENDING_PAYMENT', 'PAID', 'apply'],
    ['PENDING_PAYMENT', 'CANCELLED', 'apply'],
    ['PAID', 'PAID', 'already-done'],
    ['CANCELLED', 'CANCELLED', 'already-done'],
    ['PAID', 'CANCELLED', 'contradiction'],
    ['CANCELLED', 'PAID', 'contradiction'],
  ] as const)('%s + %s → %s', (current, outcome, decision) => {
    expect(decideCompletion(current, outcome)).toBe(decision);
  });
});

describe('orderAmountCents', () => {
  it('is price × quantity less the discount, never negative', () => {
    expect(orderAmountCents(1_200, 3, 0)).toBe(3_600);
    expect(orderAmountCents(1_200, 3, 500)).toBe(3_100);
    expect(orderAmountCents(200, 1, 600)).toBe(0);
  });
});
