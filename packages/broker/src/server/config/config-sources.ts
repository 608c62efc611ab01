// Where a server's configuration comes from: a .properties file, values given on the command line
// (which win over the file, as in RocketMQ's `mqbroker -c broker.properties -n ...`), and defaults
// that depend on the machine. Resolved together, so every problem of every source is reported at
// once, each named after the source it came from.

import { readFile } from 'node:fs/promises';
import { resolveConfig, type ConfigEntry } from '../../common/config/resolve';
import type { ConfigSchema, OptionSpecs, ResolvedConfig } from '../../common/config/schema';
import { ConfigError, KeelError, type ConfigProblem } from '../../common/errors';
import { parseProperties, type ParsedProperties } from '../../common/properties-file';

/** Raw values by canonical key, as typed on a command line; `undefined` means not given. */
export type ConfigOverrides = { readonly [key: string]: string | number | boolean | undefined };

export type ReadTextFile = (path: string) => Promise<string>;

export const readUtf8File: ReadTextFile = (path) => readFile(path, 'utf8');

export const CONFIG_FILE_UNREADABLE = 'CONFIG_FILE_UNREADABLE';

/** The config file could not be read at all (missing, a directory, no permission). */
export class ConfigFileUnreadableError extends KeelError {
  readonly path: string;

  constructor(path: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(CONFIG_FILE_UNREADABLE, `cannot read config file ${path}: ${reason}`, { cause });
    this.path = path;
  }
}

/** Reads and parses a properties file; syntax problems are returned with the entries, not thrown. */
export async function readPropertiesFile(
  path: string,
  readText: ReadTextFile = readUtf8File,
): Promise<ParsedProperties> {
  let text: string;
  try {
    text = await readText(path);
  } catch (error: unknown) {
    throw new ConfigFileUnreadableError(path, error);
  }
  return parseProperties(text, { source: path });
}

export interface ResolveSourcesOptions {
  /** The file's name in problems; also given to problems of values not from a file. */
  readonly source?: string;
  /** Values that replace the file's (and its aliases'). */
  readonly overrides?: ConfigOverrides;
  /** How problems of override values name their source. */
  readonly overrideSource?: string;
  /** Values used only where neither the file nor an override gives the key (machine defaults). */
  readonly fallbacks?: ConfigOverrides;
}

/** Resolves a parsed file with overrides and fallbacks; throws ConfigError listing every problem. */
export function resolveConfigSources<O extends OptionSpecs>(
  schema: ConfigSchema<O>,
  parsed: ParsedProperties,
  options: ResolveSourcesOptions = {},
): ResolvedConfig<O> {
  const canonical = canonicalKeys(schema.options);
  const canonicalOf = (key: string) => canonical.get(key) ?? key;
  const overrides = givenEntries(options.overrides);
  const overridden = new Set(overrides.map((entry) => canonicalOf(entry.key)));
  const fromFile = parsed.entries.filter((entry) => !overridden.has(canonicalOf(entry.key)));
  const present = new Set([...overridden, ...fromFile.map((entry) => canonicalOf(entry.key))]);
  const fallbacks = givenEntries(options.fallbacks).filter((entry) => !present.has(canonicalOf(entry.key)));
  try {
    return resolveConfig(schema, [...fromFile, ...overrides, ...fallbacks], {
      ...(options.source === undefined ? {} : { source: options.source }),
      problems: parsed.problems,
    });
  } catch (error: unknown) {
    if (!(error instanceof ConfigError) || overridden.size === 0) throw error;
    const label = options.overrideSource ?? 'command line';
    const relabel = (problem: ConfigProblem): ConfigProblem =>
      problem.line === undefined && problem.key !== undefined && overridden.has(canonicalOf(problem.key))
        ? { ...problem, source: label }
        : problem;
    throw new ConfigError(error.problems.map(relabel), { subject: schema.name });
  }
}

function canonicalKeys(options: OptionSpecs): Map<string, string> {
  const canonical = new Map<string, string>();
  for (const [key, spec] of Object.entries(options)) {
    for (const name of [key, ...(spec.aliases ?? [])]) canonical.set(name, key);
  }
  return canonical;
}

function givenEntries(values: ConfigOverrides | undefined): ConfigEntry[] {
  return Object.entries(values ?? {})
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => ({ key, value }));
}
