import fc from 'fast-check';
import { KeelError } from '../../../src/common/errors';
import {
  BLANK_MAGIC_CODE,
  FIXED_PART_SIZE_V4,
  FIXED_PART_SIZE_V6,
  InvalidMessageFieldError,
  MESSAGE_MAGIC_CODE,
  MessageBufferTooSmallError,
  MessageErrorCodes,
  MessagePropertiesTooLongError,
  MessageSysFlag,
  PHYSICAL_OFFSET_OFFSET,
  QUEUE_OFFSET_OFFSET,
  SYS_FLAG_OFFSET,
  TopicTooLongError,
  bodyCrc32,
  decodeStoredMessage,
  decodeStoredMessages,
  encodeBlankRecord,
  encodeStoredMessage,
  prepareStoredMessage,
  storeTimestampOffset,
  storedMessageLength,
  withHostFamilies,
  type DecodedStoredMessage,
  type AppendTimeFields,
  type StoredMessageFields,
  type StoredMessageReadResult,
} from '../../../src/protocol/message';
import {
  GOLDEN_V4_BYTES,
  GOLDEN_V4_FIELDS,
  GOLDEN_V6_BYTES,
  GOLDEN_V6_FIELDS,
  arbitraryStoredMessage,
} from './fixtures';

function encode(fields: StoredMessageFields): Buffer {
  const prepared = prepareStoredMessage(fields);
  const buf = Buffer.alloc(prepared.totalSize);
  expect(encodeStoredMessage(prepared, buf, 0)).toBe(prepared.totalSize);
  return buf;
}

function expectMessage(result: StoredMessageReadResult): DecodedStoredMessage {
  if (result.kind !== 'message') throw new Error(`expected a message, got ${JSON.stringify(result)}`);
  return result.message;
}

/** Field-by-field comparison with byte arrays compared by content. */
function expectSameFields(decoded: DecodedStoredMessage, fields: StoredMessageFields): void {
  const plain = (h: { ip: Uint8Array; port: number }) => ({
    ip: Buffer.from(h.ip).toString('hex'),
    port: h.port,
  });
  expect({
    ...decoded,
    bornHost: plain(decoded.bornHost),
    storeHost: plain(decoded.storeHost),
    body: null,
  }).toEqual({
    ...fields,
    sysFlag: withHostFamilies(
      fields.sysFlag,
      fields.bornHost.ip.length === 16,
      fields.storeHost.ip.length === 16,
    ),
    bornHost: plain(fields.bornHost),
    storeHost: plain(fields.storeHost),
    body: null,
    bodyLength: fields.body.length,
    bodyCrc: bodyCrc32(fields.body),
    totalSize: decoded.totalSize,
  });
  expect(Buffer.from(decoded.body ?? []).equals(Buffer.from(fields.body))).toBe(true);
}

describe('magic codes', () => {
  it('are the Java ints of 0xDAA320A7 and 0xCBD43194', () => {
    expect(MESSAGE_MAGIC_CODE).toBe(0xdaa320a7 | 0);
    expect(MESSAGE_MAGIC_CODE).toBe(-626_843_481);
    expect(BLANK_MAGIC_CODE).toBe(0xcbd43194 | 0);
    expect(BLANK_MAGIC_CODE).toBe(-875_286_124);
  });
});

describe('storedMessageLength', () => {
  it('is 91 + body + topic + properties, plus 12 per IPv6 host (CommitLog.calMsgLength)', () => {
    const sizes = { bodyLength: 5, topicLength: 9, propertiesLength: 17 };
    expect(storedMessageLength({ sysFlag: 0, ...sizes })).toBe(122);
    expect(storedMessageLength({ sysFlag: MessageSysFlag.BORNHOST_V6_FLAG, ...sizes })).toBe(134);
    expect(storedMessageLength({ sysFlag: MessageSysFlag.STOREHOSTADDRESS_V6_FLAG, ...sizes })).toBe(134);
    expect(storedMessageLength({ sysFlag: 0x30, ...sizes })).toBe(146);
    expect(FIXED_PART_SIZE_V4).toBe(91);
    expect(FIXED_PART_SIZE_V6).toBe(115);
  });
});

describe('encodeStoredMessage: golden records', () => {
  it('lays out an IPv4 record byte for byte as RocketMQ 4.x does', () => {
    const prepared = prepareStoredMessage(GOLDEN_V4_FIELDS);
    expect(prepared).toMatchObject({ totalSize: 122, bodyLength: 5, topicLength: 9, propertiesLength: 17 });
    expect(encode(GOLDEN_V4_FIELDS).toString('hex')).toBe(GOLDEN_V4_BYTES.toString('hex'));
  });

  it('lays out an IPv6 record, setting both host-family bits from the hosts', () => {
    expect(encode(GOLDEN_V6_FIELDS).toString('hex')).toBe(GOLDEN_V6_BYTES.toString('hex'));
  });

  it('clears host-family bits the hosts do not call for', () => {
    const buf = encode({ ...GOLDEN_V4_FIELDS, sysFlag: 0x30 | MessageSysFlag.COMPRESSED_FLAG });
    expect(buf.readInt32BE(SYS_FLAG_OFFSET)).toBe(MessageSysFlag.COMPRESSED_FLAG);
  });

  it('writes at a position inside a larger buffer and touches nothing else', () => {
    const prepared = prepareStoredMessage(GOLDEN_V4_FIELDS);
    const buf = Buffer.alloc(300, 0xee);
    expect(encodeStoredMessage(prepared, buf, 100)).toBe(222);
    expect(buf.subarray(100, 222).equals(GOLDEN_V4_BYTES)).toBe(true);
    expect(buf.subarray(0, 100).every((b) => b === 0xee)).toBe(true);
    expect(buf.subarray(222).every((b) => b === 0xee)).toBe(true);
  });
});

