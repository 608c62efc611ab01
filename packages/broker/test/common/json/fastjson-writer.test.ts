import fc from 'fast-check';
import { JsonWriteError } from '../../../src/common/json/json-errors';
import { parseFastjson } from '../../../src/common/json/fastjson-reader';
import { writeFastjson } from '../../../src/common/json/fastjson-writer';

function hasUnsafeInteger(value: unknown): boolean {
  if (typeof value === 'number') return Number.isInteger(value) && !Number.isSafeInteger(value);
  if (typeof value !== 'object' || value === null) return false;
  return Object.values(value).some(hasUnsafeInteger);
}

describe('writeFastjson', () => {
  it('sorts bean fields like fastjson and omits undefined ones', () => {
    expect(writeFastjson({ topic: 'T', brokerName: 'b', queueId: 0, remark: undefined, x: null })).toBe(
      '{"brokerName":"b","queueId":0,"topic":"T","x":null}',
    );
  });

  it('writes numeric map keys bare in legacy mode and quoted in standard mode', () => {
    const addrs = new Map([
      [1, '10.0.0.6:10911'],
      [0, '10.0.0.5:10911'],
    ]);
    expect(writeFastjson({ brokerAddrs: addrs })).toBe(
      '{"brokerAddrs":{0:"10.0.0.5:10911",1:"10.0.0.6:10911"}}',
    );
    expect(writeFastjson({ brokerAddrs: addrs }, { mode: 'standard' })).toBe(
      '{"brokerAddrs":{"0":"10.0.0.5:10911","1":"10.0.0.6:10911"}}',
    );
  });

  it('writes bean-keyed maps with the bean as the key, readable back with objectKeys', () => {
    const table = new Map([
      [
        { topic: 'T', queueId: 1, brokerName: 'b' },
        { maxOffset: 5, minOffset: 0 },
      ],
    ]);
    const text = writeFastjson({ offsetTable: table });
    expect(text).toBe(
      '{"offsetTable":{{"brokerName":"b","queueId":1,"topic":"T"}:{"maxOffset":5,"minOffset":0}}}',
    );
    expect(() => parseFastjson(text, { objectKeys: true })).not.toThrow();
    const standard = writeFastjson({ offsetTable: table }, { mode: 'standard' });
    expect(JSON.parse(standard)).toEqual({
      offsetTable: { '{"brokerName":"b","queueId":1,"topic":"T"}': { maxOffset: 5, minOffset: 0 } },
    });
  });

  it('escapes non-ASCII only in standard mode', () => {
    expect(writeFastjson('é"\n')).toBe('"é\\"\\n"');
    expect(writeFastjson('é😀', { mode: 'standard' })).toBe('"\\u00e9\\ud83d\\ude00"');
  });

  it('writes what JSON.parse reads back (standard mode, string-keyed data)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ noUnicodeString: false }), (value) => {
        const text = JSON.stringify(value);
        // Integers beyond 2^53 are refused on purpose (tested below).
        fc.pre(!hasUnsafeInteger(JSON.parse(text)));
        const normalised = JSON.parse(text) as Parameters<typeof writeFastjson>[0];
        expect(JSON.parse(writeFastjson(normalised, { mode: 'standard' }))).toEqual(normalised);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses values JSON cannot carry, naming the path', () => {
    expect(() => writeFastjson({ a: [1, Number.NaN] })).toThrow(JsonWriteError);
    expect(() => writeFastjson({ a: [1, Number.NaN] })).toThrow(/a\[1\]/);
    expect(() => writeFastjson({ big: 2 ** 60 })).toThrow(/big/);
    const cyclic: { self?: unknown } = {};
    cyclic.self = cyclic;
    expect(() => writeFastjson(cyclic as never)).toThrow(/nested deeper/);
  });
});
