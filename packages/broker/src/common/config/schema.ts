// How a component declares its configuration: one schema of options, each with a type, a default
// and a doc line, plus cross-field rules. The resolved config's TypeScript type is inferred from
// the schema, so the schema is the single source of truth for code, validation and docs.
//
// Naming convention (not enforced): a unit goes in the name, `flushIntervalMs`, `segmentSizeBytes`.

import { IllegalStateError } from '../errors';
import { coerceOption } from './coerce';

interface OptionBase {
  /** One or two sentences for docs/configuration.md. */
  readonly doc: string;
  /** Other accepted spellings, e.g. RocketMQ's legacy `mapedFileSizeCommitLog`. */
  readonly aliases?: readonly string[];
  /** Without a default an option is required, unless it is optional (resolves to undefined). */
  readonly optional?: boolean;
}

export interface StringOption extends OptionBase {
  readonly type: 'string';
  readonly default?: string;
}

/** A Java `int`: an integer from -2^31 to 2^31 - 1, as RocketMQ's own config would accept. */
export interface IntOption extends OptionBase {
  readonly type: 'int';
  readonly default?: number;
  readonly min?: number;
  readonly max?: number;
}

/**
 * A Java `long`, resolved to a JS number that must be a safe integer (|x| <= 2^53 - 1). Config
 * longs are sizes, durations and ids, none near 2^53 (9 PB, 285 000 years in ms), and a number
 * keeps arithmetic with timers and offsets free of bigint conversions. Larger values are rejected.
 */
export interface LongOption extends OptionBase {
  readonly type: 'long';
  readonly default?: number;
  readonly min?: number;
  readonly max?: number;
}

/** A finite floating-point number. */
export interface NumberOption extends OptionBase {
  readonly type: 'number';
  readonly default?: number;
  readonly min?: number;
  readonly max?: number;
}

/** `true`/`false` in any case from a file; anything else is an error (Java would read false). */
export interface BooleanOption extends OptionBase {
  readonly type: 'boolean';
  readonly default?: boolean;
}

/** One of a fixed set of strings, matched exactly (Java's Enum.valueOf is case-sensitive too). */
export interface EnumOption extends OptionBase {
  readonly type: 'enum';
  readonly values: readonly string[];
  readonly default?: string;
}

/** A list of strings; from a file, split on `separator` (default `,`), items trimmed, empties dropped. */
export interface ListOption extends OptionBase {
  readonly type: 'list';
  readonly default?: readonly string[];
  /** RocketMQ separates name-server addresses with `;`. */
  readonly separator?: string;
}

export type OptionSpec =
  StringOption | IntOption | LongOption | NumberOption | BooleanOption | EnumOption | ListOption;

export type OptionType = OptionSpec['type'];

export type OptionSpecs = { readonly [key: string]: OptionSpec };

/** The resolved TypeScript type of one option. */
export type OptionValue<S extends OptionSpec> = S extends { readonly type: 'string' }
  ? string
  : S extends { readonly type: 'int' | 'long' | 'number' }
    ? number
    : S extends { readonly type: 'boolean' }
      ? boolean
      : S extends { readonly type: 'enum'; readonly values: readonly (infer V)[] }
        ? V
        : S extends { readonly type: 'list' }
          ? readonly string[]
          : never;

type ResolvedOption<S extends OptionSpec> = S extends { readonly optional: true }
  ? OptionValue<S> | undefined
  : OptionValue<S>;

/** The resolved config of a set of options: every key present, typed, read-only. */
export type ResolvedConfig<O extends OptionSpecs> = { readonly [K in keyof O]: ResolvedOption<O[K]> };

/** A cross-field rule's complaint, attributed to the key whose line the operator should look at. */
export interface RuleViolation<K extends string = string> {
  readonly key: K;
  /** What is wrong and the fix, e.g. "must be 0 on a master; set brokerId=0 or brokerRole=SLAVE". */
  readonly message: string;
}

/** Runs only once every option has a valid value; returns nothing when the config is fine. */
export type ConfigRule<C> = (config: C) => readonly RuleViolation<keyof C & string>[];

export interface ConfigSchema<O extends OptionSpecs> {
  /** Names the component in errors and docs, e.g. `broker`. */
  readonly name: string;
  readonly options: O;
  readonly rules: readonly ConfigRule<ResolvedConfig<O>>[];
}

/** The resolved config type of a schema: `type BrokerConfig = ConfigOf<typeof brokerSchema>`. */
export type ConfigOf<S> = S extends ConfigSchema<infer O> ? ResolvedConfig<O> : never;

/**
 * Declares a schema. The `const` type parameter keeps enum values as literal types, so
 * `{ type: 'enum', values: ['ASYNC_MASTER', 'SLAVE'] }` resolves to `'ASYNC_MASTER' | 'SLAVE'`.
 *
 * Checks the schema itself and throws IllegalStateError on a mistake in it (a default of the wrong
 * type or out of its bounds, an alias that collides with another name): such a schema is a bug,
 * better found when its module loads than when an operator's config is first read.
 */
export function defineConfigSchema<const O extends OptionSpecs>(definition: {
  readonly name: string;
  readonly options: O;
  readonly rules?: readonly ConfigRule<ResolvedConfig<O>>[];
}): ConfigSchema<O> {
  const mistakes = schemaMistakes(definition.options);
  if (mistakes.length > 0) {
    throw new IllegalStateError(`config schema '${definition.name}' is invalid:\n  ${mistakes.join('\n  ')}`);
  }
  return Object.freeze({
    name: definition.name,
    options: definition.options,
    rules: Object.freeze([...(definition.rules ?? [])]),
  });
}

function schemaMistakes(options: OptionSpecs): string[] {
  const mistakes: string[] = [];
  const owner = new Map<string, string>();
  for (const [key, spec] of Object.entries(options)) {
    for (const name of [key, ...(spec.aliases ?? [])]) {
      const taken = owner.get(name);
      if (taken !== undefined) mistakes.push(`${key}: name '${name}' is already used by ${taken}`);
      owner.set(name, key);
    }
    if (spec.default !== undefined && spec.optional === true) {
      mistakes.push(`${key}: has a default, so it cannot also be optional`);
    }
    if ('min' in spec && spec.min !== undefined && spec.max !== undefined && spec.min > spec.max) {
      mistakes.push(`${key}: min ${spec.min} is above max ${spec.max}`);
    }
    if (spec.default !== undefined) {
      const checked = coerceOption(spec, spec.default);
      if (!checked.ok) mistakes.push(`${key}: default ${checked.message}`);
    }
  }
  return mistakes;
}
