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
  /** Replication: bytes from the master that are not whole, valid records at their own offsets. */
  REPLICA_DATA_INVALID: 'STORE_REPLICA_DATA_INVALID',
  /** Replication: data that does not continue the log (it starts past the end). */
  REPLICA_GAP: 'STORE_REPLICA_GAP',
  /** A slave's store: only replication writes to it. */
  READ_ONLY: 'STORE_READ_ONLY',
} as const;

/** The files of a store do not match what the store expects (format, sizes, settings). */
export class StoreCorruptionError extends KeelError {
  constructor(message: string, options: { readonly cause?: unknown } = {}) {
    super(StoreErrorCodes.CORRUPTION, message, { retriable: false, cause: options.cause });
  }
}
