// A JSON reader for the dialect fastjson writes: standard JSON plus object keys written bare
// (`{0:"a"}` for maps with numeric keys). Numbers keep their source text, because header values
// are Java longs that a double would round. It never throws: input from the network that is not
// this dialect, or nests deeper than `MAX_DEPTH`, is a RemotingDecodeError.

import { DecodeResult, RemotingDecodeError, decodeFailed, decoded } from './remoting-errors';

export type TolerantJsonValue =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'number'; readonly text: string }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'null' }
  | { readonly kind: 'array'; readonly items: readonly TolerantJsonValue[] }
  | { readonly kind: 'object'; readonly entries: ReadonlyArray<readonly [string, TolerantJsonValue]> };

/** Headers nest two levels; the cap only keeps hostile input from exhausting the stack. */
const MAX_DEPTH = 64;

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const BARE_KEY = /[A-Za-z0-9_$.+-]+/y;
const LITERAL = /true|false|null/y;

class Malformed {
  constructor(
    readonly at: number,
    readonly reason: string,
  ) {}
}

class Reader {
  #pos = 0;

  constructor(readonly text: string) {}

  parseDocument(): TolerantJsonValue {
    const value = this.#value(0);
    this.#skipWhitespace();
    if (this.#pos !== this.text.length) throw new Malformed(this.#pos, 'unexpected text after the value');
    return value;
  }

  #skipWhitespace(): void {
    const text = this.text;
    while (this.#pos < text.length) {
      const c = text.charCodeAt(this.#pos);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return;
      this.#pos++;
    }
  }

  #sticky(pattern: RegExp): string | undefined {
    pattern.lastIndex = this.#pos;
    const match = pattern.exec(this.text);
    if (match === null) return undefined;
    this.#pos += match[0].length;
    return match[0];
  }

  #value(depth: number): TolerantJsonValue {
    if (depth > MAX_DEPTH) throw new Malformed(this.#pos, `nested deeper than ${MAX_DEPTH} levels`);
    this.#skipWhitespace();
    const c = this.text[this.#pos];
    if (c === '{') return this.#object(depth);
    if (c === '[') return this.#array(depth);
    if (c === '"') return { kind: 'string', value: this.#string() };
    const number = this.#sticky(NUMBER);
    if (number !== undefined) return { kind: 'number', text: number };
    const literal = this.#sticky(LITERAL);
    if (literal === 'null') return { kind: 'null' };
    if (literal !== undefined) return { kind: 'boolean', value: literal === 'true' };
    throw new Malformed(this.#pos, c === undefined ? 'unexpected end of text' : 'expected a value');
  }

  #expect(char: string): void {
    this.#skipWhitespace();
    if (this.text[this.#pos] !== char) throw new Malformed(this.#pos, `expected '${char}'`);
    this.#pos++;
  }

  /** True (and consumes it) when the next token is `close`; otherwise requires a comma unless first. */
  #atClose(close: string, first: boolean): boolean {
    this.#skipWhitespace();
    if (this.text[this.#pos] === close) {
      this.#pos++;
      return true;
    }
    if (!first) this.#expect(',');
    return false;
  }

  #object(depth: number): TolerantJsonValue {
    this.#pos++; // '{'
    const entries: Array<readonly [string, TolerantJsonValue]> = [];
    while (!this.#atClose('}', entries.length === 0)) {
      this.#skipWhitespace();
      const key = this.text[this.#pos] === '"' ? this.#string() : this.#sticky(BARE_KEY);
      if (key === undefined) throw new Malformed(this.#pos, 'expected an object key');
      this.#expect(':');
      entries.push([key, this.#value(depth + 1)]);
    }
    return { kind: 'object', entries };
  }

  #array(depth: number): TolerantJsonValue {
    this.#pos++; // '['
    const items: TolerantJsonValue[] = [];
    while (!this.#atClose(']', items.length === 0)) items.push(this.#value(depth + 1));
    return { kind: 'array', items };
  }

  #string(): string {
    const start = this.#pos;
    const text = this.text;
    let i = start + 1;
    // Escapes and raw control characters (which JSON forbids) go the strict way, through JSON.parse.
    let needsStrictParse = false;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x22) break;
      if (c === 0x5c) {
        needsStrictParse = true;
        i += 2;
      } else {
        if (c < 0x20) needsStrictParse = true;
        i++;
      }
    }
    if (i >= text.length) throw new Malformed(start, 'unterminated string');
    this.#pos = i + 1;
    if (!needsStrictParse) return text.slice(start + 1, i);
    return parseStringLiteral(text.slice(start, i + 1), start);
  }
}

function parseStringLiteral(literal: string, at: number): string {
  try {
    // JSON.parse is the reference for escapes; its exception is turned into a decode result here.
    return JSON.parse(literal) as string;
  } catch (error: unknown) {
    throw new Malformed(at, `invalid string literal (${error instanceof Error ? error.message : 'unknown'})`);
  }
}

export function parseTolerantJson(text: string): DecodeResult<TolerantJsonValue> {
  try {
    return decoded(new Reader(text).parseDocument());
  } catch (error: unknown) {
    if (error instanceof Malformed) {
      return decodeFailed(
        new RemotingDecodeError('header-malformed', `JSON header: ${error.reason} at character ${error.at}`),
      );
    }
    throw error;
  }
}
