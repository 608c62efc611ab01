// Raw input in, typed config out, or a ConfigError listing every problem at once: an operator
// fixing a config file should not have to restart once per mistake.

import { ConfigError, type ConfigProblem } from '../errors';
import { parseProperties } from '../properties-file';
import { coerceOption } from './coerce';
import { closestMatch } from './did-you-mean';
import type { ConfigSchema, OptionSpec, OptionSpecs, ResolvedConfig } from './schema';

/** One raw value: a string to parse, or a typed JS value to check. */
export interface ConfigEntry {
  readonly key: string;
  readonly value: unknown;
  /** 1-based line in the source file, when the value came from one. */
  readonly line?: number;
}

/**
 * Entries (as `parseProperties` returns them) or a plain object of values. In an object, an
 * `undefined` value counts as not given, so `{ listenPort: options.port }` falls back to the default.
 */
export type ConfigInput = readonly ConfigEntry[] | { readonly [key: string]: unknown };

export interface ResolveConfigOptions {
  /** Names where the input came from in every problem, e.g. `broker.properties`. */
  readonly source?: string;
  /** Problems found before resolving (e.g. by the properties parser), reported together. */
  readonly problems?: readonly ConfigProblem[];
}

interface Given {
  readonly entry: ConfigEntry;
  readonly spec: OptionSpec;
}

export function resolveConfig<O extends OptionSpecs>(
  schema: ConfigSchema<O>,
  input: ConfigInput,
  options: ResolveConfigOptions = {},
): ResolvedConfig<O> {
  const at = (key: string | undefined, line: number | undefined) => ({
    ...(key === undefined ? {} : { key }),
    ...(options.source === undefined ? {} : { source: options.source }),
    ...(line === undefined ? {} : { line }),
  });
  const problems: ConfigProblem[] = [...(options.problems ?? [])];
  const given = collectGiven(schema.options, toEntries(input), at, problems);

  const resolved: Record<string, unknown> = {};
  let allValid = true;
  for (const [key, spec] of Object.entries(schema.options)) {
    const value = given.get(key);
    if (value === undefined) {
      if (spec.default === undefined && spec.optional !== true) {
        allValid = false;
        problems.push({
          kind: 'missing',
          ...at(key, undefined),
          message: `is required; add ${key}=<${spec.type === 'enum' ? spec.values.join('|') : spec.type}>`,
        });
      }
      // A copy, so no config can alter the schema's default list through a cast.
      resolved[key] = Array.isArray(spec.default) ? Object.freeze([...spec.default]) : spec.default;
      continue;
    }
    const coerced = coerceOption(spec, value.entry.value);
    if (coerced.ok) {
      resolved[key] = coerced.value;
    } else {
      allValid = false;
      const { ok: _ok, ...problem } = coerced;
      problems.push({ ...problem, ...at(key, value.entry.line) });
    }
  }

  // Rules read typed values, so they run only when every value is one; they may still run beside
  // unknown-key problems, which leave the values intact.
  if (allValid) {
    const config = resolved as ResolvedConfig<O>;
    for (const rule of schema.rules) {
      for (const violation of rule(config)) {
        problems.push({
          kind: 'rule',
          ...at(violation.key, given.get(violation.key)?.entry.line),
          message: violation.message,
        });
      }
    }
  }

  if (problems.length > 0) throw new ConfigError(sortByLine(problems), { subject: schema.name });
  return Object.freeze(resolved) as ResolvedConfig<O>;
}

/** Parses a properties file and resolves it, reporting syntax and value problems together. */
export function resolveConfigFromProperties<O extends OptionSpecs>(
  schema: ConfigSchema<O>,
  text: string,
  options: { readonly source?: string } = {},
): ResolvedConfig<O> {
  const parsed = parseProperties(text, options);
  return resolveConfig(schema, parsed.entries, { ...options, problems: parsed.problems });
}

function toEntries(input: ConfigInput): readonly ConfigEntry[] {
  const entries = Array.isArray(input)
    ? (input as readonly ConfigEntry[])
    : Object.entries(input).map(([key, value]) => ({ key, value }));
  return entries.filter((entry) => entry.value !== undefined);
}

/** Maps each given value to its canonical key; unknown keys and keys given twice are problems. */
function collectGiven(
  specs: OptionSpecs,
  entries: readonly ConfigEntry[],
  at: (key: string, line: number | undefined) => Omit<ConfigProblem, 'kind' | 'message'>,
  problems: ConfigProblem[],
): Map<string, Given> {
  const canonical = new Map<string, string>();
  for (const [key, spec] of Object.entries(specs)) {
    for (const name of [key, ...(spec.aliases ?? [])]) canonical.set(name, key);
  }
  const given = new Map<string, Given>();
  for (const entry of entries) {
    const key = canonical.get(entry.key);
    const spec = key === undefined ? undefined : specs[key];
    if (key === undefined || spec === undefined) {
      const match = closestMatch(entry.key, canonical.keys());
      const suggestion = match === undefined ? undefined : canonical.get(match);
      const fix =
        suggestion === undefined ? '; remove it or check its spelling' : `, did you mean ${suggestion}?`;
      problems.push({
        kind: 'unknown-key',
        ...at(entry.key, entry.line),
        message: `unknown key${fix}`,
        ...(suggestion === undefined ? {} : { suggestion }),
      });
      continue;
    }
    const earlier = given.get(key);
    if (earlier !== undefined) {
      // The later value wins, as in Java, but silently overriding a value hides a mistake.
      const first = earlier.entry;
      const as = first.key === entry.key ? '' : ` as ${first.key}`;
      const where = first.line === undefined ? '' : ` on line ${first.line}`;
      problems.push({
        kind: 'duplicate-key',
        ...at(entry.key, entry.line),
        message: `also given${as}${where}; keep one`,
      });
    }
    given.set(key, { entry, spec });
  }
  return given;
}

/** File order reads best; problems without a line keep their order, after those with one. */
function sortByLine(problems: readonly ConfigProblem[]): ConfigProblem[] {
  const order = (p: ConfigProblem) => p.line ?? Number.MAX_SAFE_INTEGER;
  return [...problems].sort((a, b) => order(a) - order(b));
}
