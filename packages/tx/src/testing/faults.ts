// Fault points of a runtime's transactions, for tests of what an application does when things break
// in the middle (transaction-steps.ts names the steps and what a failure at each one means):
//
//   const faults = injectFaults(runtime);
//   faults.failAt('after-commit');              // next transaction: committed, END_TRANSACTION lost
//   const hold = faults.holdAt('before-commit'); // next transaction waits, halves sent, not committed
//   await hold.reached; ...; hold.release();
//   faults.clear();
//
// Each fault applies to the next `times` transactions (default 1) that reach its step and match
// `when`; a failure throws an InjectedFault.

import { KeelError } from '@keel/broker';
import type { KeelRuntime } from '../runtime/keel-runtime';
import { internalsOf } from '../runtime/runtime-internals';
import type { TransactionStep, TransactionStepInfo } from '../runtime/transaction-steps';

export type { TransactionStep, TransactionStepInfo } from '../runtime/transaction-steps';

/** The error an injected failure throws. */
export class InjectedFault extends KeelError {
  readonly step: TransactionStep;

  constructor(info: TransactionStepInfo) {
    super('TX_INJECTED_FAULT', `injected fault at ${info.step} of transaction ${info.transactionId}`, {
      retriable: false,
    });
    this.step = info.step;
  }
}

export interface FaultOptions {
  /** How many matching transactions the fault hits. Default 1; Infinity for all. */
  readonly times?: number;
  readonly when?: (info: TransactionStepInfo) => boolean;
}

export interface Hold {
  /** Resolves when a transaction reaches the step (and waits there). */
  readonly reached: Promise<TransactionStepInfo>;
  /** Lets the held transaction (and any later one) go on. */
  release(): void;
}

export interface Faults {
  failAt(step: TransactionStep, options?: FaultOptions): void;
  holdAt(step: TransactionStep, options?: Omit<FaultOptions, 'times'>): Hold;
  /** Removes every fault and releases every hold. */
  clear(): void;
}

export function injectFaults(runtime: KeelRuntime): Faults {
  const { steps } = internalsOf(runtime);
  const removers = new Set<() => void>();
  const releases = new Set<() => void>();
  return {
    failAt(step, options = {}) {
      let left = options.times ?? 1;
      const remove = steps.add((info) => {
        if (info.step !== step || left <= 0 || (options.when !== undefined && !options.when(info))) return;
        left -= 1;
        if (left <= 0) remove();
        throw new InjectedFault(info);
      });
      removers.add(remove);
    },
    holdAt(step, options = {}) {
      let release: () => void = () => undefined;
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      let reach: (info: TransactionStepInfo) => void = () => undefined;
      const reached = new Promise<TransactionStepInfo>((resolve) => {
        reach = resolve;
      });
      let taken = false;
      const remove = steps.add(async (info) => {
        if (taken || info.step !== step || (options.when !== undefined && !options.when(info))) return;
        taken = true;
        reach(info);
        await released;
      });
      removers.add(remove);
      releases.add(release);
      return {
        reached,
        release: () => {
          release();
          remove();
        },
      };
    },
    clear() {
      for (const remove of removers) remove();
      for (const release of releases) release();
      removers.clear();
      releases.clear();
    },
  };
}
