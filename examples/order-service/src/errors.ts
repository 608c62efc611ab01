// The example's own errors. Each has a code the HTTP layer maps to a status (400, 404, 409), and a
// message that names the problem and the fix. Code decides by `code`, never by message text.

import { KeelError } from '@keel/broker';

export const ExampleErrorCodes = {
  /** The request is malformed; `field` names the part that is wrong. → 400 */
  INVALID_REQUEST: 'INVALID_REQUEST',
  /** The product, coupon, order or account does not exist. → 404 */
  NOT_FOUND: 'NOT_FOUND',
  /** Not enough stock left for the quantity asked. → 409 */
  OUT_OF_STOCK: 'OUT_OF_STOCK',
  /** The coupon is locked by another order, already used, or someone else's. → 409 */
  COUPON_NOT_AVAILABLE: 'COUPON_NOT_AVAILABLE',
  /** The idempotency key was used before with a different request body. → 409 */
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
  /** Other orders kept changing the product's stock; the same request may succeed now. → 409 */
  STOCK_CONTENTION: 'STOCK_CONTENTION',
} as const;

export type ExampleErrorCode = (typeof ExampleErrorCodes)[keyof typeof ExampleErrorCodes];

export class ExampleError extends KeelError {
  declare readonly code: ExampleErrorCode;
  /** The request field (or header) at fault, when one is. */
  readonly field: string | undefined;

  constructor(
    code: ExampleErrorCode,
    message: string,
    options: { readonly field?: string; readonly retriable?: boolean; readonly cause?: unknown } = {},
  ) {
    super(code, message, { retriable: options.retriable ?? false, cause: options.cause });
    this.field = options.field;
  }
}

export function invalidRequest(field: string, message: string): ExampleError {
  return new ExampleError(ExampleErrorCodes.INVALID_REQUEST, message, { field });
}

export function notFound(field: string, message: string): ExampleError {
  return new ExampleError(ExampleErrorCodes.NOT_FOUND, message, { field });
}

export function isExampleError(error: unknown, code?: ExampleErrorCode): error is ExampleError {
  return error instanceof ExampleError && (code === undefined || error.code === code);
}
