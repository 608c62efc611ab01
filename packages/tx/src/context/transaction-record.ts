// The mutable state of one transaction, shared by its public TransactionContext (which only adds
// to it, and only while the transaction is open) and the runner that drives it.

import type { TransactionContext } from './transaction-context';
import { checkTransition, type TransactionState } from './transaction-state';

/** A message published inside the transaction; the runtime sends it as a half message. */
export interface OutgoingMessage {
  readonly topic: string;
  /** As publish() serialized it, at publish time. */
  readonly body: Buffer;
  readonly key?: string;
  readonly tag?: string;
  readonly delayLevel?: number;
  /** Epoch ms the message is delivered at (TIMER_DELIVER_MS), counted from the broker's commit. */
  readonly deliverAtMs?: number;
  readonly shardingKey?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Runs inside the transaction after the callback returned; a throw rolls everything back. */
export type BeforeCommitHook = (context: TransactionContext) => void | Promise<void>;
/** Runs after COMMIT succeeded and the connection went back to the pool. */
export type AfterCommitHook = (context: TransactionContext) => void | Promise<void>;
/** Runs after the transaction rolled back, with the error that caused it. */
export type AfterRollbackHook = (context: TransactionContext, error: unknown) => void | Promise<void>;

export class TransactionRecord {
  #state: TransactionState = 'running';
  readonly #claimBarrier: () => Promise<void>;
  #barrierClaim: Promise<void> | undefined;
  readonly outgoing: OutgoingMessage[] = [];
  readonly beforeCommit: BeforeCommitHook[] = [];
  readonly afterCommit: AfterCommitHook[] = [];
  readonly afterRollback: AfterRollbackHook[] = [];
  /** The error that escaped a joined call; the transaction may then only roll back. */
  rollbackOnly: { readonly error: unknown } | undefined;
  /** The first statement that failed; PostgreSQL may have aborted the transaction since. */
  failedStatement: { readonly error: unknown } | undefined;

  /** `claimBarrier` inserts the transaction's committed barrier row (claim-barrier.ts). */
  constructor(claimBarrier: () => Promise<void>) {
    this.#claimBarrier = claimBarrier;
  }

  get state(): TransactionState {
    return this.#state;
  }

  /** True once the barrier claim was made (or is being made). */
  get barrierClaimed(): boolean {
    return this.#barrierClaim !== undefined;
  }

  /** Claims the barrier once; later calls share the first claim, and its failure. */
  claimBarrier(): Promise<void> {
    this.#barrierClaim ??= this.#claimBarrier();
    return this.#barrierClaim;
  }

  /** The claim went out with BEGIN (barrier-opening.ts). */
  barrierClaimedWithBegin(): void {
    this.#barrierClaim = Promise.resolve();
  }

  moveTo(state: TransactionState): void {
    checkTransition(this.#state, state);
    this.#state = state;
  }
}
