// Corruption as etcd's wal tests do it: cut the record at every byte, flip single bytes, feed noise.
// The decoder must say what it found, never throw and never read outside the buffer.
import fc from 'fast-check';
import {
  BODY_CRC_OFFSET,
  MAGIC_OFFSET,
  QUEUE_OFFSET_OFFSET,
  TOTAL_SIZE_OFFSET,
  decodeStoredMessage,
  decodeStoredMessages,
  encodeStoredMessage,
  prepareStoredMessage,
  type StoredMessageReadResult,
} from '../../../src/protocol/message';
import { GOLDEN_V4_BYTES, GOLDEN_V6_BYTES, arbitraryStoredMessage } from './fixtures';

const BODY_START_V4 = 88;
const TOPIC_LENGTH_V4 = 93;
const PROPERTIES_LENGTH_V4 = 103;

function decoded(buf: Buffer, options = { checkCrc: true }): StoredMessageReadResult {
  return decodeStoredMessage(buf, 0, options);
}

function withInt32(source: Buffer, at: number, value: number): Buffer {
  const copy = Buffer.from(source);
  copy.writeInt32BE(value, at);
  return copy;
}

/** A copy of `source` in a buffer with exactly `length` bytes, so any overread would throw. */
function exact(source: Buffer, length: number): Buffer {
  return Buffer.from(source.subarray(0, length));
}

describe('truncation', () => {
  it.each([
    ['IPv4', GOLDEN_V4_BYTES],
    ['IPv6', GOLDEN_V6_BYTES],
  ])('every cut of an %s record is incomplete, with the bytes it needs', (_family, record) => {
    for (let length = 0; length < record.length; length++) {
      const result = decoded(exact(record, length));
      expect(result).toEqual({
        kind: 'incomplete',
        available: length,
        needed: length < 8 ? 8 : record.length,
      });
    }
    expect(decoded(exact(record, record.length)).kind).toBe('message');
  });

  it('every cut of any record is incomplete', () => {
    fc.assert(
      fc.property(arbitraryStoredMessage, fc.double({ min: 0, max: 1, maxExcluded: true }), (fields, cut) => {
        const prepared = prepareStoredMessage(fields);
        const buf = Buffer.alloc(prepared.totalSize);
        encodeStoredMessage(prepared, buf, 0);
        const length = Math.floor(cut * prepared.totalSize);
        expect(decoded(exact(buf, length)).kind).toBe('incomplete');
      }),
      { numRuns: 200 },
    );
  });
});

describe('flipped bytes', () => {
  it('any flipped body byte fails the CRC check, and passes without it', () => {
    for (let i = BODY_START_V4; i < BODY_START_V4 + 5; i++) {
      const buf = Buffer.from(GOLDEN_V4_BYTES);
      buf[i] = (buf[i] ?? 0) ^ 0x01;
      expect(decoded(buf)).toMatchObject({ kind: 'corrupt', reason: 'crc-mismatch' });
      expect(decoded(buf, { checkCrc: false }).kind).toBe('message');
    }
  });

  it('any flipped CRC bit fails the CRC check', () => {
    for (let bit = 0; bit < 32; bit++) {
      const buf = Buffer.from(GOLDEN_V4_BYTES);
      const at = BODY_CRC_OFFSET + (bit >> 3);
      buf[at] = (buf[at] ?? 0) ^ (1 << (bit & 7));
      expect(decoded(buf)).toMatchObject({ kind: 'corrupt', reason: 'crc-mismatch' });
    }
  });

  it('a flip of any bit anywhere never throws and never claims more bytes than there are', () => {
    for (const record of [GOLDEN_V4_BYTES, GOLDEN_V6_BYTES]) {
      for (let bit = 0; bit < record.length * 8; bit++) {
        const buf = Buffer.from(record);
        buf[bit >> 3] = (buf[bit >> 3] ?? 0) ^ (1 << (bit & 7));
        const result = decoded(buf);
        if (result.kind === 'message') expect(result.size).toBeLessThanOrEqual(buf.length);
      }
    }
  });
});

