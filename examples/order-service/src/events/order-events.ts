// The bodies of the events, and their parsers. A body comes off the wire, so it is checked field by
// field before a handler acts on it; one that does not parse can never be handled, so the parser
// throws NonRetriableError and the message goes straight to the dead-letter queue instead of being
// retried sixteen times.

import { NonRetriableError } from '@keel/tx';

export interface OrderCreated {
  readonly orderId: string;
  readonly userId: string;
  readonly merchantId: string;
  readonly amountCents: number;
}

export interface PaymentSucceeded {
  readonly orderId: string;
  readonly amountCents: number;
}

export const PaymentFailureReasons = ['INSUFFICIENT_BALANCE', 'UNKNOWN_ACCOUNT'] as const;
export type PaymentFailureReason = (typeof PaymentFailureReasons)[number];

export interface PaymentFailed {
  readonly orderId: string;
  readonly reason: PaymentFailureReason;
}

export const TerminalStatuses = ['PAID', 'CANCELLED'] as const;
export type TerminalStatus = (typeof TerminalStatuses)[number];

export interface OrderStatusChanged {
  readonly orderId: string;
  readonly status: TerminalStatus;
  readonly userId: string;
  readonly sku: string;
  readonly qty: number;
}

export function parseOrderCreated(body: unknown): OrderCreated {
  const fields = new EventFields('order-created', body);
  return {
    orderId: fields.text('orderId'),
    userId: fields.text('userId'),
    merchantId: fields.text('merchantId'),
    amountCents: fields.cents('amountCents'),
  };
}

export function parsePaymentSucceeded(body: unknown): PaymentSucceeded {
  const fields = new EventFields('payment-succeeded', body);
  return { orderId: fields.text('orderId'), amountCents: fields.cents('amountCents') };
}

export function parsePaymentFailed(body: unknown): PaymentFailed {
  const fields = new EventFields('payment-failed', body);
  return { orderId: fields.text('orderId'), reason: fields.oneOf('reason', PaymentFailureReasons) };
}

export function parseOrderStatusChanged(body: unknown): OrderStatusChanged {
  const fields = new EventFields('order-status', body);
  return {
    orderId: fields.text('orderId'),
    status: fields.oneOf('status', TerminalStatuses),
    userId: fields.text('userId'),
    sku: fields.text('sku'),
    qty: fields.positiveInteger('qty'),
  };
}

/** Reads the fields of one event body; every failure names the event and the field. */
class EventFields {
  readonly #event: string;
  readonly #record: Readonly<Record<string, unknown>>;

  constructor(event: string, body: unknown) {
    this.#event = event;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new NonRetriableError(`${event} event body must be a JSON object, got ${describe(body)}`);
    }
    this.#record = body as Readonly<Record<string, unknown>>;
  }

  text(name: string): string {
    const value = this.#record[name];
    if (typeof value !== 'string' || value === '') this.#fail(name, 'a non-empty string', value);
    return value;
  }

  cents(name: string): number {
    const value = this.#record[name];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      this.#fail(name, 'a whole number of cents ≥ 0', value);
    }
    return value;
  }

  positiveInteger(name: string): number {
    const value = this.#record[name];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
      this.#fail(name, 'a whole number ≥ 1', value);
    }
    return value;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T {
    const value = this.#record[name];
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      this.#fail(name, `one of ${allowed.join(', ')}`, value);
    }
    return value as T;
  }

  #fail(name: string, expected: string, value: unknown): never {
    throw new NonRetriableError(`${this.#event} event: ${name} must be ${expected}, got ${describe(value)}`);
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  return JSON.stringify(value) ?? String(value);
}
