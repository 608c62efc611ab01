// A JSON reader for the dialect RocketMQ's fastjson writes into config/*.json.
//
// fastjson writes maps with non-String keys (Map<Integer, Long> in consumerOffset.json and
// delayOffset.json) with *bare* keys, e.g. `{"offsetTable":{"T@G":{0:12,1:30}}}`, which JSON.parse
// rejects. Grammar accepted here = RFC 8259 JSON plus:
//
//   key      = string | bare-int | bare-name
//   bare-int = ["-"] digit+                       fastjson's Integer/Long map keys
//   bare-name= (letter | "_" | "$") (letter | digit | "_" | "$")*
//                                                fastjson's AllowUnQuotedFieldNames (hand-edited files)
//   a leading U+FEFF (byte-order mark) is skipped (files saved by Windows editors)
//
// Everything else stays strict on purpose: the parser is also how a damaged file is recognised, so
// a truncated document, a NUL-filled tail (what some file systems leave after a crash) or trailing
// garbage must be an error, never a silently shortened table. Objects used *as keys* (fastjson's
// MessageQueue-keyed maps in admin bodies) never occur in these files and are rejected.
//
// A hand-written scanner (sticky RegExps for the tokens) rather than a regex pre-pass over the text:
// a pre-pass cannot tell a key from the same characters inside a string, and the scanner can say
// where (line, column) a damaged file goes wrong.

import { MetadataFormatError } from './metadata-errors';

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | JsonObject;

/**
 * A parsed JSON object. It has no prototype, so keys such as `__proto__` (a legal group name) are
 * plain entries; read it with `Object.keys` / indexing only.
 */
export interface JsonObject {
  readonly [key: string]: JsonValue;
}

/** Nesting deeper than this is refused: metadata files nest 4 levels, and recursion must stay bounded. */
const MAX_DEPTH = 64;

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const BARE_INT_KEY = /-?[0-9]+/y;
const BARE_NAME_KEY = /[A-Za-z_$][A-Za-z0-9_$]*/y;
const HEX4 = /^[0-9A-Fa-f]{4}$/;

const ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

/** Parses standard JSON or fastjson's dialect (see the grammar above); throws MetadataFormatError. */
export function parseTolerantJson(text: string): JsonValue {
  return new Scanner(text).document();
}

class Scanner {
  #at = 0;
  readonly #text: string;

  constructor(text: string) {
    this.#text = text;
  }

  document(): JsonValue {
    if (this.#text.charCodeAt(0) === 0xfeff) this.#at = 1;
    this.#skipWhitespace();
    if (this.#at >= this.#text.length) throw this.#error('the document is empty');
    const value = this.#value(1);
    this.#skipWhitespace();
    if (this.#at < this.#text.length) throw this.#error('unexpected data after the end of the document');
    return value;
  }

  #value(depth: number): JsonValue {
    if (depth > MAX_DEPTH) throw this.#error(`nesting deeper than ${MAX_DEPTH} levels`);
    const char = this.#text[this.#at];
    switch (char) {
      case '{':
        return this.#object(depth);
      case '[':
        return this.#array(depth);
      case '"':
        return this.#string();
      case 't':
        return this.#literal('true', true);
      case 'f':
        return this.#literal('false', false);
      case 'n':
        return this.#literal('null', null);
      case undefined:
        throw this.#error('the document ends where a value was expected');
      default:
        if (char === '-' || (char >= '0' && char <= '9')) return this.#number();
        throw this.#error(`unexpected ${describe(char)} where a value was expected`);
    }
  }

  #object(depth: number): JsonObject {
    this.#at++; // '{'
    const object: Record<string, JsonValue> = Object.create(null) as Record<string, JsonValue>;
    this.#skipWhitespace();
    if (this.#text[this.#at] === '}') {
      this.#at++;
      return object;
    }
    for (;;) {
      this.#skipWhitespace();
      const key = this.#key();
      this.#skipWhitespace();
      this.#expect(':', 'after an object key');
      this.#skipWhitespace();
      // Duplicate keys: the last one wins, as with JSON.parse and fastjson.
      object[key] = this.#value(depth + 1);
      this.#skipWhitespace();
      const next = this.#text[this.#at];
      this.#at++;
      if (next === ',') continue;
      if (next === '}') return object;
      this.#at--;
      throw this.#error(`expected ',' or '}' in an object, found ${describe(next)}`);
    }
  }

  #array(depth: number): JsonValue[] {
    this.#at++; // '['
    const array: JsonValue[] = [];
    this.#skipWhitespace();
    if (this.#text[this.#at] === ']') {
      this.#at++;
      return array;
    }
    for (;;) {
      this.#skipWhitespace();
      array.push(this.#value(depth + 1));
      this.#skipWhitespace();
      const next = this.#text[this.#at];
      this.#at++;
      if (next === ',') continue;
      if (next === ']') return array;
      this.#at--;
      throw this.#error(`expected ',' or ']' in an array, found ${describe(next)}`);
    }
  }

  #key(): string {
    const char = this.#text[this.#at];
    if (char === '"') return this.#string();
    const bare = this.#token(BARE_INT_KEY) ?? this.#token(BARE_NAME_KEY);
    if (bare !== undefined) return bare;
    if (char === '{' || char === '[') throw this.#error('objects and arrays cannot be object keys here');
    throw this.#error(`expected an object key, found ${describe(char)}`);
  }

