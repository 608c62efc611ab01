// JSON header (serializeType 0), as fastjson writes a RemotingCommand:
//
//   {"code":105,"extFields":{"topic":"T"},"flag":0,"language":"JAVA","opaque":1,
//    "serializeTypeCurrentRPC":"JSON","version":409}
//
// Keys in alphabetical order; null fields (remark, extFields) omitted; `serializeTypeCurrentRPC`
// present because Java exposes a getter for it. The body is not part of the header.
//
// Reading is lenient in the ways real senders differ: any key order, unknown keys ignored, ext
// field values given as strings, numbers or booleans (normalised to their text, numbers keeping
// their source digits), fastjson's bare object keys, numeric fields given as strings. A null ext
// field value is dropped, as Java's header mapping treats it as absent. `code` and `opaque` are
// required; a missing `flag` or `version` is 0 and a missing `language` JAVA (Java's defaults).

import { LanguageName, languageFromCode, languageFromName } from './language-code';
import { RemotingHeader } from './remoting-command';
import {
  DecodeResult,
  RemotingDecodeError,
  RemotingEncodeError,
  decodeFailed,
  decoded,
} from './remoting-errors';
import { HeaderEncoding } from './header-encoding';
import { JsonSyntaxError } from '../../common/json/json-errors';
import { type FastjsonValue as TolerantJsonValue, parseFastjson } from '../../common/json/fastjson-reader';

const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;

function checkInt32(field: string, value: number): void {
  if (!Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX) {
    throw new RemotingEncodeError(field, `${value} is not a Java int`);
  }
}

/** The header as fastjson would write it. */
export function jsonHeaderText(header: RemotingHeader): string {
  checkInt32('code', header.code);
  checkInt32('flag', header.flag);
  checkInt32('opaque', header.opaque);
  checkInt32('version', header.version);
  const parts = [`{"code":${header.code}`];
  if (header.extFields.size > 0) {
    const fields: string[] = [];
    for (const [key, value] of header.extFields)
      fields.push(`${JSON.stringify(key)}:${JSON.stringify(value)}`);
    parts.push(`"extFields":{${fields.join(',')}}`);
  }
  parts.push(`"flag":${header.flag}`, `"language":"${header.language}"`, `"opaque":${header.opaque}`);
  if (header.remark !== undefined) parts.push(`"remark":${JSON.stringify(header.remark)}`);
  parts.push(`"serializeTypeCurrentRPC":"JSON"`, `"version":${header.version}}`);
  return parts.join(',');
}

/** Measures the JSON header so that the frame encoder can write it into its single buffer. */
export function prepareJsonHeader(header: RemotingHeader): HeaderEncoding {
  const text = jsonHeaderText(header);
  const byteLength = Buffer.byteLength(text, 'utf8');
  return {
    byteLength,
    writeTo(target: Buffer, offset: number): void {
      target.write(text, offset, byteLength, 'utf8');
    },
  };
}

export function encodeJsonHeader(header: RemotingHeader): Buffer {
  return Buffer.from(jsonHeaderText(header), 'utf8');
}

class FieldProblem {
  constructor(readonly message: string) {}
}

function fieldInt32(field: string, value: TolerantJsonValue): number {
  const text =
    value.kind === 'number' ? value.text : value.kind === 'string' ? value.value.trim() : undefined;
  if (text === undefined || !/^-?\d{1,10}$/.test(text)) {
    throw new FieldProblem(`${field} must be an integer, got ${describe(value)}`);
  }
  const n = Number(text);
  if (n < INT32_MIN || n > INT32_MAX) throw new FieldProblem(`${field} ${text} does not fit a Java int`);
  return n;
}

function fieldLanguage(value: TolerantJsonValue): LanguageName {
  // fastjson also accepts an enum's ordinal, which is its code for LanguageCode.
  if (value.kind === 'string') return languageFromName(value.value);
  if (value.kind === 'number' && /^\d{1,3}$/.test(value.text)) return languageFromCode(Number(value.text));
  throw new FieldProblem(`language must be a name, got ${describe(value)}`);
}

function fieldRemark(value: TolerantJsonValue): string | undefined {
  if (value.kind === 'null') return undefined;
  if (value.kind === 'string') return value.value;
  throw new FieldProblem(`remark must be a string, got ${describe(value)}`);
}

function fieldExtFields(value: TolerantJsonValue): Map<string, string> {
  const fields = new Map<string, string>();
  if (value.kind === 'null') return fields;
  if (value.kind !== 'object') throw new FieldProblem(`extFields must be an object, got ${describe(value)}`);
  for (const [key, entry] of value.entries) {
    if (entry.kind === 'string') fields.set(key, entry.value);
    else if (entry.kind === 'number') fields.set(key, entry.text);
    else if (entry.kind === 'boolean') fields.set(key, entry.value ? 'true' : 'false');
    else if (entry.kind === 'null') fields.delete(key);
    else
      throw new FieldProblem(`extFields.${key} must be a string, number or boolean, got ${describe(entry)}`);
  }
  return fields;
}

function describe(value: TolerantJsonValue): string {
  return value.kind === 'number' ? `number ${value.text}` : value.kind;
}

function headerFromObject(entries: ReadonlyArray<readonly [string, TolerantJsonValue]>): RemotingHeader {
  let code: number | undefined;
  let opaque: number | undefined;
  let flag = 0;
  let version = 0;
  let language: LanguageName = 'JAVA';
  let remark: string | undefined;
  let extFields = new Map<string, string>();
  // Later duplicates win, as they do in fastjson.
  for (const [key, value] of entries) {
    switch (key) {
      case 'code':
        code = fieldInt32('code', value);
        break;
      case 'opaque':
        opaque = fieldInt32('opaque', value);
        break;
      case 'flag':
        flag = fieldInt32('flag', value);
        break;
      case 'version':
        version = fieldInt32('version', value);
        break;
      case 'language':
        language = fieldLanguage(value);
        break;
      case 'remark':
        remark = fieldRemark(value);
        break;
      case 'extFields':
        extFields = fieldExtFields(value);
        break;
      default:
        break; // serializeTypeCurrentRPC and anything newer: the frame's type word is authoritative
    }
  }
  if (code === undefined) throw new FieldProblem('code is missing');
  if (opaque === undefined) throw new FieldProblem('opaque is missing');
  return { code, language, version, opaque, flag, remark, extFields };
}

export function decodeJsonHeader(bytes: Uint8Array): DecodeResult<RemotingHeader> {
  // Invalid UTF-8 becomes U+FFFD, as Java's `new String(bytes, UTF_8)` does.
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  let parsed: TolerantJsonValue;
  try {
    parsed = parseFastjson(text);
  } catch (error: unknown) {
    if (error instanceof JsonSyntaxError) {
      return decodeFailed(
        new RemotingDecodeError('header-malformed', `JSON header: ${error.message}`, { cause: error }),
      );
    }
    throw error;
  }
  if (parsed.kind !== 'object') {
    return decodeFailed(
      new RemotingDecodeError('header-malformed', `JSON header must be an object, got ${parsed.kind}`),
    );
  }
  try {
    return decoded(headerFromObject(parsed.entries));
  } catch (error: unknown) {
    if (error instanceof FieldProblem) {
      return decodeFailed(new RemotingDecodeError('field-invalid', `JSON header: ${error.message}`));
    }
    throw error;
  }
}