describe('decodeStoredMessage: golden records', () => {
  it('reads every field of the IPv4 record', () => {
    const result = decodeStoredMessage(GOLDEN_V4_BYTES, 0, { checkCrc: true });
    expect(result.kind).toBe('message');
    expectSameFields(expectMessage(result), GOLDEN_V4_FIELDS);
  });

  it('reads every field of the IPv6 record', () => {
    const message = expectMessage(decodeStoredMessage(GOLDEN_V6_BYTES, 0, { checkCrc: true }));
    expectSameFields(message, GOLDEN_V6_FIELDS);
    expect(message.sysFlag).toBe(0x38);
  });

  it('returns the body as a view of the input, and no body when asked not to', () => {
    const message = expectMessage(decodeStoredMessage(GOLDEN_V4_BYTES));
    expect(message.body?.buffer).toBe(GOLDEN_V4_BYTES.buffer);
    expect(message.body?.byteOffset).toBe(GOLDEN_V4_BYTES.byteOffset + 88);
    const headerOnly = expectMessage(decodeStoredMessage(GOLDEN_V4_BYTES, 0, { withBody: false }));
    expect(headerOnly.body).toBeUndefined();
    expect(headerOnly.bodyLength).toBe(5);
    expect(headerOnly.topic).toBe('TopicTest');
  });
});

describe('stored message round trip', () => {
  it('decodes what it encodes, for any fields, bodies, properties and host families', () => {
    fc.assert(
      fc.property(arbitraryStoredMessage, fc.nat(16), (fields, at) => {
        const prepared = prepareStoredMessage(fields);
        const buf = Buffer.alloc(at + prepared.totalSize);
        encodeStoredMessage(prepared, buf, at);
        const result = decodeStoredMessage(buf, at, { checkCrc: true });
        expect(result.kind === 'message' && result.size).toBe(prepared.totalSize);
        expectSameFields(expectMessage(result), fields);
      }),
      { numRuns: 300 },
    );
  });
});

function encodeWithAppendTime(fields: StoredMessageFields, appendTime: AppendTimeFields): Buffer {
  const prepared = prepareStoredMessage(fields);
  const buf = Buffer.alloc(prepared.totalSize);
  encodeStoredMessage(prepared, buf, 0, appendTime);
  return buf;
}

describe('append-time fields', () => {
  it.each([
    ['IPv4', GOLDEN_V4_FIELDS],
    ['IPv6', GOLDEN_V6_FIELDS],
  ])('are written in the same pass into an %s record, over the fields', (_family, fields) => {
    const buf = encodeWithAppendTime(
      { ...fields, queueOffset: 0, physicalOffset: 0, storeTimestamp: 0 },
      { queueOffset: 2 ** 40 + 5, physicalOffset: 2 ** 52 + 3, storeTimestamp: 1_800_000_000_000 },
    );
    const message = expectMessage(decodeStoredMessage(buf, 0, { checkCrc: true }));
    expect(message).toMatchObject({
      queueOffset: 2 ** 40 + 5,
      physicalOffset: 2 ** 52 + 3,
      storeTimestamp: 1_800_000_000_000,
      bornTimestamp: fields.bornTimestamp,
    });
    expect(buf.readUInt32BE(QUEUE_OFFSET_OFFSET)).toBe(2 ** 8);
    expect(buf.readUInt32BE(PHYSICAL_OFFSET_OFFSET)).toBe(2 ** 20);
    expect(storeTimestampOffset(buf.readInt32BE(SYS_FLAG_OFFSET))).toBe(
      fields === GOLDEN_V4_FIELDS ? 56 : 68,
    );
  });

  it('reproduces the golden record when given over zeroed fields', () => {
    const buf = encodeWithAppendTime(
      { ...GOLDEN_V4_FIELDS, queueOffset: 0, physicalOffset: 0, storeTimestamp: 0 },
      { queueOffset: 42, physicalOffset: 4_294_967_312, storeTimestamp: 1_700_000_000_456 },
    );
    expect(buf.equals(GOLDEN_V4_BYTES)).toBe(true);
  });

  it('handles negative longs (two-complement high word)', () => {
    const buf = encode({ ...GOLDEN_V4_FIELDS, preparedTransactionOffset: -1, bornTimestamp: -(2 ** 40) - 7 });
    expect(buf.subarray(76, 84).toString('hex')).toBe('ffffffffffffffff');
    expect(expectMessage(decodeStoredMessage(buf))).toMatchObject({
      preparedTransactionOffset: -1,
      bornTimestamp: -(2 ** 40) - 7,
    });
  });
});

