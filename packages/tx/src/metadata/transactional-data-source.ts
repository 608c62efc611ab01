// Which DataSource a @Transactional() method runs on. A decorator cannot take it (classes are
// defined before any DataSource exists), so a runtime binds the *instances* it was given at start
// (its `services` and `handlers`) and unbinds them at shutdown; the wrapped method looks up `this`.
// Binding instances rather than registering one DataSource per process lets two runtimes (an order
// service and a payment service, each with its own database) live in one process.

import type { DataSource } from 'typeorm';
import type { TransactionOptions } from '../context/transaction-options';
import { TxError, TxErrorCodes } from '../errors';
import type { TransactionGate } from '../runtime/transaction-gate';
import { classNameOf } from './class-name';

/** Options every @Transactional() call uses (a method's own isolation comes from its decorator). */
export type RegisteredTransactionOptions = Omit<TransactionOptions, 'isolation' | 'transactionId'>;

interface Registration {
  readonly dataSource: DataSource;
  readonly options: RegisteredTransactionOptions;
  /** The runtime's admission of new transactions; absent when bound without a runtime (tests). */
  readonly gate: TransactionGate | undefined;
}

const bindings = new WeakMap<object, Registration>();

/**
 * Makes the @Transactional() methods of `instances` run on `dataSource`; returns the function that
 * unbinds them. An instance bound already (to another runtime) is refused: its methods would not
 * know which database to use. `gate` is the runtime's (internal): it refuses calls once the runtime
 * shuts down and counts the calls in flight.
 */
export function bindTransactional(
  instances: readonly object[],
  dataSource: DataSource,
  options: RegisteredTransactionOptions = {},
  gate?: TransactionGate,
): () => void {
  const registration: Registration = { dataSource, options: { ...options }, gate };
  const taken = instances.filter((instance) => bindings.has(instance));
  if (taken.length > 0) {
    throw new TxError(
      TxErrorCodes.INVALID_ARGUMENT,
      `${taken.map(describeInstance).join(', ')} ${taken.length === 1 ? 'is' : 'are'} already bound to a ` +
        'running Keel runtime; an instance belongs to one runtime (one DataSource). Create another ' +
        'instance for the second runtime, or shut the first one down',
    );
  }
  for (const instance of instances) bindings.set(instance, registration);
  return () => {
    for (const instance of instances) {
      if (bindings.get(instance) === registration) bindings.delete(instance);
    }
  };
}

/** @internal The registration of `instance`, or a typed error naming the method that needed it. */
export function registrationFor(instance: unknown, methodLabel: string): Registration {
  const registration = typeof instance === 'object' && instance !== null ? bindings.get(instance) : undefined;
  if (registration !== undefined) return registration;
  throw new TxError(
    TxErrorCodes.NO_RUNTIME,
    `${methodLabel} is @Transactional() but this ${instance === undefined ? 'call has no `this`' : 'instance is not bound to a running Keel runtime'}, ` +
      'so there is no DataSource to run it on: pass the instance to KeelRuntime.start({ services: [...] }) ' +
      '(or handlers) and call it while the runtime runs (in tests: bindTransactional([instance], dataSource))',
  );
}

function describeInstance(instance: object): string {
  const name = classNameOf(instance);
  return name === undefined ? 'an object' : `the ${name} instance`;
}
