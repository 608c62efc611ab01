// Makes PGlite look like node-postgres to the code above it: the same JavaScript values come out of
// a row and the same text goes in for a parameter, so one entity class hydrates identically on a
// PostgreSQL server (through `pg`) and on PGlite. We reuse pg's own parsers and its parameter
// preparation instead of imitating them, so the two cannot drift apart.
//
// Where PGlite 0.5.16's defaults differ from pg 8.23's (checked by hand; tests pin the ones that
// matter to entities):
//
//   value                      PGlite default              node-postgres (what we produce)
//   int8 / bigint column       number (bigint past 2^53)   string
//   int8[]                     number[]                    string[]
//   date                       Date at UTC midnight        Date at local midnight
//   timestamp (no zone)        Date, text read as UTC      Date, text read as local time
//   interval                   string                      PostgresInterval object
//   Date parameter             ISO text in UTC             local time with offset
//
// PGlite runs with TZ=UTC, so the two agree wherever the test process does too; the differences
// bite on a developer's machine in another zone, which is exactly where they would be missed.

import * as pg from 'pg';
import type { ParserOptions, PGlite, Results, SerializerOptions } from '@electric-sql/pglite';
import { IllegalStateError } from '@keel/broker';

type Parser = (value: string) => unknown;

/** The result shape of node-postgres that TypeORM reads: `command` and `rowCount` included. */
export interface PgCompatibleResult<R> {
  /** First word of the command tag (`SELECT`, `UPDATE`, ...); TypeORM reads affected counts by it. */
  readonly command: string;
  /** Rows returned or changed by the statement, null for commands without a count (as in pg). */
  readonly rowCount: number | null;
  readonly rows: R[];
  readonly fields: ReadonlyArray<{ readonly name: string; readonly dataTypeID: number }>;
}

// pg parses every builtin type it knows; PGlite leaves some of them (interval, point, ...) as text.
const BUILTIN_OIDS: readonly number[] = Object.values(pg.types.builtins);

interface CachedParsers {
  readonly typeCount: number;
  readonly parsers: ParserOptions;
}

const parserCache = new WeakMap<object, CachedParsers>();

/**
 * Per-query parsers that replace PGlite's with pg's for every type either of them knows. Types pg
 * has no parser for map to pg's pass-through, so they stay text on both sides. The table is rebuilt
 * when PGlite learns new types (refreshArrayTypes after CREATE TYPE adds array parsers).
 */
export function pgParsersFor(pglite: Pick<PGlite, 'parsers'>): ParserOptions {
  const pgliteOids = Object.keys(pglite.parsers)
    .map(Number)
    .filter((oid) => Number.isInteger(oid)); // PGlite also keys its handlers by name ('json', ...)
  const cached = parserCache.get(pglite);
  if (cached !== undefined && cached.typeCount === pgliteOids.length) return cached.parsers;
  const parsers: ParserOptions = {};
  for (const oid of [...BUILTIN_OIDS, ...pgliteOids]) {
    const parse: Parser = pg.types.getTypeParser(oid, 'text');
    parsers[oid] = parse;
  }
  parserCache.set(pglite, { typeCount: pgliteOids.length, parsers });
  return parsers;
}

const BYTEA_OID = pg.types.builtins.BYTEA;

/**
 * After `toPgParams` every value is text, a Buffer or null, which PGlite's serializers pass through,
 * except bytea's: it accepts only bytes, while pg also sends text in bytea input syntax ('\x0102').
 */
export const PG_PARAM_SERIALIZERS: SerializerOptions = {
  [BYTEA_OID]: (value: unknown) =>
    value instanceof Uint8Array ? `\\x${Buffer.from(value).toString('hex')}` : String(value),
};

interface PgInternals {
  readonly utils?: { readonly prepareValue?: (value: unknown) => unknown };
}

/**
 * Converts parameters exactly as node-postgres does before sending them (Dates in local time with
 * offset, arrays as array literals, objects as JSON, `toPostgres`). pg exposes this as `pg.utils`
 * without declaring it in its types, hence the narrow view.
 */
export function toPgParams(values: readonly unknown[]): unknown[] {
  const prepareValue = (pg as unknown as PgInternals).utils?.prepareValue;
  if (prepareValue === undefined) {
    throw new IllegalStateError(
      'pg.utils.prepareValue is missing: the installed pg no longer exposes it, and the PGlite pool ' +
        'needs it to send parameters as node-postgres does; pin pg to a version that has it',
    );
  }
  return values.map((value) => prepareValue(value));
}

/** node-postgres's result shape from a PGlite result of `sql`. */
export function toPgResult<R>(result: Results<R>, sql: string): PgCompatibleResult<R> {
  return {
    // PGlite reports the command tag; an empty statement has none, and pg would say null there.
    command: result.command ?? commandKeyword(sql),
    rowCount: result.rowCount ?? null,
    rows: result.rows,
    fields: result.fields,
  };
}

function commandKeyword(sql: string): string {
  return /^\s*([A-Za-z]+)/.exec(sql)?.[1]?.toUpperCase() ?? '';
}
