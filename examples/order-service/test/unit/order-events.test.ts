import { NonRetriableError } from '@keel/tx';
import {
  parseOrderCreated,
  parseOrderStatusChanged,
  parsePaymentFailed,
  parsePaymentSucceeded,
} from '../../src/events/order-events';

describe('event parsers', () => {
  it('read well-formed bodies', () => {
    expect(parseOrderCreated({ orderId: 'o', userId: 'u', merchantId: 'm', amountCents: 0 })).toEqual({
      orderId: 'o',
      userId: 'u',
      merchantId: 'm',
      amountCents: 0,
    });
    expect(parsePaymentSucceeded({ orderId: 'o', amountCents: 5 })).toEqual({ orderId: 'o', amountCents: 5 });
    expect(parsePaymentFailed({ orderId: 'o', reason: 'INSUFFICIENT_BALANCE' }).reason).toBe(
      'INSUFFICIENT_BALANCE',
    );
    expect(
      parseOrderStatusChanged({ orderId: 'o', status: 'PAID', userId: 'u', sku: 's', qty: 1 }).status,
    ).toBe('PAID');
  });

  // A body that cannot be read never will be: straight to the dead-letter queue, not 16 retries.
  it.each([
    ['a string body', () => parseOrderCreated('{"orderId":"o"}'), /must be a JSON object/],
    ['a missing field', () => parseOrderCreated({ orderId: 'o', userId: 'u', amountCents: 1 }), /merchantId/],
    ['fractional cents', () => parsePaymentSucceeded({ orderId: 'o', amountCents: 1.5 }), /amountCents/],
    ['negative cents', () => parsePaymentSucceeded({ orderId: 'o', amountCents: -1 }), /amountCents/],
    [
      'an unknown reason',
      () => parsePaymentFailed({ orderId: 'o', reason: 'BROKE' }),
      /reason must be one of/,
    ],
    [
      'a non-terminal status',
      () =>
        parseOrderStatusChanged({ orderId: 'o', status: 'PENDING_PAYMENT', userId: 'u', sku: 's', qty: 1 }),
      /status/,
    ],
  ])('refuse %s with NonRetriableError naming the field', (_name, parse, message) => {
    expect(parse).toThrow(NonRetriableError);
    expect(parse).toThrow(message);
  });
});
