// How errors become HTTP answers: one table from error code to status, and one JSON shape,
//   { "error": { "code": "OUT_OF_STOCK", "message": "...", "field": "qty" } }
// Unexpected errors are 500 with no detail (the detail goes to the log, not to the client).

import { isRetriable } from '@keel/broker';
import { ExampleError, ExampleErrorCodes, type ExampleErrorCode } from '../errors';

export interface ApiErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly field?: string };
}

export interface ApiErrorAnswer {
  readonly status: number;
  readonly body: ApiErrorBody;
  /** True for 500s: the caller logs the error with its stack. */
  readonly unexpected: boolean;
  readonly retryAfterSeconds?: number;
}

const STATUS_BY_CODE: Readonly<Record<ExampleErrorCode, number>> = {
  [ExampleErrorCodes.INVALID_REQUEST]: 400,
  [ExampleErrorCodes.NOT_FOUND]: 404,
  [ExampleErrorCodes.OUT_OF_STOCK]: 409,
  [ExampleErrorCodes.COUPON_NOT_AVAILABLE]: 409,
  [ExampleErrorCodes.IDEMPOTENCY_KEY_REUSED]: 409,
  [ExampleErrorCodes.STOCK_CONTENTION]: 409,
};

// A transaction that lost its barrier row to a check-back did nothing; a new attempt gets a new id.
// A half message the broker stored without making it durable: the transaction rolled back, and
// running it again is the documented answer.
const TRANSIENT_TX_CODES: readonly string[] = ['TX_BARRIER_CONFLICT', 'TX_HALF_NOT_DURABLE'];

export function answerForError(error: unknown): ApiErrorAnswer {
  if (error instanceof ExampleError) {
    const field = error.field === undefined ? {} : { field: error.field };
    return {
      status: STATUS_BY_CODE[error.code],
      body: { error: { code: error.code, message: error.message, ...field } },
      unexpected: false,
    };
  }
  if (isRetriable(error) || TRANSIENT_TX_CODES.includes(codeOf(error) ?? '')) {
    return {
      status: 503,
      body: {
        error: {
          code: 'UNAVAILABLE',
          message:
            'the order could not be placed right now (the broker or database did not answer); ' +
            'send the same request with the same Idempotency-Key again',
        },
      },
      unexpected: false,
      retryAfterSeconds: 1,
    };
  }
  return {
    status: 500,
    body: { error: { code: 'INTERNAL', message: 'internal error; see the service log' } },
    unexpected: true,
  };
}

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code } = error as { code?: unknown };
  return typeof code === 'string' ? code : undefined;
}
