// Reading commit-log records (layout in stored-message-layout.ts) from disk, pull bodies and
// replicas. Input is untrusted: the decoder never throws on bad bytes and never reads outside the
// buffer, it says what it found. Four outcomes, as recovery needs them:
//   message    a whole, consistent record
//   blank      the end-of-file marker: skip to the next segment
//   incomplete the buffer ends inside the record (a partial read, or the torn tail of a crash)
//   corrupt    bytes that are not a record; recovery stops at the last good one

import { bodyCrc32 } from './crc32';
import { readHostAddress } from './host-address';
import { readJavaLong } from './java-long';
import { isBornHostV6, isStoreHostV6 } from './message-sys-flag';
import {
  BLANK_MAGIC_CODE,
  BLANK_RECORD_SIZE,
  BODY_CRC_OFFSET,
  BORN_HOST_OFFSET,
  BORN_TIMESTAMP_OFFSET,
  BYTE_SIZE,
  FLAG_OFFSET,
  INT_SIZE,
  LONG_SIZE,
  MAGIC_OFFSET,
  MESSAGE_MAGIC_CODE,
  MIN_RECORD_SIZE,
  PHYSICAL_OFFSET_OFFSET,
  QUEUE_ID_OFFSET,
  QUEUE_OFFSET_OFFSET,
  SHORT_SIZE,
  SYS_FLAG_OFFSET,
  TOTAL_SIZE_OFFSET,
  bornHostSize,
  fixedPartSize,
  storeHostSize,
} from './stored-message-layout';
import type { StoredMessageFields } from './stored-message';

/** A decoded record. Buffers in it (body, host ips) are views into the decoded buffer, not copies. */
export interface DecodedStoredMessage extends Omit<StoredMessageFields, 'body'> {
  readonly totalSize: number;
  readonly bodyCrc: number;
  readonly bodyLength: number;
  /** Undefined when decoded with `withBody: false`. */
  readonly body: Buffer | undefined;
}

export type StoredMessageCorruption =
  | 'bad-magic' // neither a message nor a blank record (also what zero-filled, unwritten space reads as)
  | 'bad-total-size' // TOTALSIZE below the minimum, above maxTotalSize, or a blank record under 8 bytes
  | 'bad-field-length' // a body, topic or properties length that is negative or overruns TOTALSIZE
  | 'size-mismatch' // the field lengths do not add up to TOTALSIZE
  | 'long-out-of-range' // a long outside ±(2^53 − 1)
  | 'crc-mismatch' // with checkCrc: the body does not match BODYCRC
  | 'bad-text'; // with checkText: a topic outside [%|a-zA-Z0-9_-], or a NUL in the properties (a torn tail)

export type StoredMessageReadResult =
  | { readonly kind: 'message'; readonly size: number; readonly message: DecodedStoredMessage }
  | { readonly kind: 'blank'; readonly size: number }
  | { readonly kind: 'incomplete'; readonly available: number; readonly needed: number }
  | { readonly kind: 'corrupt'; readonly reason: StoredMessageCorruption; readonly detail: string };

export interface DecodeStoredMessageOptions {
  /** Slice the body out (as a view). Default true. */
  readonly withBody?: boolean;
  /** Recompute the body CRC and report a mismatch as corrupt (recovery's checkCRCOnRecover). Default false. */
  readonly checkCrc?: boolean;
  /**
   * With checkCrc: also require a topic in RocketMQ's alphabet and no NUL in the properties, which
   * catches a record torn after its body (the CRC covers only the body). Default false.
   */
  readonly checkText?: boolean;
  /** A TOTALSIZE above this is corrupt rather than incomplete. Default: no bound. */
  readonly maxTotalSize?: number;
}

const DEFAULT_OPTIONS: DecodeStoredMessageOptions = Object.freeze({});

type CorruptResult = Extract<StoredMessageReadResult, { kind: 'corrupt' }>;

function corrupt(reason: StoredMessageCorruption, detail: string): CorruptResult {
  return { kind: 'corrupt', reason, detail };
}

