// Java .properties files, as RocketMQ operators write them (`broker.properties`), keeping line
// numbers so config problems can point at the line to fix.
//
// Follows java.util.Properties#load: `#`/`!` comments, `key=value` or `key:value` with whitespace
// around key and separator ignored, a line ending in an odd number of backslashes continues on the
// next (whose leading whitespace is dropped), escapes \t \n \r \f \\ \uXXXX, and \= \: \# \! \<space>
// standing for themselves. Trailing whitespace of a value is kept, as in Java.
//
// Deliberately stricter than Java where Java silently does something surprising; each of these is
// a problem (returned, not thrown, so the config layer can report everything at once):
//   - a line with no `=` or `:` (Java splits `brokerName broker-a` at the space);
//   - a space inside a key (Java would split `broker name=a` into key `broker`, value `name=a`);
//   - an unknown escape (Java drops the backslash, so `C:\data` becomes `C:data`);
//   - a malformed \uXXXX (Java throws);
//   - a key given twice (Java keeps the later value; so do we, after reporting both lines).
// Input is text: decoding the file (UTF-8, where Java would assume ISO-8859-1) is the caller's.

import type { ConfigProblem } from './errors';

export interface PropertyEntry {
  readonly key: string;
  readonly value: string;
  /** 1-based line where the entry starts (its first line, if it is continued). */
  readonly line: number;
}

export interface ParsedProperties {
  /** One entry per key, the later one where a key is repeated, in line order. */
  readonly entries: readonly PropertyEntry[];
  readonly problems: readonly ConfigProblem[];
}

const WHITESPACE = new Set([' ', '\t', '\f']);
const SIMPLE_ESCAPES = new Map([
  ['t', '\t'],
  ['n', '\n'],
  ['r', '\r'],
  ['f', '\f'],
  ['\\', '\\'],
  ['=', '='],
  [':', ':'],
  ['#', '#'],
  ['!', '!'],
  [' ', ' '],
]);

/** A character of a logical line after unescaping; `escaped` ones never act as syntax. */
interface Char {
  readonly char: string;
  readonly escaped: boolean;
}

export function parseProperties(text: string, options: { readonly source?: string } = {}): ParsedProperties {
  const problems: ConfigProblem[] = [];
  const report = (line: number, message: string, extra: Partial<ConfigProblem> = {}) =>
    problems.push({
      kind: 'syntax',
      ...(options.source === undefined ? {} : { source: options.source }),
      line,
      message,
      ...extra,
    });

  const byKey = new Map<string, PropertyEntry>();
  for (const { text: logical, line } of logicalLines(text)) {
    const entry = parseEntry(logical, line, report);
    if (entry === undefined) continue;
    const earlier = byKey.get(entry.key);
    if (earlier !== undefined) {
      report(line, `duplicate key, also set on line ${earlier.line}; the later value wins, keep one`, {
        kind: 'duplicate-key',
        key: entry.key,
      });
      byKey.delete(entry.key); // re-inserted below, so entries stay in line order
    }
    byKey.set(entry.key, entry);
  }
  return { entries: [...byKey.values()], problems };
}

/** Joins continued lines; skips blank and comment lines. */
function* logicalLines(text: string): Generator<{ text: string; line: number }> {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    let logical = stripLeadingWhitespace(lines[i] ?? '');
    if (logical === '' || logical.startsWith('#') || logical.startsWith('!')) continue;
    while (endsWithOddBackslashes(logical) && i + 1 < lines.length) {
      i++;
      logical = logical.slice(0, -1) + stripLeadingWhitespace(lines[i] ?? '');
    }
    // A continuation on the last line continues into nothing: drop the backslash, as Java does.
    if (endsWithOddBackslashes(logical)) logical = logical.slice(0, -1);
    yield { text: logical, line };
  }
}

function stripLeadingWhitespace(s: string): string {
  let start = 0;
  while (start < s.length && WHITESPACE.has(s.charAt(start))) start++;
  return s.slice(start);
}

function endsWithOddBackslashes(s: string): boolean {
  let count = 0;
  for (let i = s.length - 1; i >= 0 && s[i] === '\\'; i--) count++;
  return count % 2 === 1;
}

function parseEntry(
  logical: string,
  line: number,
  report: (line: number, message: string, extra?: Partial<ConfigProblem>) => void,
): PropertyEntry | undefined {
  const chars = unescape(logical, (message) => report(line, message));
  if (chars === undefined) return undefined;
  const sep = chars.findIndex((c) => !c.escaped && (c.char === '=' || c.char === ':'));
  if (sep < 0) {
    const fix = /[ \t\f]/.test(logical) ? logical.replace(/[ \t\f]+/, '=') : `${logical}=<value>`;
    report(line, `'${logical}' is neither a comment nor key=value; write ${fix}`);
    return undefined;
  }
  const keyChars = chars.slice(0, sep);
  while (keyChars.length > 0 && isSpace(keyChars[keyChars.length - 1])) keyChars.pop();
  const key = keyChars.map((c) => c.char).join('');
  if (key === '') {
    report(line, `'${logical}' has no key before '${chars[sep]?.char}'; write key=value`);
    return undefined;
  }
  if (keyChars.some(isSpace)) {
    const fix = key.replace(/[ \t\f]+/g, '');
    report(
      line,
      `key '${key}' contains whitespace, which Java would read as the end of the key; write ${fix}`,
      {
        key,
      },
    );
    return undefined;
  }
  let start = sep + 1;
  while (start < chars.length && isSpace(chars[start])) start++;
  const value = chars
    .slice(start)
    .map((c) => c.char)
    .join('');
  return { key, value, line };
}

function isSpace(c: Char | undefined): boolean {
  return c !== undefined && !c.escaped && WHITESPACE.has(c.char);
}

/** Decodes escapes; reports each bad one and returns undefined if there was any. */
function unescape(logical: string, report: (message: string) => void): Char[] | undefined {
  const chars: Char[] = [];
  let ok = true;
  for (let i = 0; i < logical.length; i++) {
    const c = logical.charAt(i);
    if (c !== '\\') {
      chars.push({ char: c, escaped: false });
      continue;
    }
    const next = logical.charAt(++i);
    const simple = SIMPLE_ESCAPES.get(next);
    if (simple !== undefined) {
      chars.push({ char: simple, escaped: true });
    } else if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(logical.slice(i + 1, i + 5))) {
      chars.push({ char: String.fromCharCode(parseInt(logical.slice(i + 1, i + 5), 16)), escaped: true });
      i += 4;
    } else if (next === 'u') {
      ok = false;
      report(`malformed escape '\\u${logical.slice(i + 1, i + 5)}': \\u takes exactly 4 hex digits`);
    } else {
      ok = false;
      report(
        `'\\${next}' is not an escape (Java would drop the backslash); write '\\\\' for a backslash, or use '/' in paths`,
      );
    }
  }
  return ok ? chars : undefined;
}
