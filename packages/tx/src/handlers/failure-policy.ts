// What becomes of a message whose handler failed: retried through the broker (%RETRY%<group>, with
// the broker's backoff), or sent to the group's dead-letter queue now. Decided per message, so
// handlers of one group may have different maxRetries: the runtime asks for the DLQ itself
// (delay level -1) rather than relying on one group-wide count.
//
//   non-retriable error                  → dead-letter (NonRetriableError, a body that cannot be
//                                          read, or the handler's nonRetriable predicate says so)
//   failed deliveries so far ≥ maxRetries → dead-letter (the handler ran 1 + maxRetries times)
//   otherwise                            → retry

import { isKeelError } from '@keel/broker';
import { NonRetriableError, TxErrorCodes } from '../errors';

export interface FailureInput {
  readonly error: unknown;
  /** Failed deliveries before this one: the broker's reconsumeTimes (plus local ones, orderly). */
  readonly reconsumeTimes: number;
  readonly maxRetries: number;
  readonly nonRetriable: ((error: unknown) => boolean) | undefined;
}

export interface FailureDecision {
  readonly next: 'retry' | 'dead-letter';
  readonly reason: 'retriable' | 'non-retriable' | 'out-of-retries';
  /** The nonRetriable predicate threw: the error counts as retriable, and this is reported. */
  readonly predicateError?: unknown;
}

export function decideAfterFailure(input: FailureInput): FailureDecision {
  if (isNonRetriable(input.error)) return { next: 'dead-letter', reason: 'non-retriable' };
  let predicateError: unknown;
  if (input.nonRetriable !== undefined) {
    try {
      if (input.nonRetriable(input.error)) return { next: 'dead-letter', reason: 'non-retriable' };
    } catch (error: unknown) {
      predicateError = error;
    }
  }
  const withPredicateError = predicateError === undefined ? {} : { predicateError };
  if (input.reconsumeTimes >= input.maxRetries) {
    return { next: 'dead-letter', reason: 'out-of-retries', ...withPredicateError };
  }
  return { next: 'retry', reason: 'retriable', ...withPredicateError };
}

function isNonRetriable(error: unknown): boolean {
  if (error instanceof NonRetriableError) return true;
  if (!isKeelError(error)) return false;
  return error.code === TxErrorCodes.NON_RETRIABLE || error.code === TxErrorCodes.SERIALIZATION;
}
