// What the SQL operations need to run a statement: a TypeORM QueryRunner (the transaction's own,
// or one taken for the operation). Rows come back untyped from the driver; `rowsOf` checks the
// shape instead of trusting a cast.

import type { QueryRunner } from 'typeorm';

export type SqlRunner = Pick<QueryRunner, 'query'>;

export type SqlRow = Readonly<Record<string, unknown>>;

/** The rows of an INSERT/SELECT result as TypeORM returns them (an array of row objects). */
export function rowsOf(result: unknown): SqlRow[] {
  if (!Array.isArray(result)) throw new TypeError(`expected rows from the driver, got ${typeof result}`);
  return result.map((row: unknown, index) => {
    if (typeof row !== 'object' || row === null) {
      throw new TypeError(`expected row ${index} to be an object, got ${typeof row}`);
    }
    return row as SqlRow;
  });
}

/** A Clock reading as a timestamptz parameter (ISO text, which both drivers pass through as is). */
export function timestampParam(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