/**
 * The checks every reader makes first: the offset, the 8-byte head (TOTALSIZE and magic), a blank
 * record, sizes in range, and the whole record in the buffer. Returns the record's TOTALSIZE when
 * a message record follows, or what was found instead.
 */
function readRecordHead(
  source: Buffer,
  offset: number,
  maxTotalSize: number | undefined,
): number | Exclude<StoredMessageReadResult, { kind: 'message' }> {
  if (!Number.isInteger(offset) || offset < 0 || offset > source.length) {
    throw new RangeError(`offset ${offset} is outside the buffer of ${source.length} bytes`);
  }
  const available = source.length - offset;
  if (available < BLANK_RECORD_SIZE) return { kind: 'incomplete', available, needed: BLANK_RECORD_SIZE };
  const totalSize = source.readInt32BE(offset + TOTAL_SIZE_OFFSET);
  const magic = source.readInt32BE(offset + MAGIC_OFFSET);
  if (magic === BLANK_MAGIC_CODE) {
    if (totalSize < BLANK_RECORD_SIZE) return corrupt('bad-total-size', `blank record of ${totalSize} bytes`);
    return { kind: 'blank', size: totalSize };
  }
  if (magic !== MESSAGE_MAGIC_CODE) {
    return corrupt('bad-magic', `magic code 0x${(magic >>> 0).toString(16).padStart(8, '0')}`);
  }
  if (totalSize < MIN_RECORD_SIZE) return corrupt('bad-total-size', `total size ${totalSize}`);
  if (maxTotalSize !== undefined && totalSize > maxTotalSize) {
    return corrupt('bad-total-size', `total size ${totalSize} is over the limit of ${maxTotalSize}`);
  }
  if (totalSize > available) return { kind: 'incomplete', available, needed: totalSize };
  return totalSize;
}

/**
 * Reads the record at `offset` of `source`. Never throws on the bytes; throws a RangeError only when
 * `offset` itself is not a position in `source`.
 */
export function decodeStoredMessage(
  source: Buffer,
  offset = 0,
  options: DecodeStoredMessageOptions = DEFAULT_OPTIONS,
): StoredMessageReadResult {
  const head = readRecordHead(source, offset, options.maxTotalSize);
  if (typeof head !== 'number') return head;
  return decodeWholeRecord(source, offset, head, options);
}

/** Where the variable-length fields of a record lie; filled by {@link locateFields}. */
interface FieldPositions {
  bodyStart: number;
  bodyLength: number;
  topicStart: number;
  topicLength: number;
  propertiesStart: number;
  propertiesLength: number;
}

/**
 * Checks the sizes of the record [offset, offset + totalSize) (inside `source`, at least
 * MIN_RECORD_SIZE long) and the range of its longs, and fills `at` with its field positions. Shared
 * by the full decode and by the allocation-free verification that recovery runs on every record.
 */
