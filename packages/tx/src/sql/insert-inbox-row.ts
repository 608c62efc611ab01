// insertInboxRow — the first statement of an idempotent handler's transaction.
//
//   parameters: $1 consumer_group, $2 message_key, $3 handled_at (timestamptz text)
//   returns:    true when inserted (run the handler); false when the row exists (a duplicate)
//
// A concurrent duplicate's insert waits for the first one's transaction: if it commits, this
// returns false; if it rolls back, this inserts and the duplicate runs.

import type { KeelTables } from '../schema/keel-tables';
import { rowsOf, timestampParam, type SqlRunner } from './sql-runner';

export async function insertInboxRow(
  runner: SqlRunner,
  tables: KeelTables,
  key: { readonly group: string; readonly key: string },
  nowMs: number,
): Promise<boolean> {
  const rows = rowsOf(
    await runner.query(
      `INSERT INTO ${tables.inboxTable} (consumer_group, message_key, handled_at)
       VALUES ($1, $2, $3::timestamptz)
       ON CONFLICT (consumer_group, message_key) DO NOTHING
       RETURNING consumer_group`,
      [key.group, key.key, timestampParam(nowMs)],
    ),
  );
  return rows.length === 1;
}
