// Shared records for the stored-message tests: two hand-laid golden records and a generator of
// arbitrary valid messages.
import fc from 'fast-check';
import { messagePropertiesToString, type StoredMessageFields } from '../../../src/protocol/message';

/** Joins hex fragments written with spaces for reading, into a Buffer. */
export function hex(...parts: string[]): Buffer {
  return Buffer.from(parts.join('').replace(/\s+/g, ''), 'hex');
}

export const GOLDEN_V4_FIELDS: StoredMessageFields = {
  queueId: 3,
  flag: 7,
  queueOffset: 42,
  physicalOffset: 4_294_967_312, // 0x1_0000_0010: exercises the high word
  sysFlag: 0,
  bornTimestamp: 1_700_000_000_123,
  bornHost: { ip: Uint8Array.of(192, 168, 0, 10), port: 50_123 },
  storeTimestamp: 1_700_000_000_456,
  storeHost: { ip: Uint8Array.of(10, 0, 0, 1), port: 10_911 },
  reconsumeTimes: 2,
  preparedTransactionOffset: 0,
  body: Buffer.from('Hello'),
  topic: 'TopicTest',
  properties: 'TAGS\u0001TagA\u0002KEYS\u0001k1',
};

// Laid out by hand from fact sheet §3.4, field by field.
export const GOLDEN_V4_BYTES = hex(
  '0000007a', //          0 TOTALSIZE = 91 + 5 + 9 + 17 = 122
  'daa320a7', //          4 MAGICCODE
  '77d18982', //          8 BODYCRC = crc32("Hello") 0xF7D18982 & 0x7FFFFFFF
  '00000003', //         12 QUEUEID
  '00000007', //         16 FLAG
  '00000000 0000002a', // 20 QUEUEOFFSET
  '00000001 00000010', // 28 PHYSICALOFFSET
  '00000000', //         36 SYSFLAG
  '0000018b cfe5687b', // 40 BORNTIMESTAMP
  'c0a8000a 0000c3cb', // 48 BORNHOST 192.168.0.10:50123
  '0000018b cfe569c8', // 56 STORETIMESTAMP
  '0a000001 00002a9f', // 64 STOREHOST 10.0.0.1:10911
  '00000002', //         72 RECONSUMETIMES
  '00000000 00000000', // 76 PREPARED TRANSACTION OFFSET
  '00000005', //         84 BODY length
  '48656c6c6f', //       88 "Hello"
  '09', //               93 TOPIC length
  '546f70696354657374', // 94 "TopicTest"
  '0011', //            103 PROPERTIES length 17
  '54414753 01 54616741 02 4b455953 01 6b31', // 105 TAGS\1TagA\2KEYS\1k1
);

export const GOLDEN_V6_FIELDS: StoredMessageFields = {
  queueId: 0,
  flag: 0,
  queueOffset: 1,
  physicalOffset: 122,
  sysFlag: 0x8, // COMMIT_TYPE; the encoder adds both IPv6 bits
  bornTimestamp: 1_700_000_000_123,
  bornHost: { ip: hex('20010db8 00000000 00000000 00000001'), port: 10_911 }, // [2001:db8::1]
  storeTimestamp: 1_700_000_000_456,
  storeHost: { ip: hex('00000000 00000000 00000000 00000001'), port: 10_912 }, // [::1]
  reconsumeTimes: 0,
  preparedTransactionOffset: 1234,
  body: Buffer.alloc(0),
  topic: 'T',
  properties: '',
};

export const GOLDEN_V6_BYTES = hex(
  '00000074', //          0 TOTALSIZE = 115 + 0 + 1 + 0 = 116
  'daa320a7', //          4 MAGICCODE
  '00000000', //          8 BODYCRC of an empty body
  '00000000', //         12 QUEUEID
  '00000000', //         16 FLAG
  '00000000 00000001', // 20 QUEUEOFFSET
  '00000000 0000007a', // 28 PHYSICALOFFSET
  '00000038', //         36 SYSFLAG = COMMIT | BORNHOST_V6 | STOREHOSTADDRESS_V6
  '0000018b cfe5687b', // 40 BORNTIMESTAMP
  '20010db8 00000000 00000000 00000001 00002a9f', // 48 BORNHOST
  '0000018b cfe569c8', // 68 STORETIMESTAMP
  '00000000 00000000 00000000 00000001 00002aa0', // 76 STOREHOST
  '00000000', //         96 RECONSUMETIMES
  '00000000 000004d2', // 100 PREPARED TRANSACTION OFFSET
  '00000000', //        108 BODY length
  '01 54', //           112 TOPIC length, "T"
  '0000', //            114 PROPERTIES length
);

const int32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });
const host = fc.record({
  ip: fc.oneof(
    fc.uint8Array({ minLength: 4, maxLength: 4 }),
    fc.uint8Array({ minLength: 16, maxLength: 16 }),
  ),
  port: fc.integer({ min: 0, max: 65_535 }),
});
const propertyText = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 12 })
  .filter((s) => !s.includes('\u0001') && !s.includes('\u0002'));

/** Any message the codec must store and read back unchanged. */
export const arbitraryStoredMessage: fc.Arbitrary<StoredMessageFields> = fc.record({
  queueId: int32,
  flag: int32,
  queueOffset: fc.maxSafeInteger(),
  physicalOffset: fc.maxSafeNat(),
  sysFlag: int32,
  bornTimestamp: fc.maxSafeInteger(),
  bornHost: host,
  storeTimestamp: fc.maxSafeInteger(),
  storeHost: host,
  reconsumeTimes: int32,
  preparedTransactionOffset: fc.maxSafeInteger(),
  body: fc.uint8Array({ maxLength: 300 }),
  topic: fc.string({ unit: 'grapheme', maxLength: 127 }).filter((t) => Buffer.byteLength(t) <= 127),
  properties: fc
    .uniqueArray(fc.tuple(propertyText, propertyText), { selector: ([k]) => k, maxLength: 8 })
    .map((entries) => messagePropertiesToString(new Map(entries))),
});
