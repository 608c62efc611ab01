import { KeelError } from '../../common/errors';

export const HaErrorCodes = {
  /** The peer broke the HA framing (a negative offset, a frame over the limit): the link is closed. */
  PROTOCOL: 'HA_PROTOCOL',
  /** Master and slave logs do not line up (the slave is ahead, or behind what the master keeps). */
  LOGS_DIVERGED: 'HA_LOGS_DIVERGED',
  /** A slave's metadata sync request was refused by the master. */
  SYNC_FAILED: 'HA_SYNC_FAILED',
} as const;

/** A problem on a replication link. Retriable: a new connection starts over from the slave's offset. */
export class HaError extends KeelError {
  constructor(code: string, message: string, options: { readonly cause?: unknown } = {}) {
    super(code, message, { retriable: true, cause: options.cause });
  }
}
