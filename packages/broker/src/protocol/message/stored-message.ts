// Writing commit-log records (layout in stored-message-layout.ts). The send path measures and
// checksums a message once, outside the commit-log lock (`prepareStoredMessage`); the writer then
// encodes it straight into its write buffer and stamps the fields known only inside the lock.
// Reading is in stored-message-decoder.ts.

import { bodyCrc32 } from './crc32';
import { isIpv6Host, isValidHostAddress, type HostAddress } from './host-address';
import { isJavaInt, setJavaLong } from './java-long';
import {
  InvalidMessageFieldError,
  MessageBufferTooSmallError,
  MessagePropertiesTooLongError,
  TopicTooLongError,
} from './message-errors';
import { withHostFamilies } from './message-sys-flag';
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
  MAX_PROPERTIES_LENGTH,
  MAX_TOPIC_LENGTH,
  MESSAGE_MAGIC_CODE,
  PHYSICAL_OFFSET_OFFSET,
  QUEUE_ID_OFFSET,
  QUEUE_OFFSET_OFFSET,
  SHORT_SIZE,
  SYS_FLAG_OFFSET,
  TOTAL_SIZE_OFFSET,
  storedMessageLength,
  type StoredMessageSizes,
} from './stored-message-layout';

/** A message as the commit log stores it. Longs are numbers (see java-long.ts); ints are Java ints. */
export interface StoredMessageFields {
  readonly queueId: number;
  readonly flag: number;
  /** Known at append time; pass 0 and give it to encodeStoredMessage as `appendTime`. */
  readonly queueOffset: number;
  /** Known at append time, as above. */
  readonly physicalOffset: number;
  /** The host-family bits (0x10, 0x20) are ignored: they are set from the hosts, as Java's broker does. */
  readonly sysFlag: number;
  readonly bornTimestamp: number;
  readonly bornHost: HostAddress;
  /** Known at append time, as above. */
  readonly storeTimestamp: number;
  readonly storeHost: HostAddress;
  readonly reconsumeTimes: number;
  readonly preparedTransactionOffset: number;
  readonly body: Uint8Array;
  readonly topic: string;
  /** The properties string (message-properties.ts), stored as UTF-8. */
  readonly properties: string;
}

/** A validated message with its sizes and final sysFlag: everything encoding needs but the body CRC. */
export interface MeasuredStoredMessage extends StoredMessageSizes {
  readonly fields: StoredMessageFields;
  /** `fields.sysFlag` with the host-family bits describing the hosts. */
  readonly sysFlag: number;
  /** TOTALSIZE of the record. */
  readonly totalSize: number;
}

/** A validated message with everything computed that encoding needs: sizes, final sysFlag, body CRC. */
export interface PreparedStoredMessage extends MeasuredStoredMessage {
  /** CRC32(body) & 0x7FFFFFFF. */
  readonly bodyCrc: number;
}

const INT_FIELDS = ['queueId', 'flag', 'sysFlag', 'reconsumeTimes'] as const;
const LONG_FIELDS = [
  'queueOffset',
  'physicalOffset',
  'bornTimestamp',
  'storeTimestamp',
  'preparedTransactionOffset',
] as const;
const MAX_TOTAL_SIZE = 0x7fffffff;

function checkFields(fields: StoredMessageFields): void {
  for (const name of INT_FIELDS) {
    if (!isJavaInt(fields[name]))
      throw new InvalidMessageFieldError(name, `${fields[name]} is not a Java int`);
  }
  for (const name of LONG_FIELDS) {
    if (!Number.isSafeInteger(fields[name])) {
      throw new InvalidMessageFieldError(name, `${fields[name]} is not a safe integer`);
    }
  }
  if (!isValidHostAddress(fields.bornHost)) {
    throw new InvalidMessageFieldError('bornHost', 'needs a 4- or 16-byte ip and a port from 0 to 65535');
  }
  if (!isValidHostAddress(fields.storeHost)) {
    throw new InvalidMessageFieldError('storeHost', 'needs a 4- or 16-byte ip and a port from 0 to 65535');
  }
}

/**
 * Validates a message and measures it (UTF-8 lengths of topic and properties, computed once here)
 * and checksums its body. Throws TopicTooLongError, MessagePropertiesTooLongError or
 * InvalidMessageFieldError; maxMessageSize is the caller's rule, checked against `totalSize`.
 */
export function prepareStoredMessage(fields: StoredMessageFields): PreparedStoredMessage {
  return withBodyCrc(measureStoredMessage(fields));
}

/** The measured message with its body checksummed: the costly step, done once per stored record. */
export function withBodyCrc(measured: MeasuredStoredMessage): PreparedStoredMessage {
  const { fields, sysFlag, bodyLength, topicLength, propertiesLength, totalSize } = measured;
  // Listed, not spread: one object shape for every prepared record keeps the writer's accesses fast.
  return {
    fields,
    sysFlag,
    bodyLength,
    topicLength,
    propertiesLength,
    totalSize,
    bodyCrc: bodyCrc32(fields.body),
  };
}

/**
 * prepareStoredMessage without the body CRC: validates and measures, so a caller can learn whether
 * a record would be accepted without checksumming its body. Throws as prepareStoredMessage does.
 */
