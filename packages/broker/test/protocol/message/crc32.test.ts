import fc from 'fast-check';
import * as zlib from 'node:zlib';
import { bodyCrc32, crc32, crc32Portable, hasNativeCrc32 } from '../../../src/protocol/message';

const bytes = (s: string): Buffer => Buffer.from(s, 'utf8');

describe('crc32', () => {
  it.each([
    ['', 0],
    ['a', 0xe8b7be43],
    ['123456789', 0xcbf43926], // the standard CRC-32 check value
    ['The quick brown fox jumps over the lazy dog', 0x414fa339],
  ])('CRC-32 of %j is %d, natively and from the table', (s, expected) => {
    expect(crc32(bytes(s))).toBe(expected);
    expect(crc32Portable(bytes(s))).toBe(expected);
  });

  it('uses the native zlib.crc32 where Node has it', () => {
    expect(hasNativeCrc32).toBe(typeof zlib.crc32 === 'function');
  });

  it('native and table implementations agree on any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (data) => {
        expect(crc32Portable(data)).toBe(zlib.crc32(data));
        expect(crc32(data)).toBe(crc32Portable(data));
      }),
    );
  });

  it('checksums only the bytes of a view, not its whole backing buffer', () => {
    const whole = bytes('xx123456789yy');
    expect(crc32(whole.subarray(2, 11))).toBe(0xcbf43926);
    expect(crc32Portable(whole.subarray(2, 11))).toBe(0xcbf43926);
  });
});

describe('bodyCrc32', () => {
  it('masks the CRC to 31 bits, as RocketMQ stores it', () => {
    expect(bodyCrc32(bytes('a'))).toBe(1_756_872_259); // fact sheet §11.7: 0x68B7BE43
    expect(bodyCrc32(bytes('Hello'))).toBe(0x77d18982);
    expect(bodyCrc32(bytes(''))).toBe(0);
  });
});
