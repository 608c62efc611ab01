// The life of one Keel transaction, as a transition table (moves not listed are bugs and throw).
//
//   running ──fn returned──▶ before-commit ──hooks done──▶ committing ──COMMIT ok──────▶ committed
//      │                          │                           ├──COMMIT refused──────▶ rolled-back
//      └────────── error ─────────┴──▶ rolling-back ──▶ rolled-back                   │
//                                                             └──connection lost──────▶ outcome-unknown
//
// running:          the callback runs; nested calls join; messages and hooks may be added.
// before-commit:    beforeCommit hooks run, still inside the open transaction (they may add more).
// committing:       COMMIT sent; nothing may touch the transaction any more.
// rolling-back:     ROLLBACK sent after an error.
// committed / rolled-back: final; afterCommit / afterRollback hooks run after the connection is back.
// outcome-unknown:  COMMIT got no answer; no after-hook runs (neither would be right): the barrier
//                   row tells a check-back what happened.

import { IllegalStateError } from '@keel/broker';

export type TransactionState =
  | 'running'
  | 'before-commit'
  | 'committing'
  | 'rolling-back'
  | 'committed'
  | 'rolled-back'
  | 'outcome-unknown';

const TRANSITIONS: Readonly<Record<TransactionState, readonly TransactionState[]>> = {
  running: ['before-commit', 'rolling-back'],
  'before-commit': ['committing', 'rolling-back'],
  committing: ['committed', 'rolled-back', 'outcome-unknown'],
  'rolling-back': ['rolled-back'],
  committed: [],
  'rolled-back': [],
  'outcome-unknown': [],
};

/** States in which the transaction is open to the application: its manager, joins, messages, hooks. */
export function isOpenState(state: TransactionState): boolean {
  return state === 'running' || state === 'before-commit';
}

export function checkTransition(from: TransactionState, to: TransactionState): void {
  if (!TRANSITIONS[from].includes(to)) {
    throw new IllegalStateError(`transaction state cannot move from ${from} to ${to}`);
  }
}
