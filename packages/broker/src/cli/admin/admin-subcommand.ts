// The shape of one `keel admin` subcommand. `prepare` reads and checks the options first (a
// UsageError, exit 2, before anything connects) and returns the step that talks to the cluster.

import type { AdminClient } from '../../client/admin/admin-client';
import { parseTimestamp } from '../../client/admin/timestamp';
import type { ProgressListener } from '../../client/admin/progress';
import { UsageError, type OptionDef } from '../args';

/** What a subcommand prints: `json` with --json, `text` (table or fields) otherwise. */
export interface AdminOutput {
  readonly json: unknown;
  readonly text: readonly string[];
}

export interface AdminRunContext {
  readonly client: AdminClient;
  /** Writes a progress line on stderr, so stdout stays a clean table or JSON document. */
  readonly progress: ProgressListener;
}

export type AdminStep = (context: AdminRunContext) => Promise<AdminOutput>;

export interface AdminSubcommand {
  /** mqadmin's name where it has one. */
  readonly name: string;
  readonly summary: string;
  /** The options part of the usage line, e.g. `-t <topic> [-c <cluster> | -b <broker>]`. */
  readonly synopsis: string;
  /** Besides -n and --json, which every subcommand takes. */
  readonly options: readonly OptionDef[];
  /** Extra lines of help: caveats, what Keel does differently from mqadmin. */
  readonly notes?: readonly string[];
  readonly example: string;
  prepare(options: OptionReader): AdminStep;
}

/** Typed access to parsed options; every mistake is a UsageError naming the option. */
export class OptionReader {
  constructor(readonly values: ReadonlyMap<string, string>) {}

  optional(name: string): string | undefined {
    return this.values.get(name);
  }

  required(name: string, flag: string): string {
    const value = this.values.get(name);
    if (value === undefined || value.trim() === '') throw new UsageError(`${flag} <${name}> is required`);
    return value;
  }

  integer(name: string, flag: string, min = 0): number | undefined {
    const value = this.values.get(name);
    if (value === undefined) return undefined;
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(Number(value)) || Number(value) < min)
      throw new UsageError(`${flag} must be a whole number of at least ${min}, got '${value}'`);
    return Number(value);
  }

  requiredInteger(name: string, flag: string, min = 0): number {
    const value = this.integer(name, flag, min);
    if (value === undefined) throw new UsageError(`${flag} <${name}> is required`);
    return value;
  }

  timestamp(name: string, flag: string): number | undefined {
    const value = this.values.get(name);
    if (value === undefined) return undefined;
    try {
      return parseTimestamp(value);
    } catch (error) {
      throw new UsageError(`${flag}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  boolean(name: string, flag: string): boolean | undefined {
    const value = this.values.get(name);
    if (value === undefined) return undefined;
    if (value === 'true' || value === 'false') return value === 'true';
    throw new UsageError(`${flag} must be true or false, got '${value}'`);
  }
}

export const TOPIC_OPTION: OptionDef = { name: 'topic', short: 't', value: 'topic', doc: 'Topic name' };
export const GROUP_OPTION: OptionDef = { name: 'group', short: 'g', value: 'group', doc: 'Consumer group' };
export const CLUSTER_OPTION: OptionDef = {
  name: 'cluster',
  short: 'c',
  value: 'cluster',
  doc: 'Cluster name',
};
export const BROKER_OPTION: OptionDef = {
  name: 'broker',
  short: 'b',
  value: 'broker',
  doc: 'Broker name (its master) or broker address host:port',
};
