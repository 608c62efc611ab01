// Typed reading of parsed metadata JSON. Every failure names the JSON path of the offending value
// (e.g. `topicConfigTable.TopicA.readQueueNums`) so an operator can find it in the file.
//
// Missing fields and `null` take the Java field's default, as fastjson leaves a bean field at its
// initial value when the key is absent. Unknown fields are not errors (newer RocketMQ versions add
// fields); they are reported so the loader can say what the next write will drop.

import { MetadataFormatError } from './metadata-errors';
import type { JsonObject, JsonValue } from './tolerant-json';

export const JAVA_INT_MIN = -2_147_483_648;
export const JAVA_INT_MAX = 2_147_483_647;

export function isJavaInt(value: unknown): value is number {
  return (
    typeof value === 'number' && Number.isInteger(value) && value >= JAVA_INT_MIN && value <= JAVA_INT_MAX
  );
}

/** A Java long that a JS number holds exactly (offsets and timestamps stay far below 2^53). */
export function isJavaLong(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function expectObject(value: JsonValue | undefined, where: string): JsonObject {
  if (!isJsonObject(value))
    throw new MetadataFormatError(`${where}: expected an object, found ${kindOf(value)}`);
  return value;
}

/** Joins a JSON path for messages: `a.b`, or `a["odd key"]` when the key is not a plain name. */
export function childPath(parent: string, key: string): string {
  const child = /^[A-Za-z0-9_$%|-]+$/.test(key) ? key : JSON.stringify(key);
  if (parent === '') return child;
  return child.startsWith('"') ? `${parent}[${child}]` : `${parent}.${child}`;
}

/** A map key holding a Java int (fastjson writes them bare, standard JSON quoted; both arrive as text). */
export function parseIntKey(key: string, where: string, min: number): number {
  const value = /^-?[0-9]+$/.test(key) ? Number(key) : Number.NaN;
  if (!isJavaInt(value) || value < min) {
    throw new MetadataFormatError(`${where}: key ${JSON.stringify(key)} is not an integer >= ${min}`);
  }
  return value;
}

/** Reads the fields of one JSON object (a bean in RocketMQ terms), remembering which were read. */
export class FieldReader {
  readonly where: string;
  readonly #object: JsonObject;
  readonly #read = new Set<string>();

  constructor(value: JsonValue | undefined, where: string) {
    this.#object = expectObject(value, where);
    this.where = where;
  }

  int(key: string, fallback: number, min = JAVA_INT_MIN): number {
    const value = this.#take(key);
    if (value === undefined) return fallback;
    if (!isJavaInt(value) || value < min) throw this.#wrong(key, value, `an integer >= ${min} (Java int)`);
    return value;
  }

  long(key: string, fallback: number): number {
    const value = this.#take(key);
    if (value === undefined) return fallback;
    if (!isJavaLong(value)) throw this.#wrong(key, value, 'an integer within ±(2^53 - 1) (Java long)');
    return value;
  }

  bool(key: string, fallback: boolean): boolean {
    const value = this.#take(key);
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') throw this.#wrong(key, value, 'true or false');
    return value;
  }

  string(key: string): string | undefined {
    const value = this.#take(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw this.#wrong(key, value, 'a string');
    return value;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
    const value = this.#take(key);
    if (value === undefined) return fallback;
    const match = allowed.find((candidate) => candidate === value);
    if (match === undefined) throw this.#wrong(key, value, `one of ${allowed.join(', ')}`);
    return match;
  }

  /** A nested value as is (for maps and nested beans), or undefined when absent or null. */
  raw(key: string): JsonValue | undefined {
    return this.#take(key);
  }

  /** JSON paths of the fields that were present but never read. */
  unread(): string[] {
    return Object.keys(this.#object)
      .filter((key) => !this.#read.has(key))
      .map((key) => childPath(this.where, key));
  }

  #take(key: string): JsonValue | undefined {
    this.#read.add(key);
    const value = Object.hasOwn(this.#object, key) ? this.#object[key] : undefined;
    return value === null ? undefined : value;
  }

  #wrong(key: string, value: JsonValue, expected: string): MetadataFormatError {
    return new MetadataFormatError(
      `${childPath(this.where, key)}: expected ${expected}, found ${JSON.stringify(value)}`,
    );
  }
}

function kindOf(value: JsonValue | undefined): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/**
 * A record for JSON output with no prototype, so that a table key like `__proto__` (a valid topic
 * or group name) is stored as an entry instead of replacing the prototype and vanishing.
 */
export function emptyRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** `[key, value]` pairs ordered by key, so the files Keel writes are stable and diffable. */
export function sortedByKey<K extends string | number, V>(map: ReadonlyMap<K, V>): [K, V][] {
  return [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** A copy of `input` without the keys whose value is undefined, so spreading it keeps defaults. */
export function withoutUndefined<T extends object>(input: T): T {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)) as T;
}
