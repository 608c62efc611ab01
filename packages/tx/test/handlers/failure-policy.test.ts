// The decision after a handler failure, as data: which errors skip retries, and when retries run out.

import { KeelError } from '@keel/broker';
import { NonRetriableError, TxError, TxErrorCodes } from '@keel/tx';
import { decideAfterFailure, type FailureInput } from '../../src/handlers/failure-policy';

class Invalid extends Error {}

const base: FailureInput = {
  error: new Error('boom'),
  reconsumeTimes: 0,
  maxRetries: 3,
  nonRetriable: undefined,
};

describe('decideAfterFailure', () => {
  it.each<[string, Partial<FailureInput>, string, string]>([
    ['a plain error on the first delivery', {}, 'retry', 'retriable'],
    ['a plain error with retries left', { reconsumeTimes: 2 }, 'retry', 'retriable'],
    ['a plain error with retries used up', { reconsumeTimes: 3 }, 'dead-letter', 'out-of-retries'],
    ['a plain error past the limit', { reconsumeTimes: 9 }, 'dead-letter', 'out-of-retries'],
    ['maxRetries 0', { maxRetries: 0 }, 'dead-letter', 'out-of-retries'],
    ['NonRetriableError', { error: new NonRetriableError('bad input') }, 'dead-letter', 'non-retriable'],
    [
      'a Keel error with the non-retriable code',
      { error: new KeelError(TxErrorCodes.NON_RETRIABLE, 'x', { retriable: false }) },
      'dead-letter',
      'non-retriable',
    ],
    [
      'an unreadable body',
      { error: new TxError(TxErrorCodes.SERIALIZATION, 'bad json') },
      'dead-letter',
      'non-retriable',
    ],
    [
      'an error the predicate names',
      { error: new Invalid('no'), nonRetriable: (e) => e instanceof Invalid },
      'dead-letter',
      'non-retriable',
    ],
    [
      'an error the predicate does not name',
      { nonRetriable: (e) => e instanceof Invalid },
      'retry',
      'retriable',
    ],
  ])('%s → %s (%s)', (_name, input, next, reason) => {
    expect(decideAfterFailure({ ...base, ...input })).toEqual({ next, reason });
  });

  it('treats the error as retriable when the predicate throws, and says so', () => {
    const thrown = new Error('predicate bug');
    expect(
      decideAfterFailure({
        ...base,
        nonRetriable: () => {
          throw thrown;
        },
      }),
    ).toEqual({ next: 'retry', reason: 'retriable', predicateError: thrown });
  });
});
