// The steps of sending a transaction's messages, as points where the test kit injects faults
// (@keel/tx/testing): a hook that throws at a step makes that step fail as a crash or a broken
// connection would there; one that waits holds the transaction at that point. Without hooks
// (production) a step is a size check: no copy, no promise, nothing awaited.
//
//   before-half    before each half message is sent        throw → nothing sent, rolled back
//   after-half     after each half message is stored       throw → rolled back, halves ROLLBACK
//   before-commit  all halves stored, COMMIT not yet sent  wait  → the local transaction stays open
//   after-commit   COMMIT done, END_TRANSACTION not sent   throw → END_TRANSACTION skipped, as if
//                                                                  the process died: check-back commits

export type TransactionStep = 'before-half' | 'after-half' | 'before-commit' | 'after-commit';

export interface TransactionStepInfo {
  readonly step: TransactionStep;
  /** The Keel transaction (barrier) id. */
  readonly transactionId: string;
  /** The topic of the message about to be or just sent (half steps only). */
  readonly topic?: string;
}

export type TransactionStepHook = (info: TransactionStepInfo) => void | Promise<void>;

export class TransactionSteps {
  readonly #hooks = new Set<TransactionStepHook>();

  /** Adds a hook; returns the function that removes it. */
  add(hook: TransactionStepHook): () => void {
    this.#hooks.add(hook);
    return () => this.#hooks.delete(hook);
  }

  /** True when some hook is installed; the sender skips the steps otherwise. */
  get active(): boolean {
    return this.#hooks.size > 0;
  }

  /** Runs every hook in order; the first throw propagates. Callers check `active` first. */
  async run(info: TransactionStepInfo): Promise<void> {
    // A copy: a hook may remove itself (or others) while the steps run.
    for (const hook of [...this.#hooks]) await hook(info);
  }
}
