import { isExampleError } from '../../src/errors';
import {
  parseIdempotencyKey,
  parsePlaceOrderRequest,
  requestFingerprint,
} from '../../src/order/place-order-request';

function fieldOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error: unknown) {
    if (isExampleError(error, 'INVALID_REQUEST')) return error.field;
    throw error;
  }
  throw new Error('expected an INVALID_REQUEST error');
}

describe('parsePlaceOrderRequest', () => {
  it('accepts a well-formed request, with and without a coupon', () => {
    expect(parsePlaceOrderRequest({ userId: 'user-1', sku: 'MUG', qty: 2 })).toEqual({
      userId: 'user-1',
      sku: 'MUG',
      qty: 2,
    });
    expect(parsePlaceOrderRequest({ userId: 'u', sku: 'MUG', qty: 1, couponId: 'c-1' })).toEqual({
      userId: 'u',
      sku: 'MUG',
      qty: 1,
      couponId: 'c-1',
    });
  });

  it.each([
    [null, 'body'],
    [[1, 2], 'body'],
    ['text', 'body'],
    [{ sku: 'MUG', qty: 1 }, 'userId'],
    [{ userId: '', sku: 'MUG', qty: 1 }, 'userId'],
    [{ userId: 'a b', sku: 'MUG', qty: 1 }, 'userId'],
    [{ userId: 'u', qty: 1 }, 'sku'],
    [{ userId: 'u', sku: 7, qty: 1 }, 'sku'],
    [{ userId: 'u', sku: 'MUG' }, 'qty'],
    [{ userId: 'u', sku: 'MUG', qty: 0 }, 'qty'],
    [{ userId: 'u', sku: 'MUG', qty: 1.5 }, 'qty'],
    [{ userId: 'u', sku: 'MUG', qty: '2' }, 'qty'],
    [{ userId: 'u', sku: 'MUG', qty: 101 }, 'qty'],
    [{ userId: 'u', sku: 'MUG', qty: 1, couponId: 5 }, 'couponId'],
    [{ userId: 'u', sku: 'MUG', qty: 1, quantity: 1 }, 'quantity'],
  ])('refuses %j naming the field %s', (body, field) => {
    expect(fieldOf(() => parsePlaceOrderRequest(body))).toBe(field);
  });

  it('suggests the field a misspelt one probably meant', () => {
    expect(() => parsePlaceOrderRequest({ userId: 'u', sku: 'MUG', qty: 1, coupon: 'c' })).toThrow(
      /unknown field coupon; did you mean couponId\?/,
    );
  });
});

describe('parseIdempotencyKey', () => {
  it('takes one printable key', () => {
    expect(parseIdempotencyKey('3f2b-1')).toBe('3f2b-1');
  });

  it.each([[undefined], [''], [['a', 'b']], ['has space'], ['x'.repeat(256)]])(
    'refuses %j naming the header',
    (header) => {
      expect(fieldOf(() => parseIdempotencyKey(header))).toBe('Idempotency-Key');
    },
  );
});

describe('requestFingerprint', () => {
  it('is the same for the same request whatever the key order, and differs otherwise', () => {
    const a = requestFingerprint({ userId: 'u', sku: 'MUG', qty: 1 });
    expect(requestFingerprint({ qty: 1, sku: 'MUG', userId: 'u' } as never)).toBe(a);
    expect(requestFingerprint({ userId: 'u', sku: 'MUG', qty: 2 })).not.toBe(a);
    expect(requestFingerprint({ userId: 'u', sku: 'MUG', qty: 1, couponId: 'c' })).not.toBe(a);
  });
});
