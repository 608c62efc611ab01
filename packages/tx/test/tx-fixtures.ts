// Shared pieces of the @keel/tx suites: an entity to write, a DataSource on the suite's database
// with Keel's tables, a collecting problem reporter, and a gate to hold a transaction open.

import 'reflect-metadata';
import type { TestDatabase } from '@keel/test-support';
import { ensureKeelTables, type TxProblem, type TxProblemReporter } from '@keel/tx';
import { Column, DataSource, Entity, PrimaryColumn, type Logger } from 'typeorm';

@Entity('note')
export class Note {
  @PrimaryColumn('text')
  id!: string;

  @Column('text')
  text!: string;
}

/** A DataSource on the suite's database with the Note table and Keel's tables. */
export async function openTxDataSource(db: TestDatabase, poolSize?: number): Promise<DataSource> {
  const dataSource = await new DataSource(
    db.dataSourceOptions([Note], {
      synchronize: true,
      ...(poolSize === undefined ? {} : { extra: { max: poolSize } }),
    }),
  ).initialize();
  await ensureKeelTables(dataSource);
  return dataSource;
}

export interface Gate {
  readonly opened: Promise<void>;
  open(): void;
}

/** A promise a test resolves when it wants a held transaction to go on. */
export function gate(): Gate {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/** A reporter that keeps what it is given, for assertions. */
export function collectProblems(): { readonly problems: TxProblem[]; readonly report: TxProblemReporter } {
  const problems: TxProblem[] = [];
  return { problems, report: (problem) => problems.push(problem) };
}

/** Resolves with the error `promise` rejects with; fails the test if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error: unknown) {
    return error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

/** A TypeORM logger that records every statement sent, so tests can count BEGINs, COMMITs, DELETEs. */
export class StatementLog implements Logger {
  readonly statements: string[] = [];
  logQuery(query: string): void {
    this.statements.push(query);
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
  count(statement: string | RegExp): number {
    return this.statements.filter((s) =>
      typeof statement === 'string' ? s === statement : statement.test(s),
    ).length;
  }
}
