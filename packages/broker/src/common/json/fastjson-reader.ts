// A reader for the JSON dialect Alibaba fastjson writes (RocketMQ 4.x uses it for remoting headers,
// bodies and config files). Grammar = RFC 8259 JSON plus:
//
//   key        = string | bare-int | bare-name | object-key
//   bare-int   = ["-"] digit+                    maps with Integer/Long keys: {0:"10.0.0.5:10911"}
//   bare-name  = (letter | "_" | "$") (letter | digit | "_" | "$")*
//                                                fastjson's AllowUnQuotedFieldNames (hand-edited files)
//   object-key = object                          maps keyed by beans, only with `objectKeys: true`:
//                                                {{"brokerName":"b","queueId":0,"topic":"T"}:{...}}
//   a leading U+FEFF (byte-order mark) is skipped, as fastjson's scanner does.
//
// The result is a tree that loses nothing a caller may need: numbers keep their source text (Java
// longs do not fit a double), duplicate keys stay in order (callers decide; fastjson lets the last
// win), and object keys are kept apart from string keys so that plain-object callers never see them.
//
// Everything else is strict on purpose: the reader is also how damaged input is recognised, so a
// truncated document, a NUL-filled file tail or trailing garbage is an error, never a shorter value.
// Errors are JsonSyntaxError with a line and column; nothing else is thrown, whatever the input.

import { JsonSyntaxError } from './json-errors';

export type FastjsonValue =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'number'; readonly text: string }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'null' }
  | { readonly kind: 'array'; readonly items: readonly FastjsonValue[] }
  | FastjsonObject;

export interface FastjsonObject {
  readonly kind: 'object';
  /** Entries with string, quoted or bare keys, in document order (duplicates kept). */
  readonly entries: ReadonlyArray<readonly [string, FastjsonValue]>;
  /** Entries whose key is an object (only with `objectKeys: true`), in document order. */
  readonly objectKeyedEntries: ReadonlyArray<readonly [FastjsonObject, FastjsonValue]>;
}

export interface FastjsonReadOptions {
  /**
   * Accept objects as map keys (fastjson's MessageQueue-keyed maps in admin bodies). Off by
   * default: headers and config files never contain them, and there they mean damage.
   */
  readonly objectKeys?: boolean;
}

/** Nesting deeper than this is refused: real documents nest < 10 levels, and recursion must stay bounded. */
export const FASTJSON_MAX_DEPTH = 64;

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

/** Parses one document of fastjson's dialect (grammar above); throws JsonSyntaxError. */
export function parseFastjson(text: string, options: FastjsonReadOptions = {}): FastjsonValue {
  return new Scanner(text, options.objectKeys === true).document();
}

/** The value of `key` in `object`, the last one when the key is repeated (fastjson's rule). */
export function fastjsonField(object: FastjsonObject, key: string): FastjsonValue | undefined {
  for (let i = object.entries.length - 1; i >= 0; i--) {
    const entry = object.entries[i];
    if (entry !== undefined && entry[0] === key) return entry[1];
  }
  return undefined;
}

const NULL_VALUE: FastjsonValue = { kind: 'null' };
const TRUE_VALUE: FastjsonValue = { kind: 'boolean', value: true };
const FALSE_VALUE: FastjsonValue = { kind: 'boolean', value: false };

class Scanner {
  #at = 0;
  readonly #text: string;
  readonly #objectKeys: boolean;

  constructor(text: string, objectKeys: boolean) {
    this.#text = text;
    this.#objectKeys = objectKeys;
  }

  document(): FastjsonValue {
    if (this.#text.charCodeAt(0) === 0xfeff) this.#at = 1;
    this.#skipWhitespace();
    if (this.#at >= this.#text.length) throw this.#error('the document is empty');
    const value = this.#value(1);
    this.#skipWhitespace();
    if (this.#at < this.#text.length) throw this.#error('unexpected data after the end of the document');
    return value;
  }

  #value(depth: number): FastjsonValue {
    if (depth > FASTJSON_MAX_DEPTH) throw this.#error(`nesting deeper than ${FASTJSON_MAX_DEPTH} levels`);
    const char = this.#text[this.#at];
    switch (char) {
      case '{':
        return this.#object(depth);
      case '[':
        return this.#array(depth);
      case '"':
        return { kind: 'string', value: this.#string() };
      case 't':
        return this.#literal('true', TRUE_VALUE);
      case 'f':
        return this.#literal('false', FALSE_VALUE);
      case 'n':
        return this.#literal('null', NULL_VALUE);
      case undefined:
        throw this.#error('the document ends where a value was expected');
      default:
        if (char === '-' || (char >= '0' && char <= '9')) return this.#number();
        throw this.#error(`unexpected ${describe(char)} where a value was expected`);
    }
  }

  #object(depth: number): FastjsonObject {
    this.#at++; // '{'
    const entries: Array<readonly [string, FastjsonValue]> = [];
    const objectKeyedEntries: Array<readonly [FastjsonObject, FastjsonValue]> = [];
    const result: FastjsonObject = { kind: 'object', entries, objectKeyedEntries };
    this.#skipWhitespace();
    if (this.#text[this.#at] === '}') {
      this.#at++;
      return result;
    }
    for (;;) {
      this.#skipWhitespace();
      const key = this.#key(depth);
      this.#skipWhitespace();
      this.#expect(':', 'after an object key');
      this.#skipWhitespace();
      const value = this.#value(depth + 1);
      if (typeof key === 'string') entries.push([key, value]);
      else objectKeyedEntries.push([key, value]);
      this.#skipWhitespace();
      const next = this.#text[this.#at];
      this.#at++;
      if (next === ',') continue;
      if (next === '}') return result;
      this.#at--;
      throw this.#error(`expected ',' or '}' in an object, found ${describe(next)}`);
    }
  }

  #array(depth: number): FastjsonValue {
    this.#at++; // '['
    const items: FastjsonValue[] = [];
    this.#skipWhitespace();
    if (this.#text[this.#at] === ']') {
      this.#at++;
      return { kind: 'array', items };
    }
    for (;;) {
      this.#skipWhitespace();
      items.push(this.#value(depth + 1));
      this.#skipWhitespace();
      const next = this.#text[this.#at];
      this.#at++;
      if (next === ',') continue;
      if (next === ']') return { kind: 'array', items };
      this.#at--;
      throw this.#error(`expected ',' or ']' in an array, found ${describe(next)}`);
    }
  }

  #key(depth: number): string | FastjsonObject {
    const char = this.#text[this.#at];
    if (char === '"') return this.#string();
    if (char === '{' && this.#objectKeys) {
      if (depth + 1 > FASTJSON_MAX_DEPTH)
        throw this.#error(`nesting deeper than ${FASTJSON_MAX_DEPTH} levels`);
      return this.#object(depth + 1);
    }
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

  #number(): FastjsonValue {
    const token = this.#token(NUMBER);
    if (token === undefined) throw this.#error('malformed number');
    return { kind: 'number', text: token };
  }

  #literal(word: string, value: FastjsonValue): FastjsonValue {
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

  #error(problem: string): JsonSyntaxError {
    // Located only on failure, so the happy path does not count lines.
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < this.#at && i < this.#text.length; i++) {
      if (this.#text.charCodeAt(i) === 0x0a) {
        line++;
        lineStart = i + 1;
      }
    }
    return new JsonSyntaxError(problem, this.#at, line, this.#at - lineStart + 1);
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
