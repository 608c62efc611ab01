// Turns one raw option value into its typed value, or says why it cannot. A raw value is either a
// string (from a properties file or the command line, parsed here) or a typed JS value (from code,
// checked here). Strings are trimmed first: Java keeps trailing spaces in a properties value, and
// `brokerName=broker-a ` silently naming a different broker is not worth being faithful to.

import type { ConfigProblemKind } from '../errors';
import { closestMatch } from './did-you-mean';
import type { EnumOption, ListOption, OptionSpec } from './schema';

export type Coerced =
  | { readonly ok: true; readonly value: unknown }
  | {
      readonly ok: false;
      readonly kind: ConfigProblemKind;
      readonly message: string;
      readonly suggestion?: string;
    };

const JAVA_INT_MIN = -(2 ** 31);
const JAVA_INT_MAX = 2 ** 31 - 1;
const INTEGER_TEXT = /^[+-]?\d+$/;
// Decimal only: Number() would also take '', '0x10', 'Infinity' and ' ', none of which is meant.
const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** How a value appears in a message: strings quoted, as the operator typed them. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'bigint') return `${value}n`;
  if (Array.isArray(value)) return 'an array';
  if (value === null || typeof value !== 'object') return String(value);
  return 'an object';
}

const invalidType = (expected: string, raw: unknown): Coerced => ({
  ok: false,
  kind: 'invalid-type',
  message: `expected ${expected}, got ${describeValue(raw)}`,
});

export function coerceOption(spec: OptionSpec, raw: unknown): Coerced {
  const input = typeof raw === 'string' ? raw.trim() : raw;
  switch (spec.type) {
    case 'string':
      return typeof input === 'string' ? { ok: true, value: input } : invalidType('a string', raw);
    case 'int':
      return coerceNumeric(
        spec,
        raw,
        toInteger(input, JAVA_INT_MIN, JAVA_INT_MAX),
        'an integer',
        'a Java int',
      );
    case 'long': {
      const range = [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER] as const;
      return coerceNumeric(spec, raw, toInteger(input, ...range), 'an integer', 'a safe integer');
    }
    case 'number':
      return coerceNumeric(spec, raw, toFiniteNumber(input), 'a number', 'a finite number');
    case 'boolean':
      return coerceBoolean(input, raw);
    case 'enum':
      return coerceEnum(spec, input, raw);
    case 'list':
      return coerceList(spec, input, raw);
  }
}

/** A number, 'range' if it is a number outside what the type can hold, or undefined if not one. */
type Numeric = number | 'range' | undefined;

function toInteger(input: unknown, lowest: number, highest: number): Numeric {
  let value: number;
  if (typeof input === 'string' && INTEGER_TEXT.test(input)) value = Number(input);
  else if (typeof input === 'number' && Number.isInteger(input)) value = input;
  else if (typeof input === 'bigint') value = Number(input);
  else return undefined;
  // Beyond 2^53 Number() rounds, but never back into the range, so this check is still exact.
  return value >= lowest && value <= highest && Number.isSafeInteger(value) ? value : 'range';
}

function toFiniteNumber(input: unknown): Numeric {
  let value: number;
  if (typeof input === 'string' && NUMBER_TEXT.test(input)) value = Number(input);
  else if (typeof input === 'number' && !Number.isNaN(input)) value = input;
  else return undefined;
  return Number.isFinite(value) ? value : 'range';
}

function coerceNumeric(
  spec: { readonly min?: number; readonly max?: number },
  raw: unknown,
  value: Numeric,
  expected: string,
  typeRange: string,
): Coerced {
  if (value === undefined) return invalidType(expected, raw);
  if (value === 'range') {
    return { ok: false, kind: 'out-of-range', message: `${describeValue(raw)} does not fit in ${typeRange}` };
  }
  const { min, max } = spec;
  const tooLow = min !== undefined && value < min;
  const tooHigh = max !== undefined && value > max;
  if (!tooLow && !tooHigh) return { ok: true, value };
  const allowed =
    min !== undefined && max !== undefined
      ? `a value from ${min} to ${max}`
      : min !== undefined
        ? `a value of at least ${min}`
        : `a value of at most ${max}`;
  const bound = tooLow ? `below the minimum ${min}` : `above the maximum ${max}`;
  return { ok: false, kind: 'out-of-range', message: `${value} is ${bound}; use ${allowed}` };
}

function coerceBoolean(input: unknown, raw: unknown): Coerced {
  if (typeof input === 'boolean') return { ok: true, value: input };
  if (typeof input === 'string') {
    const lower = input.toLowerCase();
    if (lower === 'true' || lower === 'false') return { ok: true, value: lower === 'true' };
  }
  return invalidType('true or false', raw);
}

function coerceEnum(spec: EnumOption, input: unknown, raw: unknown): Coerced {
  if (typeof input === 'string' && spec.values.includes(input)) return { ok: true, value: input };
  const expected = `one of ${spec.values.join(', ')}`;
  if (typeof input !== 'string') return invalidType(expected, raw);
  const suggestion = closestMatch(input, spec.values);
  const hint = suggestion === undefined ? '' : `; did you mean ${suggestion}?`;
  return {
    ok: false,
    kind: 'invalid-value',
    message: `expected ${expected}, got ${describeValue(raw)}${hint}`,
    ...(suggestion === undefined ? {} : { suggestion }),
  };
}

function coerceList(spec: ListOption, input: unknown, raw: unknown): Coerced {
  if (typeof input === 'string') {
    const items = input
      .split(spec.separator ?? ',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0);
    return { ok: true, value: Object.freeze(items) };
  }
  if (Array.isArray(input) && input.every((item) => typeof item === 'string')) {
    return { ok: true, value: Object.freeze([...(input as readonly string[])]) };
  }
  return invalidType(`a list of strings (or one string separated by '${spec.separator ?? ','}')`, raw);
}
