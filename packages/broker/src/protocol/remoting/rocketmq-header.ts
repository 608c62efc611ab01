// ROCKETMQ binary header (serializeType 1), `RocketMQSerializable.java`. Big-endian:
//
//   +------+------+---------+--------+------+---------+--------+---------+-----------------+
//   | code | lang | version | opaque | flag | remarkL | remark | extLen  | ext entries ... |
//   | i16  | u8   | i16     | i32    | i32  | i32 = R | R      | i32 = E | E bytes         |
//   +------+------+---------+--------+------+---------+--------+---------+-----------------+
//   ext entry: keyLen i16 | key UTF-8 | valueLen i32 | value UTF-8
//
// The fixed part is 21 bytes. A remark of length 0 is absent, so '' and undefined are the same on
// this wire. 4.9.8 reads a zero-length ext key or value as Java null, which header mapping treats
// as absent, so this decoder drops such entries; the encoder writes what it is given, like Java.
// Bytes after the ext section are ignored, as Java ignores them.

import { languageFromCode, LanguageCode } from './language-code';
import { RemotingHeader } from './remoting-command';
import {
  DecodeResult,
  RemotingDecodeError,
  RemotingEncodeError,
  decodeFailed,
  decoded,
} from './remoting-errors';
import { HeaderEncoding } from './header-encoding';

export const ROCKETMQ_HEADER_FIXED_BYTES = 2 + 1 + 2 + 4 + 4 + 4 + 4;
const EXT_KEY_LENGTH_BYTES = 2;
const EXT_VALUE_LENGTH_BYTES = 4;

function checkRange(field: string, value: number, min: number, max: number, javaType: string): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RemotingEncodeError(field, `${value} is not a Java ${javaType}`);
  }
}

interface EncodedEntry {
  readonly key: string;
  readonly keyBytes: number;
  readonly value: string;
  readonly valueBytes: number;
}

export function prepareRocketMqHeader(header: RemotingHeader): HeaderEncoding {
  checkRange('code', header.code, -0x8000, 0x7fff, 'short');
  checkRange('version', header.version, -0x8000, 0x7fff, 'short');
  checkRange('opaque', header.opaque, -0x80000000, 0x7fffffff, 'int');
  checkRange('flag', header.flag, -0x80000000, 0x7fffffff, 'int');
  const remark = header.remark ?? '';
  const remarkBytes = Buffer.byteLength(remark, 'utf8');
  const entries: EncodedEntry[] = [];
  let extBytes = 0;
  for (const [key, value] of header.extFields) {
    const keyBytes = Buffer.byteLength(key, 'utf8');
    // Java writes `(short) key.length`; a longer key would be read back as a negative length.
    checkRange(`extFields key length of ${JSON.stringify(key.slice(0, 40))}`, keyBytes, 0, 0x7fff, 'short');
    const valueBytes = Buffer.byteLength(value, 'utf8');
    entries.push({ key, keyBytes, value, valueBytes });
    extBytes += EXT_KEY_LENGTH_BYTES + keyBytes + EXT_VALUE_LENGTH_BYTES + valueBytes;
  }
  const language = LanguageCode[header.language];
  return {
    byteLength: ROCKETMQ_HEADER_FIXED_BYTES + remarkBytes + extBytes,
    writeTo(target: Buffer, offset: number): void {
      let at = target.writeInt16BE(header.code, offset);
      at = target.writeUInt8(language, at);
      at = target.writeInt16BE(header.version, at);
      at = target.writeInt32BE(header.opaque, at);
      at = target.writeInt32BE(header.flag, at);
      at = target.writeInt32BE(remarkBytes, at);
      at += target.write(remark, at, remarkBytes, 'utf8');
      at = target.writeInt32BE(extBytes, at);
      for (const entry of entries) {
        at = target.writeInt16BE(entry.keyBytes, at);
        at += target.write(entry.key, at, entry.keyBytes, 'utf8');
        at = target.writeInt32BE(entry.valueBytes, at);
        at += target.write(entry.value, at, entry.valueBytes, 'utf8');
      }
    },
  };
}

export function encodeRocketMqHeader(header: RemotingHeader): Buffer {
  const encoding = prepareRocketMqHeader(header);
  const target = Buffer.allocUnsafe(encoding.byteLength);
  encoding.writeTo(target, 0);
  return target;
}

function truncated(what: string, at: number, needed: number, available: number): DecodeResult<never> {
  return decodeFailed(
    new RemotingDecodeError(
      'header-truncated',
      `ROCKETMQ header: ${what} at byte ${at} needs ${needed} bytes but ${available} remain`,
    ),
  );
}

function negative(what: string, at: number, length: number): DecodeResult<never> {
  return decodeFailed(
    new RemotingDecodeError(
      'field-invalid',
      `ROCKETMQ header: ${what} at byte ${at} is negative (${length})`,
    ),
  );
}

function decodeExtFields(buf: Buffer, start: number, end: number): DecodeResult<Map<string, string>> {
  const fields = new Map<string, string>();
  let at = start;
  while (at < end) {
    if (end - at < EXT_KEY_LENGTH_BYTES)
      return truncated('ext key length', at, EXT_KEY_LENGTH_BYTES, end - at);
    const keyLength = buf.readInt16BE(at);
    if (keyLength < 0) return negative('ext key length', at, keyLength);
    at += EXT_KEY_LENGTH_BYTES;
    if (end - at < keyLength) return truncated('ext key', at, keyLength, end - at);
    const key = buf.toString('utf8', at, at + keyLength);
    at += keyLength;
    if (end - at < EXT_VALUE_LENGTH_BYTES) {
      return truncated('ext value length', at, EXT_VALUE_LENGTH_BYTES, end - at);
    }
    const valueLength = buf.readInt32BE(at);
    if (valueLength < 0) return negative('ext value length', at, valueLength);
    at += EXT_VALUE_LENGTH_BYTES;
    if (end - at < valueLength) return truncated('ext value', at, valueLength, end - at);
    const value = buf.toString('utf8', at, at + valueLength);
    at += valueLength;
    if (keyLength > 0 && valueLength > 0) fields.set(key, value);
  }
  return decoded(fields);
}

export function decodeRocketMqHeader(bytes: Uint8Array): DecodeResult<RemotingHeader> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = buf.length;
  if (end < ROCKETMQ_HEADER_FIXED_BYTES) {
    // The remark and ext lengths are part of the fixed 21 bytes, so a shorter header is cut.
    return truncated('fixed part', 0, ROCKETMQ_HEADER_FIXED_BYTES, end);
  }
  const code = buf.readInt16BE(0);
  const language = languageFromCode(buf.readUInt8(2));
  const version = buf.readInt16BE(3);
  const opaque = buf.readInt32BE(5);
  const flag = buf.readInt32BE(9);
  let at = 13;
  const remarkLength = buf.readInt32BE(at);
  if (remarkLength < 0) return negative('remark length', at, remarkLength);
  at += 4;
  // The ext length word follows the remark, so the remark must leave room for it.
  if (end - at - 4 < remarkLength) return truncated('remark', at, remarkLength + 4, end - at);
  const remark = remarkLength > 0 ? buf.toString('utf8', at, at + remarkLength) : undefined;
  at += remarkLength;
  const extLength = buf.readInt32BE(at);
  if (extLength < 0) return negative('ext fields length', at, extLength);
  at += 4;
  if (end - at < extLength) return truncated('ext fields', at, extLength, end - at);
  const extFields = decodeExtFields(buf, at, at + extLength);
  if (!extFields.ok) return extFields;
  return decoded({ code, language, version, opaque, flag, remark, extFields: extFields.value });
}