function locateFields(
  source: Buffer,
  offset: number,
  totalSize: number,
  at: FieldPositions,
): CorruptResult | undefined {
  const sysFlag = source.readInt32BE(offset + SYS_FLAG_OFFSET);
  const fixedSize = fixedPartSize(sysFlag);
  if (totalSize < fixedSize) {
    return corrupt(
      'size-mismatch',
      `total size ${totalSize} is below the ${fixedSize} bytes of fixed fields`,
    );
  }
  const storeTimestampAt = offset + BORN_HOST_OFFSET + bornHostSize(sysFlag);
  const preparedAt = storeTimestampAt + LONG_SIZE + storeHostSize(sysFlag) + INT_SIZE;
  if (
    !Number.isSafeInteger(readJavaLong(source, offset + QUEUE_OFFSET_OFFSET)) ||
    !Number.isSafeInteger(readJavaLong(source, offset + PHYSICAL_OFFSET_OFFSET)) ||
    !Number.isSafeInteger(readJavaLong(source, offset + BORN_TIMESTAMP_OFFSET)) ||
    !Number.isSafeInteger(readJavaLong(source, storeTimestampAt)) ||
    !Number.isSafeInteger(readJavaLong(source, preparedAt))
  ) {
    return corrupt('long-out-of-range', 'a long field is beyond ±(2^53 - 1)');
  }
  // Each variable length is bounded by what the fixed fields leave of TOTALSIZE before it is used.
  let p = preparedAt + LONG_SIZE;
  let room = totalSize - fixedSize;
  const bodyLength = source.readInt32BE(p);
  p += INT_SIZE;
  if (bodyLength < 0 || bodyLength > room) return corrupt('bad-field-length', `body length ${bodyLength}`);
  room -= bodyLength;
  at.bodyStart = p;
  at.bodyLength = bodyLength;
  p += bodyLength;
  const topicLength = source.readInt8(p);
  p += BYTE_SIZE;
  if (topicLength < 0 || topicLength > room)
    return corrupt('bad-field-length', `topic length ${topicLength}`);
  room -= topicLength;
  at.topicStart = p;
  at.topicLength = topicLength;
  p += topicLength;
  const propertiesLength = source.readInt16BE(p);
  p += SHORT_SIZE;
  if (propertiesLength < 0 || propertiesLength > room) {
    return corrupt('bad-field-length', `properties length ${propertiesLength}`);
  }
  if (propertiesLength !== room) {
    return corrupt(
      'size-mismatch',
      `total size ${totalSize} but the fields take ${totalSize - room + propertiesLength}`,
    );
  }
  at.propertiesStart = p;
  at.propertiesLength = propertiesLength;
  return undefined;
}

/**
 * The integrity checks beyond the layout: the body CRC, and — since the CRC covers only the body —
 * that topic and properties are plausible text. A record torn after its body reads as zeros there
 * (segments are sparse, and truncation zeroes the tail), which no topic or property contains.
 */
function checkIntegrity(
  source: Buffer,
  offset: number,
  at: FieldPositions,
  checkText = true,
): CorruptResult | undefined {
  const expected = source.readInt32BE(offset + BODY_CRC_OFFSET);
  const actual = bodyCrc32(source.subarray(at.bodyStart, at.bodyStart + at.bodyLength));
  if (actual !== expected) return corrupt('crc-mismatch', `body CRC ${actual}, record says ${expected}`);
  if (!checkText) return undefined;
  if (at.topicLength === 0) return corrupt('bad-text', 'empty topic');
  for (let i = at.topicStart; i < at.topicStart + at.topicLength; i++) {
    const byte = source[i]!;
    if (!isTopicByte(byte)) return corrupt('bad-text', `topic byte 0x${byte.toString(16)} at ${i - offset}`);
  }
  if (source.subarray(at.propertiesStart, at.propertiesStart + at.propertiesLength).includes(0)) {
    return corrupt('bad-text', 'NUL byte in the properties');
  }
  return undefined;
}

/** RocketMQ's topic alphabet, `^[%|a-zA-Z0-9_-]+$`. */
export function isTopicByte(byte: number): boolean {
  return (
    (byte >= 0x61 && byte <= 0x7a) || // a-z
    (byte >= 0x41 && byte <= 0x5a) || // A-Z
    (byte >= 0x30 && byte <= 0x39) || // 0-9
    byte === 0x5f || // _
    byte === 0x2d || // -
    byte === 0x25 || // %
    byte === 0x7c // |
  );
}

function newPositions(): FieldPositions {
  return {
    bodyStart: 0,
    bodyLength: 0,
    topicStart: 0,
    topicLength: 0,
    propertiesStart: 0,
    propertiesLength: 0,
  };
}