describe('named corruptions', () => {
  it('a wrong magic code', () => {
    expect(decoded(withInt32(GOLDEN_V4_BYTES, MAGIC_OFFSET, 0x12345678))).toMatchObject({
      kind: 'corrupt',
      reason: 'bad-magic',
    });
  });

  it('zero-filled space, as in a preallocated segment past the last write', () => {
    expect(decoded(Buffer.alloc(256))).toMatchObject({ kind: 'corrupt', reason: 'bad-magic' });
  });

  it.each([0, -1, 90, -2_147_483_648])('a total size of %d', (size) => {
    expect(decoded(withInt32(GOLDEN_V4_BYTES, TOTAL_SIZE_OFFSET, size))).toMatchObject({
      kind: 'corrupt',
      reason: 'bad-total-size',
    });
  });

  it('a total size over maxTotalSize is corrupt, not incomplete', () => {
    const huge = withInt32(GOLDEN_V4_BYTES, TOTAL_SIZE_OFFSET, 0x7fffffff);
    expect(decodeStoredMessage(huge)).toMatchObject({ kind: 'incomplete', needed: 0x7fffffff });
    expect(decodeStoredMessage(huge, 0, { maxTotalSize: 4 * 1024 * 1024 })).toMatchObject({
      kind: 'corrupt',
      reason: 'bad-total-size',
    });
  });

  it('a total size larger than the fields, with the bytes present', () => {
    const longer = Buffer.concat([withInt32(GOLDEN_V4_BYTES, TOTAL_SIZE_OFFSET, 123), Buffer.alloc(1)]);
    expect(decoded(longer)).toMatchObject({ kind: 'corrupt', reason: 'size-mismatch' });
  });

  it('a total size too small for IPv6 hosts', () => {
    const v6 = withInt32(GOLDEN_V6_BYTES, TOTAL_SIZE_OFFSET, 100);
    expect(decoded(v6)).toMatchObject({ kind: 'corrupt', reason: 'size-mismatch' });
  });

  it.each([
    ['negative body length', (b: Buffer) => b.writeInt32BE(-1, 84)],
    ['body length past the record', (b: Buffer) => b.writeInt32BE(1000, 84)],
    ['negative topic length', (b: Buffer) => b.writeInt8(-128, TOPIC_LENGTH_V4)],
    ['topic length past the record', (b: Buffer) => b.writeInt8(100, TOPIC_LENGTH_V4)],
    ['negative properties length', (b: Buffer) => b.writeInt16BE(-1, PROPERTIES_LENGTH_V4)],
    ['properties length past the record', (b: Buffer) => b.writeInt16BE(18, PROPERTIES_LENGTH_V4)],
  ])('%s', (_name, damage) => {
    const buf = Buffer.from(GOLDEN_V4_BYTES);
    damage(buf);
    expect(decoded(buf)).toMatchObject({ kind: 'corrupt', reason: 'bad-field-length' });
  });

  it('field lengths that add up short of the total size', () => {
    const buf = Buffer.from(GOLDEN_V4_BYTES);
    buf.writeInt16BE(16, PROPERTIES_LENGTH_V4);
    expect(decoded(buf)).toMatchObject({ kind: 'corrupt', reason: 'size-mismatch' });
  });

  it('a long beyond 2^53', () => {
    const buf = Buffer.from(GOLDEN_V4_BYTES);
    buf.writeInt32BE(0x00200000, QUEUE_OFFSET_OFFSET); // 2^53
    expect(decoded(buf)).toMatchObject({ kind: 'corrupt', reason: 'long-out-of-range' });
  });

  it('a blank record shorter than itself', () => {
    const blank = Buffer.from('00000007cbd43194', 'hex');
    expect(decoded(blank)).toMatchObject({ kind: 'corrupt', reason: 'bad-total-size' });
  });

  it('an offset outside the buffer is the caller’s bug, reported as a RangeError', () => {
    expect(() => decodeStoredMessage(GOLDEN_V4_BYTES, GOLDEN_V4_BYTES.length + 1)).toThrow(RangeError);
    expect(() => decodeStoredMessage(GOLDEN_V4_BYTES, -1)).toThrow(RangeError);
    expect(decodeStoredMessage(GOLDEN_V4_BYTES, GOLDEN_V4_BYTES.length)).toEqual({
      kind: 'incomplete',
      available: 0,
      needed: 8,
    });
  });
});

describe('noise', () => {
  it('random bytes, and records with random bytes spliced in, never make the decoder throw', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 400 }),
        fc.nat(200),
        fc.boolean(),
        (noise, at, spliceIntoRecord) => {
          let buf = Buffer.from(noise);
          if (spliceIntoRecord) {
            buf = Buffer.from(GOLDEN_V6_BYTES);
            Buffer.from(noise).copy(buf, at % buf.length);
          }
          const result = decoded(buf);
          if (result.kind === 'message') expect(result.size).toBeLessThanOrEqual(buf.length);
          const batch = decodeStoredMessages(buf);
          expect(batch.consumed).toBeLessThanOrEqual(buf.length);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
