import { checkTransition, isOpenState, type TransactionState } from '../../src/context/transaction-state';
import { commitFailureOutcome, sqlStateOf } from '../../src/sql-state';

describe('transaction states', () => {
  const all: TransactionState[] = [
    'running',
    'before-commit',
    'committing',
    'rolling-back',
    'committed',
    'rolled-back',
    'outcome-unknown',
  ];
  const allowed = new Set([
    'running>before-commit',
    'running>rolling-back',
    'before-commit>committing',
    'before-commit>rolling-back',
    'committing>committed',
    'committing>rolled-back',
    'committing>outcome-unknown',
    'rolling-back>rolled-back',
  ]);

  it.each(all.flatMap((from) => all.map((to) => [from, to] as const)))('%s → %s', (from, to) => {
    if (allowed.has(`${from}>${to}`)) expect(() => checkTransition(from, to)).not.toThrow();
    else expect(() => checkTransition(from, to)).toThrow(`cannot move from ${from} to ${to}`);
  });

  it('is open to the application only while running or before commit', () => {
    expect(all.filter(isOpenState)).toEqual(['running', 'before-commit']);
  });
});

describe('reading a failed COMMIT', () => {
  const serverError = (code: string) => Object.assign(new Error('x'), { code, severity: 'ERROR' });

  it.each([
    ['serialization failure', serverError('40001'), 'rolled-back'],
    ['deferred unique violation', serverError('23505'), 'rolled-back'],
    ['connection failure reported by the server', serverError('08006'), 'unknown'],
    ['admin shutdown', serverError('57P01'), 'unknown'],
    ['socket reset (no server answer)', Object.assign(new Error('x'), { code: 'ECONNRESET' }), 'unknown'],
    [
      'a code without severity is not a server answer',
      Object.assign(new Error('x'), { code: 'EPIPE' }),
      'unknown',
    ],
    [
      'wrapped by TypeORM',
      Object.assign(new Error('x'), { driverError: serverError('40P01') }),
      'rolled-back',
    ],
    ['not an error at all', 'boom', 'unknown'],
  ] as const)('%s → %s', (_name, error, outcome) => {
    expect(commitFailureOutcome(error)).toBe(outcome);
  });

  it('reads the SQLSTATE only from errors the server sent', () => {
    expect(sqlStateOf(serverError('23505'))).toBe('23505');
    expect(sqlStateOf({ code: 'EPIPE' })).toBeUndefined();
    expect(sqlStateOf(undefined)).toBeUndefined();
  });
});
