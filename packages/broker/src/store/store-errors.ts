import { KeelError } from '../common/errors';

/** Codes of the store's errors. */
export const StoreErrorCodes = {
  CORRUPTION: 'STORE_CORRUPTION',
  MESSAGE_TOO_LARGE: 'MESSAGE_TOO_LARGE',
  PROPERTIES_TOO_LARGE: 'PROPERTIES_TOO_LARGE',
  TOPIC_INVALID: 'TOPIC_INVALID',
  PROPERTIES_INVALID: 'PROPERTIES_INVALID',
  NOT_WRITABLE: 'STORE_NOT_WRITABLE',
  CLOSED: 'STORE_CLOSED',
  LOCKED: 'STORE_LOCKED',
} as const;

/** The files of a store do not match what the store expects (format, sizes, settings). */
export class StoreCorruptionError extends KeelError {
  constructor(message: string, options: { readonly cause?: unknown } = {}) {
    super(StoreErrorCodes.CORRUPTION, message, { retriable: false, cause: options.cause });
  }
}