export function measureStoredMessage(fields: StoredMessageFields): MeasuredStoredMessage {
  checkFields(fields);
  const topicLength = Buffer.byteLength(fields.topic, 'utf8');
  if (topicLength > MAX_TOPIC_LENGTH) throw new TopicTooLongError(topicLength, MAX_TOPIC_LENGTH);
  const propertiesLength = Buffer.byteLength(fields.properties, 'utf8');
  if (propertiesLength > MAX_PROPERTIES_LENGTH) {
    throw new MessagePropertiesTooLongError(propertiesLength, MAX_PROPERTIES_LENGTH);
  }
  const sysFlag = withHostFamilies(fields.sysFlag, isIpv6Host(fields.bornHost), isIpv6Host(fields.storeHost));
  const bodyLength = fields.body.length;
  const totalSize = storedMessageLength({ sysFlag, bodyLength, topicLength, propertiesLength });
  if (totalSize > MAX_TOTAL_SIZE) {
    throw new InvalidMessageFieldError(
      'body',
      `the record would be ${totalSize} bytes, more than an int holds`,
    );
  }
  return { fields, sysFlag, bodyLength, topicLength, propertiesLength, totalSize };
}

function checkRoom(what: string, target: Buffer, position: number, size: number): void {
  if (!Number.isInteger(position) || position < 0 || position + size > target.length) {
    throw new MessageBufferTooSmallError(what, size, Math.max(0, target.length - position));
  }
}

/** The fields known only at append time, when the writer encodes straight into its buffer. */
export interface AppendTimeFields {
  readonly queueOffset: number;
  readonly physicalOffset: number;
  readonly storeTimestamp: number;
}

/**
 * One DataView per target buffer, reused while the writer keeps encoding into the same buffer:
 * DataView accessors are what V8 optimises best for this (Buffer.write*BE checks every argument).
 */
let viewTarget: Buffer | undefined;
let view: DataView | undefined;

function viewOf(target: Buffer): DataView {
  if (target !== viewTarget || view === undefined) {
    view = new DataView(target.buffer, target.byteOffset, target.byteLength);
    viewTarget = target;
  }
  return view;
}

function setHost(target: Buffer, v: DataView, at: number, host: HostAddress): number {
  target.set(host.ip, at);
  const after = at + host.ip.length;
  v.setInt32(after, host.port);
  return after + 4;
}

/**
 * Writes the record into `target` at `position` and returns the position after it. Nothing is
 * allocated: strings are encoded in place and the body is copied once. With `appendTime`, its
 * offsets and store time are written instead of the fields' (the commit log's single pass).
 */
export function encodeStoredMessage(
  message: PreparedStoredMessage,
  target: Buffer,
  position: number,
  appendTime?: AppendTimeFields,
): number {
  const { fields, totalSize } = message;
  checkRoom('a stored message', target, position, totalSize);
  const v = viewOf(target);
  v.setInt32(position + TOTAL_SIZE_OFFSET, totalSize);
  v.setInt32(position + MAGIC_OFFSET, MESSAGE_MAGIC_CODE);
  v.setInt32(position + BODY_CRC_OFFSET, message.bodyCrc);
  v.setInt32(position + QUEUE_ID_OFFSET, fields.queueId);
  v.setInt32(position + FLAG_OFFSET, fields.flag);
  setJavaLong(v, position + QUEUE_OFFSET_OFFSET, appendTime?.queueOffset ?? fields.queueOffset);
  setJavaLong(v, position + PHYSICAL_OFFSET_OFFSET, appendTime?.physicalOffset ?? fields.physicalOffset);
  v.setInt32(position + SYS_FLAG_OFFSET, message.sysFlag);
  setJavaLong(v, position + BORN_TIMESTAMP_OFFSET, fields.bornTimestamp);
  // From the born host on, positions depend on the host families: a cursor follows the fields.
  let p = setHost(target, v, position + BORN_HOST_OFFSET, fields.bornHost);
  setJavaLong(v, p, appendTime?.storeTimestamp ?? fields.storeTimestamp);
  p = setHost(target, v, p + LONG_SIZE, fields.storeHost);
  v.setInt32(p, fields.reconsumeTimes);
  p += INT_SIZE;
  setJavaLong(v, p, fields.preparedTransactionOffset);
  p += LONG_SIZE;
  v.setInt32(p, message.bodyLength);
  p += INT_SIZE;
  target.set(fields.body, p);
  p += message.bodyLength;
  v.setInt8(p, message.topicLength);
  p += BYTE_SIZE;
  p += target.write(fields.topic, p, message.topicLength, 'utf8');
  v.setInt16(p, message.propertiesLength);
  p += SHORT_SIZE;
  if (message.propertiesLength > 0) p += target.write(fields.properties, p, message.propertiesLength, 'utf8');
  if (p !== position + totalSize) {
    // Only if the strings changed between prepare and encode; the record would be unreadable.
    throw new InvalidMessageFieldError(
      'topic/properties',
      'changed after prepareStoredMessage measured them',
    );
  }
  return p;
}

/**
 * Writes the end-of-file blank record at `position`, where `remaining` bytes of the segment are
 * left (at least 8; only the first 8 are written). Returns the position after the segment's end.
 */
export function encodeBlankRecord(target: Buffer, position: number, remaining: number): number {
  if (!isJavaInt(remaining) || remaining < BLANK_RECORD_SIZE) {
    throw new InvalidMessageFieldError(
      'remaining',
      `a blank record needs at least ${BLANK_RECORD_SIZE} bytes`,
    );
  }
  checkRoom('a blank record', target, position, BLANK_RECORD_SIZE);
  target.writeInt32BE(remaining, position + TOTAL_SIZE_OFFSET);
  target.writeInt32BE(BLANK_MAGIC_CODE, position + MAGIC_OFFSET);
  return position + remaining;
}
