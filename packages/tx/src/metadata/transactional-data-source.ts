// The DataSource @Transactional() methods run on. A decorator cannot take it (classes are defined
// before any DataSource exists), so the runtime registers it at start and removes it at shutdown.

import type { DataSource } from 'typeorm';
import type { TransactionOptions } from '../context/transaction-options';
import { TxError, TxErrorCodes } from '../errors';

/** Options every @Transactional() call uses (a method's own isolation comes from its decorator). */
export type RegisteredTransactionOptions = Omit<TransactionOptions, 'isolation' | 'transactionId'>;

interface Registration {
  readonly dataSource: DataSource;
  readonly options: RegisteredTransactionOptions;
}

let registered: Registration | undefined;

/** Makes @Transactional() methods use `dataSource`; returns the function that unregisters it. */
export function registerTransactionalDataSource(
  dataSource: DataSource,
  options: RegisteredTransactionOptions = {},
): () => void {
  if (registered !== undefined) {
    throw new TxError(
      TxErrorCodes.INVALID_ARGUMENT,
      'a DataSource is already registered for @Transactional(): one runtime per process; stop the first ' +
        '(or call the function its registration returned) before starting another',
    );
  }
  const registration: Registration = { dataSource, options: { ...options } };
  registered = registration;
  return () => {
    if (registered === registration) registered = undefined;
  };
}

/** @internal The registration, or a typed error naming the method that needed it. */
export function registrationFor(methodLabel: string): Registration {
  if (registered !== undefined) return registered;
  throw new TxError(
    TxErrorCodes.NO_RUNTIME,
    `${methodLabel} is @Transactional() but no Keel runtime is running, so there is no DataSource to ` +
      'run it on: start the runtime before calling it (in tests: registerTransactionalDataSource(dataSource))',
  );
}
