// What code inside a Keel transaction sees of it: its id (the barrier key, which the broker
// wiring puts on the half messages), its EntityManager, its barrier claim, and the places where
// published messages and commit hooks are collected. All of them refuse use once the transaction is no longer open,
// so a callback left running after commit fails loudly instead of writing outside it.

import type { DataSource, EntityManager } from 'typeorm';
import { TxError, TxErrorCodes } from '../errors';
import type { IsolationLevel } from './transaction-options';
import type {
  AfterCommitHook,
  AfterRollbackHook,
  BeforeCommitHook,
  OutgoingMessage,
  TransactionRecord,
} from './transaction-record';
import { isOpenState, type TransactionState } from './transaction-state';

export class TransactionContext {
  readonly id: string;
  readonly dataSource: DataSource;
  /** The isolation level asked for by the outermost call; undefined means the server's default. */
  readonly isolation: IsolationLevel | undefined;
  readonly #manager: EntityManager;
  readonly #record: TransactionRecord;

  /** @internal Created by the transaction runner. */
  constructor(
    id: string,
    dataSource: DataSource,
    manager: EntityManager,
    isolation: IsolationLevel | undefined,
    record: TransactionRecord,
  ) {
    this.id = id;
    this.dataSource = dataSource;
    this.isolation = isolation;
    this.#manager = manager;
    this.#record = record;
  }

  get state(): TransactionState {
    return this.#record.state;
  }

  /** True while the callback or its beforeCommit hooks run. */
  get isOpen(): boolean {
    return isOpenState(this.#record.state);
  }

  /** The transaction's EntityManager; everything done through it is part of the transaction. */
  get manager(): EntityManager {
    this.#checkOpen('use its EntityManager');
    return this.#manager;
  }

  /** True once an error escaped a joined call: the transaction will roll back. */
  get isRollbackOnly(): boolean {
    return this.#record.rollbackOnly !== undefined;
  }

  /** Messages published so far, in order. */
  get outgoing(): readonly OutgoingMessage[] {
    return [...this.#record.outgoing];
  }

  addOutgoing(message: OutgoingMessage): void {
    this.#checkOpen('publish a message');
    this.#record.outgoing.push(Object.freeze({ ...message }));
  }

  /**
   * Claims the transaction's barrier row (its id as committed), once; later calls share the first
   * claim. Call it before anything that lets the broker check back on this id, i.e. before sending
   * a half message carrying it: the check then meets the row (waits on it while the transaction
   * runs, conflicts with it once committed). publish() does this itself before the first half
   * message, so only code that sends its own half messages calls it. A transaction that never
   * claims writes no barrier row. Rejects with BarrierConflictError when the id was claimed first
   * (a check-back decided ROLLBACK for it, or another transaction used it).
   */
  async claimBarrier(): Promise<void> {
    this.#checkOpen('claim its barrier');
    await this.#record.claimBarrier();
  }

  /** True once the barrier was claimed (by claimBarrier, publish() or with BEGIN). */
  get barrierClaimed(): boolean {
    return this.#record.barrierClaimed;
  }

  /** Runs `hook` inside the transaction before COMMIT, after the callback; a throw rolls back. */
  beforeCommit(hook: BeforeCommitHook): void {
    this.#checkOpen('add a beforeCommit hook');
    this.#record.beforeCommit.push(hook);
  }

  /** Runs `hook` once COMMIT succeeded. Its errors are reported, never turned into a failure. */
  afterCommit(hook: AfterCommitHook): void {
    this.#checkOpen('add an afterCommit hook');
    this.#record.afterCommit.push(hook);
  }

  /** Runs `hook` once the transaction rolled back (not when COMMIT's outcome is unknown). */
  afterRollback(hook: AfterRollbackHook): void {
    this.#checkOpen('add an afterRollback hook');
    this.#record.afterRollback.push(hook);
  }

  #checkOpen(action: string): void {
    if (!this.isOpen) throw transactionFinishedError(this, action);
  }
}

export function transactionFinishedError(context: TransactionContext, action: string): TxError {
  return new TxError(
    TxErrorCodes.TRANSACTION_FINISHED,
    `cannot ${action}: transaction ${context.id} is ${context.state}. Something kept running after ` +
      'the transaction ended (an un-awaited promise, a timer); await it inside the transaction',
  );
}
