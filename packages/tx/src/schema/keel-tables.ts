// The names of Keel's two tables, resolved once and passed to every operation that uses them.
//
//   <prefix>tx_barrier   one row per transaction id: committed by the transaction itself, or
//                        rolled_back by a check-back that found no committed transaction
//   <prefix>inbox        one row per (consumer group, message key) a handler has run for
//
// The prefix (default `keel_`) lets two applications share a schema; `schema`, when given, puts
// the tables there instead of the first schema on the connection's search_path.

import { TxError, TxErrorCodes } from '../errors';

export interface KeelTablesOptions {
  /** Prepended to both table names. Lowercase letters, digits and `_`; default `keel_`. */
  readonly prefix?: string;
  /** The schema holding the tables. Default: none, so the search_path decides (usually `public`). */
  readonly schema?: string;
}

/** Resolved, validated names: `*Name` unquoted for messages, `*Table` quoted for SQL. */
export interface KeelTables {
  readonly prefix: string;
  readonly schema: string | undefined;
  readonly barrierName: string;
  readonly inboxName: string;
  readonly barrierTable: string;
  readonly inboxTable: string;
}

export const DEFAULT_TABLE_PREFIX = 'keel_';

// Lowercase only, so an unquoted reference in a user's own SQL means the same table.
const IDENTIFIER_PATTERN = /^[a-z_][a-z0-9_]*$/;
// PostgreSQL truncates identifiers past 63 bytes; the longest derived name is the inbox index.
const MAX_IDENTIFIER_BYTES = 63;
const LONGEST_SUFFIX = 'inbox_handled_at_idx';

export function keelTables(options: KeelTablesOptions = {}): KeelTables {
  const prefix = options.prefix ?? DEFAULT_TABLE_PREFIX;
  if (typeof prefix !== 'string' || !(prefix === '' || IDENTIFIER_PATTERN.test(prefix))) {
    throw invalid(
      `table prefix ${JSON.stringify(prefix)}: use lowercase letters, digits and _ (e.g. "keel_")`,
    );
  }
  if (prefix.length + LONGEST_SUFFIX.length > MAX_IDENTIFIER_BYTES) {
    throw invalid(
      `table prefix "${prefix}" is too long: PostgreSQL names are at most ${MAX_IDENTIFIER_BYTES} ` +
        `bytes and "${prefix}${LONGEST_SUFFIX}" would be cut; use at most ` +
        `${MAX_IDENTIFIER_BYTES - LONGEST_SUFFIX.length} characters`,
    );
  }
  const schema = options.schema;
  if (schema !== undefined && (typeof schema !== 'string' || !IDENTIFIER_PATTERN.test(schema))) {
    throw invalid(`schema ${JSON.stringify(schema)}: use lowercase letters, digits and _`);
  }
  const qualify = (name: string) => (schema === undefined ? `"${name}"` : `"${schema}"."${name}"`);
  const barrierName = `${prefix}tx_barrier`;
  const inboxName = `${prefix}inbox`;
  return Object.freeze({
    prefix,
    schema,
    barrierName,
    inboxName,
    barrierTable: qualify(barrierName),
    inboxTable: qualify(inboxName),
  });
}

/** The default names: `keel_tx_barrier` and `keel_inbox` on the search path. */
export const DEFAULT_KEEL_TABLES: KeelTables = keelTables();

function invalid(message: string): TxError {
  return new TxError(TxErrorCodes.INVALID_ARGUMENT, `Keel tables: ${message}`);
}
