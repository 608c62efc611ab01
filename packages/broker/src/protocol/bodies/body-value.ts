// Typed reading of a parsed JSON body. A BodyValue is one node of the tree plus where it sits
// (body class + JSON path), so every conversion can fail with a BodyDecodeError that names both.
//
// Leniency follows fastjson's bean mapping, which is what Java peers rely on: null is the same as
// absent; numbers may arrive as numeric strings; unknown fields are ignored (newer versions add some).

import { JsonSyntaxError } from '../../common/json/json-errors';
import {
  fastjsonField,
  parseFastjson,
  type FastjsonObject,
  type FastjsonValue,
} from '../../common/json/fastjson-reader';
import { BodyDecodeError } from './body-errors';

const INT_MIN = -0x80000000;
const INT_MAX = 0x7fffffff;
const INTEGER_TEXT = /^-?[0-9]+$/;

/** Parses a body's bytes (UTF-8) into a BodyValue; throws BodyDecodeError. */
export function parseBody(
  body: string,
  bytes: Uint8Array,
  options: { readonly objectKeys?: boolean; readonly path?: string } = {},
): BodyValue {
  const path = options.path ?? '';
  // Invalid UTF-8 becomes U+FFFD, as Java's `new String(bytes, UTF_8)` does.
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  try {
    return new BodyValue(body, path, parseFastjson(text, options));
  } catch (error: unknown) {
    if (error instanceof JsonSyntaxError) {
      throw new BodyDecodeError(body, path, `not JSON: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

function describe(value: FastjsonValue): string {
  switch (value.kind) {
    case 'number':
      return `number ${value.text}`;
    case 'string':
      return `string ${JSON.stringify(value.value.length > 40 ? `${value.value.slice(0, 40)}...` : value.value)}`;
    case 'boolean':
      return String(value.value);
    default:
      return value.kind === 'array' ? 'an array' : value.kind === 'object' ? 'an object' : 'null';
  }
}

export class BodyValue {
  readonly body: string;
  readonly path: string;
  readonly node: FastjsonValue;

  constructor(body: string, path: string, node: FastjsonValue) {
    this.body = body;
    this.path = path;
    this.node = node;
  }

  get isNull(): boolean {
    return this.node.kind === 'null';
  }

  fail(problem: string): BodyDecodeError {
    return new BodyDecodeError(this.body, this.path, problem);
  }

  #wrong(expected: string): BodyDecodeError {
    return this.fail(`expected ${expected}, found ${describe(this.node)}`);
  }

  #child(segment: string, node: FastjsonValue): BodyValue {
    const path =
      segment.startsWith('[') || this.path === '' ? `${this.path}${segment}` : `${this.path}.${segment}`;
    return new BodyValue(this.body, path, node);
  }

  string(): string {
    if (this.node.kind !== 'string') throw this.#wrong('a string');
    return this.node.value;
  }

  #integerText(expected: string): string {
    const text =
      this.node.kind === 'number'
        ? this.node.text
        : this.node.kind === 'string'
          ? this.node.value
          : undefined;
    if (text === undefined || !INTEGER_TEXT.test(text)) throw this.#wrong(expected);
    return text;
  }

  int(): number {
    const n = Number(this.#integerText('an int'));
    if (n < INT_MIN || n > INT_MAX) throw this.fail(`${n} is outside the Java int range`);
    return n;
  }

  /** A Java long that a JS number holds exactly. */
  long(): number {
    const text = this.#integerText('a long');
    const n = Number(text);
    if (!Number.isSafeInteger(n))
      throw this.fail(`${text} is beyond ±(2^53 - 1), which Keel cannot represent exactly`);
    return n;
  }

  double(): number {
    const text =
      this.node.kind === 'number'
        ? this.node.text
        : this.node.kind === 'string'
          ? this.node.value
          : undefined;
    const n = text === undefined || text.trim() === '' ? Number.NaN : Number(text);
    if (!Number.isFinite(n)) throw this.#wrong('a number');
    return n;
  }

  boolean(): boolean {
    if (this.node.kind === 'boolean') return this.node.value;
    if (this.node.kind === 'string' && (this.node.value === 'true' || this.node.value === 'false')) {
      return this.node.value === 'true';
    }
    throw this.#wrong('true or false');
  }

  oneOf<T extends string>(allowed: readonly T[]): T {
    const text = this.string();
    const match = allowed.find((candidate) => candidate === text);
    if (match === undefined) throw this.fail(`${JSON.stringify(text)} is not one of ${allowed.join(', ')}`);
    return match;
  }

  #object(): FastjsonObject {
    if (this.node.kind !== 'object') throw this.#wrong('an object');
    return this.node;
  }

  /** A field of this object; undefined when absent or null. */
  field(name: string): BodyValue | undefined {
    const node = fastjsonField(this.#object(), name);
    return node === undefined || node.kind === 'null' ? undefined : this.#child(name, node);
  }

  /** A field that must be present and not null. */
  required(name: string): BodyValue {
    const value = this.field(name);
    if (value === undefined) throw this.#child(name, { kind: 'null' }).fail('missing');
    return value;
  }

  /** Items of this array. */
  items(): BodyValue[] {
    if (this.node.kind !== 'array') throw this.#wrong('an array');
    return this.node.items.map((item, index) => this.#child(`[${index}]`, item));
  }

  /** String-keyed entries of this object (a Java map), the last of duplicate keys winning. */
  entries(): Array<[string, BodyValue]> {
    const object = this.#object();
    if (object.objectKeyedEntries.length > 0)
      throw this.fail('expected string keys, found an object as a key');
    const byKey = new Map<string, BodyValue>();
    for (const [key, node] of object.entries) {
      byKey.delete(key); // keep document order of the winning entry
      byKey.set(key, this.#child(`[${JSON.stringify(key)}]`, node));
    }
    return [...byKey];
  }

  /** Entries of a map keyed by beans (fastjson writes the bean as the key). */
  objectKeyedEntries(): Array<[BodyValue, BodyValue]> {
    const object = this.#object();
    if (object.entries.length > 0) {
      const first = object.entries[0];
      throw this.fail(`expected objects as keys, found the key ${JSON.stringify(first?.[0])}`);
    }
    return object.objectKeyedEntries.map(([key, node], index) => [
      this.#child(`[key ${index}]`, key),
      this.#child(`[${index}]`, node),
    ]);
  }
}

/** The items of an optional array field, converted; an absent field is an empty list. */
export function listField<T>(parent: BodyValue, name: string, read: (item: BodyValue) => T): T[] {
  return parent.field(name)?.items().map(read) ?? [];
}

/** An optional string-keyed map field, converted; an absent field is an empty map. */
export function mapField<T>(parent: BodyValue, name: string, read: (value: BodyValue) => T): Map<string, T> {
  const map = new Map<string, T>();
  for (const [key, value] of parent.field(name)?.entries() ?? []) map.set(key, read(value));
  return map;
}
