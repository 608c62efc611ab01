// Strict mode: inside a Keel transaction, a query through `dataSource.manager`,
// `dataSource.getRepository()`, `dataSource.query()` or a QueryBuilder made from them would take
// another connection from the pool and run outside the transaction: its writes would commit even
// when the transaction rolls back (and on PGlite, with one connection, it would wait forever).
// typeorm-transactional answers this by patching TypeORM to redirect such calls into the
// transaction, which has broken repeatedly across TypeORM versions. Keel redirects nothing: the
// transaction is reached through currentManager()/repository(), and the guard turns the mistake
// into an immediate, typed error.
//
// The guard replaces `createQueryRunner` on one DataSource *instance* (every TypeORM path to a new
// connection goes through it), only when installed explicitly (a runtime does so at start), and
// the returned function removes it again.

import type { DataSource } from 'typeorm';
import { TxError, TxErrorCodes } from '../errors';
import { findCurrentTransaction } from './current-transaction';

const guarded = new WeakSet<DataSource>();

/** Installs the guard on `dataSource`; returns the function that removes it. */
export function installTransactionGuard(dataSource: DataSource): () => void {
  if (guarded.has(dataSource)) {
    throw new TxError(
      TxErrorCodes.INVALID_ARGUMENT,
      'installTransactionGuard: the DataSource is already guarded',
    );
  }
  const original = dataSource.createQueryRunner;
  const guard: DataSource['createQueryRunner'] = function (this: DataSource, ...args) {
    const context = findCurrentTransaction();
    if (context !== undefined && context.dataSource === dataSource) {
      throw new TxError(
        TxErrorCodes.ESCAPED,
        `a query would leave transaction ${context.id}: dataSource.manager, dataSource.getRepository(), ` +
          'dataSource.query() and their query builders use another connection, outside the transaction. ' +
          'Inside runInTransaction/@Transactional use currentManager() or repository(Entity)',
      );
    }
    return original.apply(this, args);
  };
  dataSource.createQueryRunner = guard;
  guarded.add(dataSource);
  return () => {
    if (!guarded.delete(dataSource)) return;
    // Only our own property goes; the prototype's method shows through again.
    if (dataSource.createQueryRunner === guard) Reflect.deleteProperty(dataSource, 'createQueryRunner');
  };
}

/** True while `dataSource` carries the guard (installed by a runtime or by hand). */
export function isTransactionGuardInstalled(dataSource: DataSource): boolean {
  return guarded.has(dataSource);
}
