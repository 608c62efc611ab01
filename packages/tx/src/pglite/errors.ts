// Errors of the PGlite pool. Callers decide by `code`; none is retriable, because each one means
// the pool is being used in a way that repeating the call cannot fix.

import { KeelError } from '@keel/broker';

export const PGliteErrorCodes = {
  /** `connect` or `query` after `end`. */
  POOL_ENDED: 'PGLITE_POOL_ENDED',
  /** A query on a client whose lease was released: it would run inside someone else's lease. */
  LEASE_RELEASED: 'PGLITE_LEASE_RELEASED',
  /** A query shape node-postgres accepts but this pool does not (streams, cursors, array rows). */
  UNSUPPORTED_QUERY: 'PGLITE_UNSUPPORTED_QUERY',
} as const;

export type PGliteErrorCode = (typeof PGliteErrorCodes)[keyof typeof PGliteErrorCodes];

export class PGlitePoolError extends KeelError {
  declare readonly code: PGliteErrorCode;

  constructor(code: PGliteErrorCode, message: string, options: { readonly cause?: unknown } = {}) {
    super(code, message, { retriable: false, cause: options.cause });
  }
}