describe('blank record', () => {
  it('is 8 bytes: the bytes left in the segment and the blank magic', () => {
    const buf = Buffer.alloc(8);
    expect(encodeBlankRecord(buf, 0, 1000)).toBe(1000);
    expect(buf.toString('hex')).toBe('000003e8cbd43194');
    expect(decodeStoredMessage(buf)).toEqual({ kind: 'blank', size: 1000 });
  });

  it('needs at least 8 bytes', () => {
    expect(() => encodeBlankRecord(Buffer.alloc(8), 0, 7)).toThrow(InvalidMessageFieldError);
    expect(() => encodeBlankRecord(Buffer.alloc(7), 0, 8)).toThrow(MessageBufferTooSmallError);
  });
});

describe('decodeStoredMessages', () => {
  it('reads records laid back to back, as in a pull body', () => {
    const body = Buffer.concat([GOLDEN_V4_BYTES, GOLDEN_V6_BYTES, GOLDEN_V4_BYTES]);
    const batch = decodeStoredMessages(body, { checkCrc: true });
    expect(batch.messages.map((m) => m.topic)).toEqual(['TopicTest', 'T', 'TopicTest']);
    expect(batch.consumed).toBe(body.length);
    expect(batch.stoppedAt).toBeUndefined();
  });

  it('stops at a truncated tail and says where', () => {
    const body = Buffer.concat([GOLDEN_V4_BYTES, GOLDEN_V6_BYTES.subarray(0, 50)]);
    const batch = decodeStoredMessages(body);
    expect(batch.messages).toHaveLength(1);
    expect(batch.consumed).toBe(GOLDEN_V4_BYTES.length);
    expect(batch.stoppedAt).toEqual({ kind: 'incomplete', available: 50, needed: 116 });
  });

  it('reads nothing from an empty buffer', () => {
    expect(decodeStoredMessages(Buffer.alloc(0))).toEqual({
      messages: [],
      consumed: 0,
      stoppedAt: undefined,
    });
  });
});

describe('prepareStoredMessage validation', () => {
  it('refuses a topic over 127 UTF-8 bytes with a typed error', () => {
    expect(() => prepareStoredMessage({ ...GOLDEN_V4_FIELDS, topic: 'a'.repeat(127) })).not.toThrow();
    const error = catchError(() => prepareStoredMessage({ ...GOLDEN_V4_FIELDS, topic: 'é'.repeat(64) }));
    expect(error).toBeInstanceOf(TopicTooLongError);
    expect(error).toBeInstanceOf(KeelError);
    expect(error).toMatchObject({
      code: MessageErrorCodes.TOPIC_TOO_LONG,
      retriable: false,
      byteLength: 128,
    });
  });

  it('refuses properties over 32,767 UTF-8 bytes', () => {
    const error = catchError(() =>
      prepareStoredMessage({ ...GOLDEN_V4_FIELDS, properties: 'x'.repeat(32_768) }),
    );
    expect(error).toBeInstanceOf(MessagePropertiesTooLongError);
    expect(error).toMatchObject({ code: MessageErrorCodes.PROPERTIES_TOO_LONG, retriable: false });
  });

  it.each<[string, Partial<StoredMessageFields>]>([
    ['queueId', { queueId: 2 ** 31 }],
    ['flag', { flag: 1.5 }],
    ['sysFlag', { sysFlag: Number.NaN }],
    ['reconsumeTimes', { reconsumeTimes: -(2 ** 31) - 1 }],
    ['queueOffset', { queueOffset: 2 ** 53 }],
    ['physicalOffset', { physicalOffset: 0.5 }],
    ['bornTimestamp', { bornTimestamp: Number.POSITIVE_INFINITY }],
    ['storeTimestamp', { storeTimestamp: Number.NaN }],
    ['preparedTransactionOffset', { preparedTransactionOffset: -(2 ** 53) }],
    ['bornHost', { bornHost: { ip: Uint8Array.of(1, 2, 3), port: 1 } }],
    ['storeHost', { storeHost: { ip: Uint8Array.of(1, 2, 3, 4), port: 65_536 } }],
  ])('refuses an invalid %s', (field, change) => {
    const error = catchError(() => prepareStoredMessage({ ...GOLDEN_V4_FIELDS, ...change }));
    expect(error).toBeInstanceOf(InvalidMessageFieldError);
    expect(error).toMatchObject({ code: MessageErrorCodes.FIELD_INVALID, field, retriable: false });
  });

  it('refuses to encode past the end of the target buffer', () => {
    const prepared = prepareStoredMessage(GOLDEN_V4_FIELDS);
    const error = catchError(() => encodeStoredMessage(prepared, Buffer.alloc(130), 10));
    expect(error).toBeInstanceOf(MessageBufferTooSmallError);
    expect(error).toMatchObject({ code: MessageErrorCodes.BUFFER_TOO_SMALL, needed: 122, available: 120 });
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}
