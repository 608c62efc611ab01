// The life of one half message on this broker, as a transition table (no move happens that the
// table does not list):
//
//   PREPARED ──commit──▶ COMMITTED        the producer (or an operator) committed: the real message
//      │  └────rollback─▶ ROLLED_BACK     was written to its topic, or only the op record
//      │
//      └──park──▶ PARKED ──commit──▶ COMMITTED
//                        └─rollback─▶ ROLLED_BACK
//
// PREPARED: stored in RMQ_SYS_TRANS_HALF_TOPIC, waiting for END_TRANSACTION; the check service asks
//   its producer group once it is due (check-policy.ts).
// PARKED: checked transactionCheckMax times without an answer; copied to TRANS_CHECK_MAX_TIME_TOPIC
//   and no longer checked. An operator resolves it (`keel admin tx commit | rollback`); a late
//   answer from its producer resolves it too, since the producer knows the outcome.
// COMMITTED, ROLLED_BACK: final. Every further END_TRANSACTION has no effect, which is what makes a
//   duplicate commit deliver once and a commit after a rollback deliver nothing.

export const HalfMessageState = {
  PREPARED: 'PREPARED',
  PARKED: 'PARKED',
  COMMITTED: 'COMMITTED',
  ROLLED_BACK: 'ROLLED_BACK',
} as const;
export type HalfMessageState = (typeof HalfMessageState)[keyof typeof HalfMessageState];

export type HalfMessageEvent = 'commit' | 'rollback' | 'park';

const TRANSITIONS: Readonly<Record<HalfMessageState, Partial<Record<HalfMessageEvent, HalfMessageState>>>> = {
  PREPARED: { commit: 'COMMITTED', rollback: 'ROLLED_BACK', park: 'PARKED' },
  PARKED: { commit: 'COMMITTED', rollback: 'ROLLED_BACK' },
  COMMITTED: {},
  ROLLED_BACK: {},
};

/** The state after `event`, or undefined when the table has no such move from `state`. */
export function nextHalfMessageState(
  state: HalfMessageState,
  event: HalfMessageEvent,
): HalfMessageState | undefined {
  return TRANSITIONS[state][event];
}

/** COMMITTED and ROLLED_BACK: nothing moves out of them. */
export function isResolved(state: HalfMessageState): boolean {
  return Object.keys(TRANSITIONS[state]).length === 0;
}
