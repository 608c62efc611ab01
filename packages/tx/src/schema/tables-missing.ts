// A statement on Keel's tables failed because they do not exist: the most likely mistake when
// setting up, so it gets its own error with the fix instead of PostgreSQL's "relation does not exist".

import { TxError, TxErrorCodes } from '../errors';
import { SqlState, sqlStateOf } from '../sql-state';
import type { KeelTables } from './keel-tables';

/** `error` itself, or a TABLES_MISSING error (with `error` as cause) when it says a table is missing. */
export function explainMissingTables(error: unknown, tables: KeelTables): unknown {
  if (sqlStateOf(error) !== SqlState.UNDEFINED_TABLE) return error;
  return new TxError(
    TxErrorCodes.TABLES_MISSING,
    `Keel's tables ${tables.barrierTable} and ${tables.inboxTable} are missing: add KeelTablesMigration ` +
      '(or createKeelTablesMigration(tables)) to the DataSource migrations, or call ensureKeelTables(dataSource) ' +
      'at start; if they exist elsewhere, pass matching keelTables({ prefix, schema })',
    { cause: error },
  );
}
