// The ambient transaction: which Keel transaction the code now running belongs to, carried through
// awaits by AsyncLocalStorage. Only the runner enters a transaction; everything else reads it.

import { AsyncLocalStorage } from 'node:async_hooks';
import type { EntityManager, EntityTarget, ObjectLiteral, Repository } from 'typeorm';
import { TxError, TxErrorCodes } from '../errors';
import { transactionFinishedError, type TransactionContext } from './transaction-context';

const storage = new AsyncLocalStorage<TransactionContext>();

/** @internal Runs `fn` with `context` as the current transaction. */
export function runWithContext<T>(context: TransactionContext, fn: () => Promise<T>): Promise<T> {
  return storage.run(context, fn);
}

/** The open transaction the caller runs in, or undefined (none, or it already ended). */
export function findCurrentTransaction(): TransactionContext | undefined {
  const context = storage.getStore();
  return context?.isOpen === true ? context : undefined;
}

/** The open transaction the caller runs in; throws a typed error when there is none. */
export function currentTransaction(): TransactionContext {
  const context = storage.getStore();
  if (context === undefined) {
    throw new TxError(
      TxErrorCodes.NO_TRANSACTION,
      'no Keel transaction here: currentManager()/currentTransaction()/repository() work only inside ' +
        'runInTransaction(), runOnce() or a @Transactional() method (and code they await)',
    );
  }
  if (!context.isOpen) throw transactionFinishedError(context, 'use the current transaction');
  return context;
}

/** The EntityManager of the current transaction: what it does is part of the transaction. */
export function currentManager(): EntityManager {
  return currentTransaction().manager;
}

/** A repository bound to the current transaction (get it inside the transaction, not before). */
export function repository<Entity extends ObjectLiteral>(target: EntityTarget<Entity>): Repository<Entity> {
  return currentManager().getRepository(target);
}
