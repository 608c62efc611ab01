import fc from 'fast-check';
import { BodyDecodeError } from '../../../src/protocol/bodies/body-errors';
import {
  decodeBatchMessageBody,
  encodeBatchMessageBody,
} from '../../../src/protocol/bodies/batch-message-body';

describe('batch message body', () => {
  it('encodes the layout of fact sheet §2.3 byte for byte', () => {
    const bytes = encodeBatchMessageBody([
      { flag: 5, body: Buffer.from('hi'), properties: new Map([['K', 'v']]) },
    ]);
    // totalSize 27 = 22 + 2 + 3 | magic 0 | crc 0 | flag 5 | bodyLen 2 | "hi" | propsLen 3 | "K\u0001v"
    expect(bytes.toString('hex')).toBe(
      '0000001b' + '00000000' + '00000000' + '00000005' + '00000002' + '6869' + '0003' + '4b0176',
    );
    const [entry] = decodeBatchMessageBody(bytes);
    expect(entry).toEqual({
      flag: 5,
      body: Buffer.from('hi'),
      properties: new Map([['K', 'v']]),
      propertiesText: 'K\u0001v',
    });
  });

  it('round-trips any batch', () => {
    const entry = fc.record({
      flag: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
      body: fc.uint8Array({ maxLength: 50 }),
      properties: fc.dictionary(fc.stringMatching(/^[A-Z]{1,5}$/), fc.stringMatching(/^[a-z0-9]{1,8}$/)),
    });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 5 }), (entries) => {
        const input = entries.map((e) => ({ ...e, properties: new Map(Object.entries(e.properties)) }));
        const decoded = decodeBatchMessageBody(encodeBatchMessageBody(input));
        expect(
          decoded.map((d) => ({ flag: d.flag, body: new Uint8Array(d.body), properties: d.properties })),
        ).toEqual(input.map((e) => ({ ...e, body: new Uint8Array(e.body) })));
      }),
    );
  });

  it('rejects every truncation with a typed error naming the entry', () => {
    const bytes = encodeBatchMessageBody([
      { flag: 0, body: Buffer.from('one'), properties: new Map([['A', 'b']]) },
      { flag: 0, body: Buffer.from('two'), properties: new Map() },
    ]);
    const firstSize = bytes.readInt32BE(0);
    for (let length = 1; length < bytes.length; length++) {
      if (length === firstSize) continue; // a whole first entry is a valid batch
      expect(() => decodeBatchMessageBody(bytes.subarray(0, length))).toThrow(BodyDecodeError);
    }
    expect(() => decodeBatchMessageBody(bytes.subarray(0, firstSize + 4))).toThrow(/MessageBatch\[1\]/);
  });

  it('never throws anything but BodyDecodeError on random bytes or flipped lengths', () => {
    const valid = encodeBatchMessageBody([
      { flag: 1, body: Buffer.from('body'), properties: new Map([['K', 'v']]) },
    ]);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        try {
          decodeBatchMessageBody(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(BodyDecodeError);
        }
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.nat(valid.length - 1), fc.integer({ min: 1, max: 255 }), (at, xor) => {
        const copy = Buffer.from(valid);
        copy[at] = (copy[at] ?? 0) ^ xor;
        try {
          decodeBatchMessageBody(copy);
        } catch (error) {
          expect(error).toBeInstanceOf(BodyDecodeError);
        }
      }),
    );
  });
});
