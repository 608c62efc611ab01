// What POST /orders accepts, checked field by field. Every rejection names the field and what it
// must be, so a client can fix its request without reading our code.

import { createHash } from 'node:crypto';
import { closestMatch } from '@keel/broker';
import { invalidRequest } from '../errors';

export interface PlaceOrderRequest {
  readonly userId: string;
  readonly sku: string;
  readonly qty: number;
  readonly couponId?: string;
}

export const MAX_QTY = 100;
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const ID_RULE = '1-64 characters of A-Z a-z 0-9 _ -';
const FIELDS = ['userId', 'sku', 'qty', 'couponId'] as const;
// Printable ASCII, as HTTP header values should be; long enough for a UUID or a request hash.
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export function parsePlaceOrderRequest(body: unknown): PlaceOrderRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidRequest('body', 'the body must be a JSON object {userId, sku, qty, couponId?}');
  }
  const record = body as Readonly<Record<string, unknown>>;
  for (const key of Object.keys(record)) {
    if (!(FIELDS as readonly string[]).includes(key)) {
      const suggestion = closestMatch(key, FIELDS);
      throw invalidRequest(
        key,
        `unknown field ${key}` + (suggestion === undefined ? '' : `; did you mean ${suggestion}?`),
      );
    }
  }
  const userId = identifier(record, 'userId');
  const sku = identifier(record, 'sku');
  const qty = record['qty'];
  if (typeof qty !== 'number' || !Number.isInteger(qty) || qty < 1 || qty > MAX_QTY) {
    throw invalidRequest('qty', `qty must be a whole number from 1 to ${MAX_QTY}, got ${show(qty)}`);
  }
  const couponId = record['couponId'] === undefined ? undefined : identifier(record, 'couponId');
  return couponId === undefined ? { userId, sku, qty } : { userId, sku, qty, couponId };
}

export function parseIdempotencyKey(header: string | readonly string[] | undefined): string {
  if (header === undefined || header === '') {
    throw invalidRequest(
      IDEMPOTENCY_KEY_HEADER,
      `the ${IDEMPOTENCY_KEY_HEADER} header is required: send a unique value per order (a UUID) and ` +
        'the same value when you retry, so a retry never places a second order',
    );
  }
  if (typeof header !== 'string') {
    throw invalidRequest(IDEMPOTENCY_KEY_HEADER, `send the ${IDEMPOTENCY_KEY_HEADER} header once, not twice`);
  }
  if (!KEY_PATTERN.test(header)) {
    throw invalidRequest(
      IDEMPOTENCY_KEY_HEADER,
      `the ${IDEMPOTENCY_KEY_HEADER} header must be 1-255 printable ASCII characters without spaces`,
    );
  }
  return header;
}

/** Identical requests hash alike whatever the key order of their JSON. */
export function requestFingerprint(request: PlaceOrderRequest): string {
  const canonical = JSON.stringify([request.userId, request.sku, request.qty, request.couponId ?? null]);
  return createHash('sha256').update(canonical).digest('hex');
}

function identifier(record: Readonly<Record<string, unknown>>, field: string): string {
  const value = record[field];
  if (value === undefined) throw invalidRequest(field, `${field} is missing; it must be ${ID_RULE}`);
  if (typeof value !== 'string' || !ID_PATTERN.test(value)) {
    throw invalidRequest(field, `${field} must be ${ID_RULE}, got ${show(value)}`);
  }
  return value;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