  #string(): string {
    const start = this.#at;
    this.#at++; // opening quote
    let result = '';
    let runStart = this.#at;
    for (;;) {
      const code = this.#text.charCodeAt(this.#at);
      if (Number.isNaN(code)) {
        this.#at = start;
        throw this.#error('unterminated string');
      }
      if (code === 0x22 /* " */) {
        result += this.#text.slice(runStart, this.#at);
        this.#at++;
        return result;
      }
      if (code < 0x20) throw this.#error(`control character U+${hex4(code)} inside a string`);
      if (code === 0x5c /* \ */) {
        result += this.#text.slice(runStart, this.#at);
        result += this.#escape();
        runStart = this.#at;
        continue;
      }
      this.#at++;
    }
  }

  #escape(): string {
    const kind = this.#text[this.#at + 1];
    if (kind === 'u') {
      const digits = this.#text.slice(this.#at + 2, this.#at + 6);
      if (!HEX4.test(digits)) throw this.#error('invalid \\u escape');
      this.#at += 6;
      return String.fromCharCode(Number.parseInt(digits, 16));
    }
    const replacement = kind === undefined ? undefined : ESCAPES[kind];
    if (replacement === undefined) throw this.#error(`invalid escape \\${kind ?? ''}`);
    this.#at += 2;
    return replacement;
  }

  #number(): number {
    const token = this.#token(NUMBER);
    if (token === undefined) throw this.#error('malformed number');
    return Number(token);
  }

  #literal<T extends boolean | null>(word: string, value: T): T {
    if (this.#text.startsWith(word, this.#at)) {
      this.#at += word.length;
      return value;
    }
    throw this.#error(`unexpected ${describe(this.#text[this.#at])} where a value was expected`);
  }

  #token(pattern: RegExp): string | undefined {
    pattern.lastIndex = this.#at;
    const match = pattern.exec(this.#text);
    if (match === null) return undefined;
    this.#at = pattern.lastIndex;
    return match[0];
  }

  #expect(char: string, context: string): void {
    if (this.#text[this.#at] !== char) {
      throw this.#error(`expected '${char}' ${context}, found ${describe(this.#text[this.#at])}`);
    }
    this.#at++;
  }

  #skipWhitespace(): void {
    for (;;) {
      const code = this.#text.charCodeAt(this.#at);
      if (code !== 0x20 && code !== 0x0a && code !== 0x0d && code !== 0x09) return;
      this.#at++;
    }
  }

  #error(problem: string): MetadataFormatError {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < this.#at && i < this.#text.length; i++) {
      if (this.#text.charCodeAt(i) === 0x0a) {
        line++;
        lineStart = i + 1;
      }
    }
    return new MetadataFormatError(`line ${line}, column ${this.#at - lineStart + 1}: ${problem}`);
  }
}

function describe(char: string | undefined): string {
  if (char === undefined) return 'the end of the document';
  const code = char.charCodeAt(0);
  return code < 0x20 || code === 0x7f ? `character U+${hex4(code)}` : `'${char}'`;
}

function hex4(code: number): string {
  return code.toString(16).toUpperCase().padStart(4, '0');
}
