// One call of a @Transactional() method: on the DataSource its instance is bound to, admitted by
// that runtime's gate when it starts a transaction (refused once the runtime shuts down, waited
// for by its shutdown), joining the open transaction otherwise.
//
// Each decorated method remembers whether its last call that started a transaction published: if
// it did, the next one is expected to publish too, and its BEGIN carries the barrier claim (one
// round trip saved; barrier-opening.ts). A wrong guess is harmless either way: an unused barrier
// row, or the claim made before the first half message as for any transaction.

import { findCurrentTransaction } from '../context/current-transaction';
import { runInTransaction, runWithHints } from '../context/run-in-transaction';
import type { IsolationLevel } from '../context/transaction-options';
import type { Admit } from '../runtime/transaction-gate';
import { registrationFor } from './transactional-data-source';

export class TransactionalMethod {
  readonly #label: string;
  readonly #isolation: IsolationLevel | undefined;
  #published = false;

  /** `label` is `Class.method`, for errors. */
  constructor(label: string, isolation: IsolationLevel | undefined) {
    this.#label = label;
    this.#isolation = isolation;
  }

  async call(instance: unknown, method: () => Promise<unknown>): Promise<unknown> {
    const { dataSource, options: shared, gate } = registrationFor(instance, this.#label);
    const options = this.#isolation === undefined ? shared : { ...shared, isolation: this.#isolation };
    // Part of the open transaction, and of whatever admitted it: no BEGIN, no gate of its own.
    if (findCurrentTransaction() !== undefined) return runInTransaction(dataSource, method, options);
    const start = (admit: Admit | undefined) =>
      runWithHints(
        dataSource,
        async (context) => {
          admit?.(context);
          const value = await method();
          this.#published = context.outgoing.length > 0;
          return value;
        },
        options,
        { expectsMessages: this.#published },
      );
    return gate === undefined ? start(undefined) : gate.admitNew(this.#label, start);
  }
}
