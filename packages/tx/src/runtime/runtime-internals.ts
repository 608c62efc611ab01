// What @keel/tx/testing reaches inside a runtime, and nothing else does: the transaction steps (to
// inject faults) and the delivery runner (to inject duplicate deliveries). Kept off the public
// class so applications see no test knobs, and so production code has no test-only branches: the
// seams are the same objects the runtime itself uses.

import type { DeliveryRunner } from '../handlers/delivery-runner';
import type { ResolvedMessageHandler } from '../metadata/validate-metadata';
import type { TransactionSteps } from './transaction-steps';

export interface RuntimeInternals {
  readonly steps: TransactionSteps;
  readonly runner: DeliveryRunner;
  readonly messageHandlers: readonly ResolvedMessageHandler[];
}

const internals = new WeakMap<object, RuntimeInternals>();

/** @internal */
export function attachInternals(runtime: object, parts: RuntimeInternals): void {
  internals.set(runtime, parts);
}

/** @internal */
export function internalsOf(runtime: object): RuntimeInternals {
  const found = internals.get(runtime);
  if (found === undefined) throw new TypeError('not a KeelRuntime created by KeelRuntime.start');
  return found;
}
