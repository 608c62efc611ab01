// The inbox key of a delivery for each idempotencyKey source, and the non-retriable errors for keys
// that cannot be had.

import type { MessageExt } from '@keel/broker/client';
import { NonRetriableError, type Delivered } from '@keel/tx';
import { inboxKeyOf } from '../../src/handlers/inbox-key';

function delivered(overrides: Partial<Delivered<{ orderId: string }>> = {}): Delivered<{ orderId: string }> {
  return {
    body: { orderId: 'o-1' },
    msgId: 'AC1100010000000000000000000000A1',
    topic: 'orders',
    tag: undefined,
    keys: ['order-1', 'customer-9'],
    headers: {},
    reconsumeTimes: 0,
    bornTimestamp: 0,
    raw: { offsetMsgId: '7F00000100002A9F0000000000000100' } as MessageExt,
    ...overrides,
  };
}

describe('inboxKeyOf', () => {
  it('uses the message id, the first key, the stored record, or the function', () => {
    expect(inboxKeyOf('messageId', delivered(), 'H.m')).toBe('AC1100010000000000000000000000A1');
    expect(inboxKeyOf('key', delivered(), 'H.m')).toBe('order-1');
    expect(inboxKeyOf('offsetMsgId', delivered(), 'H.m')).toBe('7F00000100002A9F0000000000000100');
    expect(
      inboxKeyOf((m: Delivered<{ orderId: string }>) => `pay:${m.body.orderId}`, delivered(), 'H.m'),
    ).toBe('pay:o-1');
  });

  it.each([
    [
      "'key' without keys",
      'key' as const,
      delivered({ keys: [] }),
      /H\.m dedupes by idempotencyKey 'key' but message .* has no key/,
    ],
    [
      'a function that throws',
      () => {
        throw new Error('no order id');
      },
      delivered(),
      /H\.m: its idempotencyKey function threw/,
    ],
    [
      'a function returning a number',
      () => 42,
      delivered(),
      /must be a string of 1 to 255 characters, got number/,
    ],
    ['a key too long', () => 'k'.repeat(256), delivered(), /got 256 characters/],
  ])('refuses %s as a NonRetriableError', (_name, source, message, pattern) => {
    const call = () => inboxKeyOf(source as never, message, 'H.m');
    expect(call).toThrow(NonRetriableError);
    expect(call).toThrow(pattern);
  });
});
