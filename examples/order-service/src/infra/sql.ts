// Plain SQL through the current transaction's manager, with the result shapes spelled out.
// TypeORM hands back UPDATE and DELETE results as [rows, rowCount] and everything else as rows
// (PostgresQueryRunner.query); these helpers hide that difference behind one row type each.

import { currentManager } from '@keel/tx';
import type { EntityManager } from 'typeorm';

/** Rows of a SELECT or of an INSERT … RETURNING. */
export async function selectRows<R>(
  sql: string,
  params: readonly unknown[],
  manager: EntityManager = currentManager(),
): Promise<R[]> {
  return (await manager.query(sql, [...params])) as R[];
}

/** Rows an UPDATE or DELETE … RETURNING changed (none when no row matched). */
export async function updateRows<R>(
  sql: string,
  params: readonly unknown[],
  manager: EntityManager = currentManager(),
): Promise<R[]> {
  const [rows] = (await manager.query(sql, [...params])) as [R[], number];
  return rows;
}

/** The SQLSTATE and constraint PostgreSQL sent with `error` (through TypeORM's QueryFailedError). */
export function databaseErrorOf(error: unknown): { readonly code?: string; readonly constraint?: string } {
  if (typeof error !== 'object' || error === null) return {};
  const driverError: unknown = (error as { driverError?: unknown }).driverError ?? error;
  if (typeof driverError !== 'object' || driverError === null) return {};
  const { code, constraint } = driverError as { code?: unknown; constraint?: unknown };
  return {
    ...(typeof code === 'string' ? { code } : {}),
    ...(typeof constraint === 'string' ? { constraint } : {}),
  };
}

export const UNIQUE_VIOLATION = '23505';

/** Epoch ms from a bigint column (pg returns int8 as text, to keep all 64 bits). */
export function toEpochMs(value: string | number): number {
  return typeof value === 'number' ? value : Number.parseInt(value, 10);
}
