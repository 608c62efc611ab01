// The field kinds and builders of header schemas (see header-codec.ts): what a Java header class
// field is (string, int, long, boolean, double) and whether it must be present.

export type FieldKind = 'string' | 'int' | 'long' | 'boolean' | 'double';
export type Presence = 'required' | 'optional' | 'default';

export interface KindValue {
  string: string;
  int: number;
  long: number;
  boolean: boolean;
  double: number;
}

export interface HeaderField<K extends FieldKind, P extends Presence> {
  readonly kind: K;
  readonly presence: P;
  /** Only for presence 'default'. */
  readonly fallback?: KindValue[K];
  /** The ext-field key when it differs from the property name (SEND_MESSAGE_V2's `a`..`n`). */
  readonly wireName?: string;
}

export type AnyField = HeaderField<FieldKind, Presence>;
export type HeaderSchema = Readonly<Record<string, AnyField>>;

type RequiredKeys<S extends HeaderSchema> = {
  [K in keyof S]: S[K]['presence'] extends 'optional' ? never : K;
}[keyof S];
type OptionalKeys<S extends HeaderSchema> = Exclude<keyof S, RequiredKeys<S>>;
type Simplify<T> = { [K in keyof T]: T[K] };

/** The decoded header: required and defaulted fields present, optional ones `| undefined`. */
export type HeaderValue<S extends HeaderSchema> = Simplify<
  { readonly [K in RequiredKeys<S>]: KindValue[S[K]['kind']] } & {
    readonly [K in OptionalKeys<S>]?: KindValue[S[K]['kind']] | undefined;
  }
>;

function field<K extends FieldKind>(kind: K): HeaderField<K, 'required'> {
  return { kind, presence: 'required' };
}

export const string = (): HeaderField<'string', 'required'> => field('string');
export const int = (): HeaderField<'int', 'required'> => field('int');
export const long = (): HeaderField<'long', 'required'> => field('long');
export const boolean = (): HeaderField<'boolean', 'required'> => field('boolean');
export const double = (): HeaderField<'double', 'required'> => field('double');

export function optional<K extends FieldKind>(base: HeaderField<K, Presence>): HeaderField<K, 'optional'> {
  return { kind: base.kind, presence: 'optional', wireName: base.wireName };
}

export function withDefault<K extends FieldKind>(
  base: HeaderField<K, Presence>,
  fallback: KindValue[K],
): HeaderField<K, 'default'> {
  return { kind: base.kind, presence: 'default', fallback, wireName: base.wireName };
}

/** The same field under another ext-field key. */
export function wireName<K extends FieldKind, P extends Presence>(
  base: HeaderField<K, P>,
  name: string,
): HeaderField<K, P> {
  return { ...base, wireName: name };
}

export const optionalString = (): HeaderField<'string', 'optional'> => optional(string());
export const optionalInt = (): HeaderField<'int', 'optional'> => optional(int());
export const optionalLong = (): HeaderField<'long', 'optional'> => optional(long());
export const optionalBoolean = (): HeaderField<'boolean', 'optional'> => optional(boolean());
