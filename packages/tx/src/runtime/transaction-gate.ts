// Which transactions a runtime takes, and which its shutdown waits for:
//
//   open    (starting, running)  a @Transactional() call that starts a transaction is admitted
//                                and counted until it returns; so is every handler delivery
//   closed  (stopping, stopped)  such calls are refused with RUNTIME_NOT_RUNNING; deliveries are
//                                still admitted (the consumers decide when they stop, and shutdown
//                                stops them first); shutdown waits until the count is zero, so the
//                                END_TRANSACTIONs of admitted transactions go out before the
//                                producer stops
//
// A call that joins an open transaction is part of work already running and is not counted. Once
// closed, publish() in a transaction the gate did not admit (a plain runInTransaction) is refused
// too: nothing would wait for its messages, and the producer may stop before they are sent.

import { TxError, TxErrorCodes } from '../errors';
import type { TransactionContext } from '../context/transaction-context';

/** Marks the transaction the admitted work runs in, so publish() in it is taken while closing. */
export type Admit = (context: TransactionContext) => void;

export class TransactionGate {
  readonly #name: string;
  #open = true;
  #inFlight = 0;
  #idle: (() => void)[] = [];
  readonly #admitted = new WeakSet<TransactionContext>();

  /** `name` says whose gate it is in errors ("the Keel runtime of producer group orders"). */
  constructor(name: string) {
    this.#name = name;
  }

  /** Admitted work running now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Runs `work` as an admitted transaction; refuses once closed. `what` names the call in the error. */
  async admitNew<T>(what: string, work: (admit: Admit) => Promise<T>): Promise<T> {
    if (!this.#open) {
      throw this.#refusal(
        `${what} cannot start a transaction`,
        'call it before shutdown() begins, or on a runtime that is running',
      );
    }
    return this.#track(work);
  }

  /** Runs a handler delivery as admitted work, open or closed. */
  admitDelivery<T>(work: (admit: Admit) => Promise<T>): Promise<T> {
    return this.#track(work);
  }

  /** Throws RUNTIME_NOT_RUNNING when closed and `context` was not admitted. */
  checkPublish(context: TransactionContext, topic: string): void {
    if (this.#open || this.#admitted.has(context)) return;
    throw this.#refusal(
      `publish(${topic}) in transaction ${context.id}`,
      'only transactions in flight when shutdown began (@Transactional() calls, handler deliveries) ' +
        'may still publish; publish before shutdown() begins',
    );
  }

  /** Refuses new transactions from now on. */
  close(): void {
    this.#open = false;
  }

  /** Resolves once no admitted work is running. */
  whenIdle(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  async #track<T>(work: (admit: Admit) => Promise<T>): Promise<T> {
    this.#inFlight += 1;
    try {
      return await work((context) => this.#admitted.add(context));
    } finally {
      this.#inFlight -= 1;
      if (this.#inFlight === 0) for (const wake of this.#idle.splice(0)) wake();
    }
  }

  #refusal(what: string, fix: string): TxError {
    return new TxError(
      TxErrorCodes.RUNTIME_NOT_RUNNING,
      `${what}: ${this.#name} is shutting down and takes no new transactions; ${fix}`,
    );
  }
}
