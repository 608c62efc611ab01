// The three answers a local transaction (or a check of one) can give, RocketMQ's
// LocalTransactionState, and how an answer becomes END_TRANSACTION's commitOrRollback.
//
// Fail closed: anything that is not exactly one of the three (undefined, null, a typo, a boolean,
// an object) is UNKNOW, never COMMIT. A half message left unknown is asked about again by the
// broker's check; one committed by mistake is delivered and cannot be taken back.

import { CommitOrRollback } from '../../protocol/headers/transaction-headers';

export const LocalTransactionState = {
  COMMIT_MESSAGE: 'COMMIT_MESSAGE',
  ROLLBACK_MESSAGE: 'ROLLBACK_MESSAGE',
  /** RocketMQ's spelling. The broker keeps the half message and checks back later. */
  UNKNOW: 'UNKNOW',
} as const;
export type LocalTransactionState = (typeof LocalTransactionState)[keyof typeof LocalTransactionState];

const STATES: ReadonlySet<unknown> = new Set(Object.values(LocalTransactionState));

export function isLocalTransactionState(value: unknown): value is LocalTransactionState {
  return STATES.has(value);
}

/** END_TRANSACTION's commitOrRollback for a state (UNKNOW is 0, which the broker only logs). */
export function commitOrRollbackOf(state: LocalTransactionState): number {
  switch (state) {
    case LocalTransactionState.COMMIT_MESSAGE:
      return CommitOrRollback.COMMIT;
    case LocalTransactionState.ROLLBACK_MESSAGE:
      return CommitOrRollback.ROLLBACK;
    case LocalTransactionState.UNKNOW:
      return CommitOrRollback.NOT_TYPE;
  }
}

/** What a callback's outcome means for the transaction. */
export interface LocalOutcome {
  readonly state: LocalTransactionState;
  /** Set when the callback threw or returned something that is not a state: the reason for UNKNOW. */
  readonly problem?: LocalOutcomeProblem;
}

export type LocalOutcomeProblem =
  | { readonly kind: 'threw'; readonly error: unknown }
  | { readonly kind: 'bad-value'; readonly description: string };

/**
 * Runs a callback that should produce a state and reads its outcome fail-closed: a throw, a
 * rejection or a value other than the three states is UNKNOW with the reason attached.
 */
export async function runForState(
  callback: () => LocalTransactionState | Promise<LocalTransactionState>,
): Promise<LocalOutcome> {
  let value: unknown;
  try {
    value = await callback();
  } catch (error) {
    return { state: LocalTransactionState.UNKNOW, problem: { kind: 'threw', error } };
  }
  if (isLocalTransactionState(value)) return { state: value };
  return {
    state: LocalTransactionState.UNKNOW,
    problem: { kind: 'bad-value', description: describeValue(value) },
  };
}

/** The remark END_TRANSACTION carries for a problem (RocketMQ: "executeLocalTransactionBranch exception: ..."). */
export function describeProblem(problem: LocalOutcomeProblem, what: string): string {
  if (problem.kind === 'threw') {
    const text = problem.error instanceof Error ? problem.error.toString() : String(problem.error);
    return `${what} exception: ${text}`;
  }
  return `${what} returned ${problem.description}, not COMMIT_MESSAGE, ROLLBACK_MESSAGE or UNKNOW`;
}

// Says what kind of value came back without echoing application data into logs and remarks.
function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return value.length <= 32 ? JSON.stringify(value) : 'a string';
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : 'an object';
  return typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`;
}
