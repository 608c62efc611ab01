// Declarative codecs for RocketMQ's custom headers: each request/response header class is flattened
// into the command's `extFields` (string → string), and Java maps it back by *field name*
// (`RemotingCommand.decodeCommandCustomHeader`). A schema here lists the fields and their Java
// types; `decode` checks and converts, `encode` writes decimal text and `true`/`false`.
//
//   const Header = defineHeader('GetMaxOffsetRequestHeader', { topic: string(), queueId: int() });
//   Header.decode(command.extFields)  // { topic: string; queueId: number }
//
// Field kinds: string, int (Java int), long (a Java long that a JS number holds exactly: ±(2^53-1);
// offsets and timestamps never come near, anything beyond is refused rather than rounded), boolean,
// double. Presence: required (Java's @CFNotNull), optional (a nullable boxed field: undefined when
// absent), or with a default (a field whose Java initialiser applies when the key is absent).
//
// Booleans: Java's Boolean.parseBoolean reads anything but "true" as false, which would turn a typo
// into a silent "no". Here only true/false (in any letter case) are accepted; anything else is an
// error naming the field. Numbers accept what Integer/Long.parseInt accept: an optional sign and
// decimal digits. Keys not in the schema are ignored (other versions add fields, e.g. `bname`).

import { HeaderFieldError } from './header-errors';
import type { FieldKind, HeaderSchema, HeaderValue, KindValue } from './header-fields';

export interface HeaderCodec<S extends HeaderSchema> {
  /** The Java class name, used in every error message. */
  readonly name: string;
  readonly schema: S;
  /** Reads a header from a command's ext fields; throws HeaderFieldError naming the field. */
  decode(extFields: ReadonlyMap<string, string>): HeaderValue<S>;
  /** Ext fields for `value` (undefined fields omitted); throws HeaderFieldError on out-of-range values. */
  encode(value: HeaderValue<S>): Map<string, string>;
}

/** The decoded value type of a codec: `HeaderOf<typeof PullMessageRequestHeader>`. */
export type HeaderOf<C> = C extends HeaderCodec<infer S> ? HeaderValue<S> : never;

const INT_MIN = -0x80000000;
const INT_MAX = 0x7fffffff;
const INTEGER_TEXT = /^[+-]?[0-9]+$/;
const DOUBLE_TEXT = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

/** Parses one ext-field value; returns the value or a description of the problem. */
function parseValue(kind: FieldKind, text: string): { value: KindValue[FieldKind] } | { problem: string } {
  const shown = JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}...` : text);
  switch (kind) {
    case 'string':
      return { value: text };
    case 'int': {
      const n = INTEGER_TEXT.test(text) ? Number(text) : Number.NaN;
      if (Number.isNaN(n)) return { problem: `${shown} is not an int` };
      if (n < INT_MIN || n > INT_MAX) return { problem: `${shown} is outside the Java int range` };
      return { value: n };
    }
    case 'long': {
      const n = INTEGER_TEXT.test(text) ? Number(text) : Number.NaN;
      if (Number.isNaN(n)) return { problem: `${shown} is not a long` };
      if (!Number.isSafeInteger(n)) {
        return { problem: `${shown} is beyond ±(2^53 - 1), which Keel cannot represent exactly` };
      }
      return { value: n };
    }
    case 'boolean': {
      const lower = text.toLowerCase();
      if (lower === 'true') return { value: true };
      if (lower === 'false') return { value: false };
      return { problem: `${shown} is not true or false` };
    }
    case 'double': {
      const n = DOUBLE_TEXT.test(text) ? Number(text) : Number.NaN;
      if (!Number.isFinite(n)) return { problem: `${shown} is not a finite double` };
      return { value: n };
    }
  }
}

function formatValue(kind: FieldKind, value: unknown): string | undefined {
  switch (kind) {
    case 'string':
      return typeof value === 'string' ? value : undefined;
    case 'int':
      return typeof value === 'number' && Number.isInteger(value) && value >= INT_MIN && value <= INT_MAX
        ? String(value)
        : undefined;
    case 'long':
      return typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : undefined;
    case 'boolean':
      return typeof value === 'boolean' ? String(value) : undefined;
    case 'double':
      return typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;
  }
}

export function defineHeader<S extends HeaderSchema>(name: string, schema: S): HeaderCodec<S> {
  const fields = Object.entries(schema).map(([property, spec]) => {
    const wire = spec.wireName ?? property;
    // `e (queueId)`: the wire name alone would not tell an operator which V2 field is meant.
    const label = wire === property ? `${name}.${wire}` : `${name}.${wire} (${property})`;
    return { property, wire, label, spec };
  });
  return {
    name,
    schema,
    decode(extFields: ReadonlyMap<string, string>): HeaderValue<S> {
      const result: Record<string, unknown> = {};
      for (const { property, wire, label, spec } of fields) {
        const text = extFields.get(wire);
        if (text === undefined) {
          if (spec.presence === 'required') {
            throw new HeaderFieldError(name, wire, `${label}: missing (required ${spec.kind})`);
          }
          result[property] = spec.presence === 'default' ? spec.fallback : undefined;
          continue;
        }
        const parsed = parseValue(spec.kind, text);
        if ('problem' in parsed) {
          throw new HeaderFieldError(name, wire, `${label}: ${parsed.problem}`);
        }
        result[property] = parsed.value;
      }
      return result as HeaderValue<S>;
    },
    encode(value: HeaderValue<S>): Map<string, string> {
      const values = value as Readonly<Record<string, unknown>>;
      const extFields = new Map<string, string>();
      for (const { property, wire, label, spec } of fields) {
        const raw = values[property];
        if (raw === undefined) {
          if (spec.presence === 'required') {
            throw new HeaderFieldError(
              name,
              wire,
              `${label}: cannot encode, the required ${spec.kind} is missing`,
            );
          }
          continue;
        }
        const text = formatValue(spec.kind, raw);
        if (text === undefined) {
          throw new HeaderFieldError(
            name,
            wire,
            `${label}: cannot encode ${String(raw)} as a Java ${spec.kind}`,
          );
        }
        extFields.set(wire, text);
      }
      return extFields;
    },
  };
}