function decodeWholeRecord(
  source: Buffer,
  offset: number,
  totalSize: number,
  options: DecodeStoredMessageOptions,
): StoredMessageReadResult {
  const at = newPositions();
  const problem =
    locateFields(source, offset, totalSize, at) ??
    (options.checkCrc === true ? checkIntegrity(source, offset, at, options.checkText === true) : undefined);
  if (problem !== undefined) return problem;
  const sysFlag = source.readInt32BE(offset + SYS_FLAG_OFFSET);
  const storeTimestampAt = offset + BORN_HOST_OFFSET + bornHostSize(sysFlag);
  const storeHostAt = storeTimestampAt + LONG_SIZE;
  const reconsumeTimesAt = storeHostAt + storeHostSize(sysFlag);
  const message: DecodedStoredMessage = {
    totalSize,
    bodyCrc: source.readInt32BE(offset + BODY_CRC_OFFSET),
    queueId: source.readInt32BE(offset + QUEUE_ID_OFFSET),
    flag: source.readInt32BE(offset + FLAG_OFFSET),
    queueOffset: readJavaLong(source, offset + QUEUE_OFFSET_OFFSET),
    physicalOffset: readJavaLong(source, offset + PHYSICAL_OFFSET_OFFSET),
    sysFlag,
    bornTimestamp: readJavaLong(source, offset + BORN_TIMESTAMP_OFFSET),
    bornHost: readHostAddress(source, offset + BORN_HOST_OFFSET, isBornHostV6(sysFlag)),
    storeTimestamp: readJavaLong(source, storeTimestampAt),
    storeHost: readHostAddress(source, storeHostAt, isStoreHostV6(sysFlag)),
    reconsumeTimes: source.readInt32BE(reconsumeTimesAt),
    preparedTransactionOffset: readJavaLong(source, reconsumeTimesAt + INT_SIZE),
    bodyLength: at.bodyLength,
    body:
      options.withBody === false ? undefined : source.subarray(at.bodyStart, at.bodyStart + at.bodyLength),
    topic: source.toString('utf8', at.topicStart, at.topicStart + at.topicLength),
    properties: source.toString('utf8', at.propertiesStart, at.propertiesStart + at.propertiesLength),
  };
  return { kind: 'message', size: totalSize, message };
}

/** The outcome of {@link verifyStoredMessage}: like a decode, without materialising the message. */
export type StoredMessageCheckResult =
  | { readonly kind: 'message'; readonly size: number; readonly physicalOffset: number }
  | Exclude<StoredMessageReadResult, { kind: 'message' }>;

const scratchPositions = newPositions();

/**
 * Verifies the record at `offset` as {@link decodeStoredMessage} with `checkCrc` would (magic,
 * sizes, field lengths, longs, body CRC) but creates no strings or objects for a valid record:
 * recovery runs this over every byte of the log.
 */
export function verifyStoredMessage(
  source: Buffer,
  offset: number,
  maxTotalSize?: number,
): StoredMessageCheckResult {
  const totalSize = readRecordHead(source, offset, maxTotalSize);
  if (typeof totalSize !== 'number') return totalSize;
  const problem =
    locateFields(source, offset, totalSize, scratchPositions) ??
    checkIntegrity(source, offset, scratchPositions);
  if (problem !== undefined) return problem;
  return {
    kind: 'message',
    size: totalSize,
    physicalOffset: readJavaLong(source, offset + PHYSICAL_OFFSET_OFFSET),
  };
}

/** What {@link decodeStoredMessages} read, and why it stopped early if it did. */
export interface StoredMessageBatch {
  readonly messages: DecodedStoredMessage[];
  /** Bytes from the start of the buffer up to the first one not decoded. */
  readonly consumed: number;
  /** Undefined when the whole buffer was records; otherwise what was found at `consumed`. */
  readonly stoppedAt: Exclude<StoredMessageReadResult, { kind: 'message' }> | undefined;
}

/**
 * Decodes records laid back to back, as in pull, query and view bodies (`MessageDecoder.decodes`),
 * stopping at the first thing that is not a whole record. A blank record stops it too: it never
 * belongs in a body, and in a segment it means "next file".
 */
export function decodeStoredMessages(
  source: Buffer,
  options: DecodeStoredMessageOptions = DEFAULT_OPTIONS,
): StoredMessageBatch {
  const messages: DecodedStoredMessage[] = [];
  let offset = 0;
  while (offset < source.length) {
    const result = decodeStoredMessage(source, offset, options);
    if (result.kind !== 'message') return { messages, consumed: offset, stoppedAt: result };
    messages.push(result.message);
    offset += result.size;
  }
  return { messages, consumed: offset, stoppedAt: undefined };
}
