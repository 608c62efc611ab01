// A writer of the JSON dialect fastjson emits for RocketMQ's beans and maps.
//
//   bean (plain object)  -> fields sorted by name (fastjson's default field order), undefined omitted
//   Map<string, V>       -> {"k":v}               keys sorted, so output is stable
//   Map<number, V>       -> legacy:   {0:"a",1:"b"}   bare keys, what every 4.x component writes
//                           standard: {"0":"a"}       RFC 8259, what a 4.9.4+ name server sends for
//                                                     GET_ROUTEINFO_BY_TOPIC to clients that ask
//   Map<bean, V>         -> legacy:   {{"brokerName":"b","queueId":0,"topic":"T"}:{...}}
//                                     (TopicStatsTable, ConsumeStats: Java admin tools read this form)
//                           standard: the key's legacy text as a string key, so the output is valid
//                                     JSON and the key is still recoverable
//   strings              -> legacy: non-ASCII raw (UTF-8 on the wire); standard: non-ASCII as \uXXXX
//
// Numbers must be finite; integers are written without a fraction. Everything not listed above is a
// programming error (JsonWriteError naming the path).

import { JsonWriteError } from './json-errors';

export type FastjsonMode = 'legacy' | 'standard';

export type FastjsonMapKey = string | number | FastjsonBean;

export type FastjsonWritable =
  | null
  | boolean
  | number
  | string
  | readonly FastjsonWritable[]
  | ReadonlyMap<FastjsonMapKey, FastjsonWritable>
  | FastjsonBean;

/** A Java bean as fastjson sees it: its fields; undefined ones (Java nulls) are not written. */
export interface FastjsonBean {
  readonly [field: string]: FastjsonWritable | undefined;
}

export interface FastjsonWriteOptions {
  /** Defaults to 'legacy', fastjson's own output. */
  readonly mode?: FastjsonMode;
}

/** `value` as fastjson would write it; throws JsonWriteError on values JSON cannot carry. */
export function writeFastjson(value: FastjsonWritable, options: FastjsonWriteOptions = {}): string {
  const writer = new Writer(options.mode ?? 'legacy');
  writer.value(value, '');
  return writer.parts.join('');
}

/** UTF-8 bytes of {@link writeFastjson}: what goes into a remoting body. */
export function writeFastjsonBytes(value: FastjsonWritable, options: FastjsonWriteOptions = {}): Buffer {
  return Buffer.from(writeFastjson(value, options), 'utf8');
}

const MAX_DEPTH = 64;

function compareText(a: string, b: string): number {
  // UTF-16 code-unit order, as Java's String.compareTo.
  return a < b ? -1 : a > b ? 1 : 0;
}

class Writer {
  readonly parts: string[] = [];
  readonly #mode: FastjsonMode;
  #depth = 0;

  constructor(mode: FastjsonMode) {
    this.#mode = mode;
  }

  value(value: FastjsonWritable, path: string): void {
    if (value === null) {
      this.parts.push('null');
    } else if (typeof value === 'boolean') {
      this.parts.push(value ? 'true' : 'false');
    } else if (typeof value === 'number') {
      this.parts.push(this.#number(value, path));
    } else if (typeof value === 'string') {
      this.parts.push(this.#string(value));
    } else if (typeof value !== 'object') {
      throw new JsonWriteError(path, `a ${typeof value} has no JSON form`);
    } else {
      this.#nested(value, path);
    }
  }

  #nested(
    value: readonly FastjsonWritable[] | ReadonlyMap<FastjsonMapKey, FastjsonWritable> | FastjsonBean,
    path: string,
  ): void {
    // Deep enough for every RocketMQ body; deeper means a cycle, which would otherwise overflow the stack.
    if (++this.#depth > MAX_DEPTH)
      throw new JsonWriteError(path, `nested deeper than ${MAX_DEPTH} levels (a cycle?)`);
    if (Array.isArray(value)) this.#array(value as readonly FastjsonWritable[], path);
    else if (value instanceof Map) this.#map(value as ReadonlyMap<FastjsonMapKey, FastjsonWritable>, path);
    else this.#bean(value as FastjsonBean, path);
    this.#depth--;
  }

  #array(items: readonly FastjsonWritable[], path: string): void {
    this.parts.push('[');
    items.forEach((item, index) => {
      if (index > 0) this.parts.push(',');
      this.value(item, `${path}[${index}]`);
    });
    this.parts.push(']');
  }

  #bean(bean: FastjsonBean, path: string): void {
    const names = Object.keys(bean)
      .filter((name) => bean[name] !== undefined)
      .sort(compareText);
    this.parts.push('{');
    names.forEach((name, index) => {
      if (index > 0) this.parts.push(',');
      this.parts.push(this.#string(name), ':');
      this.value(bean[name] ?? null, path === '' ? name : `${path}.${name}`);
    });
    this.parts.push('}');
  }

  #map(map: ReadonlyMap<FastjsonMapKey, FastjsonWritable>, path: string): void {
    const entries = [...map].map(([key, value]) => ({ key, text: this.#key(key, path), value }));
    entries.sort((a, b) =>
      typeof a.key === 'number' && typeof b.key === 'number' ? a.key - b.key : compareText(a.text, b.text),
    );
    this.parts.push('{');
    entries.forEach((entry, index) => {
      if (index > 0) this.parts.push(',');
      this.parts.push(entry.text, ':');
      this.value(entry.value, `${path}[${entry.text}]`);
    });
    this.parts.push('}');
  }

  #key(key: FastjsonMapKey, path: string): string {
    if (typeof key === 'string') return this.#string(key);
    if (typeof key === 'number') {
      const text = this.#number(key, `${path} key`);
      return this.#mode === 'legacy' ? text : this.#string(text);
    }
    if (typeof key !== 'object' || key === null || Array.isArray(key) || key instanceof Map) {
      throw new JsonWriteError(path, 'map keys must be strings, numbers or beans');
    }
    // A bean key is always written in legacy form first: in standard mode that text becomes the key.
    const keyWriter = new Writer('legacy');
    keyWriter.#depth = this.#depth;
    keyWriter.value(key, `${path} key`);
    const text = keyWriter.parts.join('');
    return this.#mode === 'legacy' ? text : this.#string(text);
  }

  #number(value: number, path: string): string {
    if (!Number.isFinite(value)) throw new JsonWriteError(path, `${value} is not a finite number`);
    if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
      throw new JsonWriteError(path, `${value} is beyond ±(2^53 - 1) and would not be written exactly`);
    }
    return Object.is(value, -0) ? '0' : String(value);
  }

  #string(value: string): string {
    const json = JSON.stringify(value);
    if (this.#mode === 'legacy') return json;
    return json.replace(
      /[\u007f-\uffff]/g,
      (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
  }
}
