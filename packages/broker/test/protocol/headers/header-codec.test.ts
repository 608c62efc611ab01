import fc from 'fast-check';
import { defineHeader } from '../../../src/protocol/headers/header-codec';
import { HeaderFieldError } from '../../../src/protocol/headers/header-errors';
import {
  boolean,
  double,
  int,
  long,
  optionalString,
  string,
  withDefault,
} from '../../../src/protocol/headers/header-fields';
import { PullMessageRequestHeader } from '../../../src/protocol/headers/pull-headers';

function fields(record: Record<string, string>): Map<string, string> {
  return new Map(Object.entries(record));
}

function decodeError(decode: () => unknown): HeaderFieldError {
  try {
    decode();
  } catch (error) {
    if (error instanceof HeaderFieldError) return error;
    throw error;
  }
  throw new Error('expected a HeaderFieldError');
}

const PULL = {
  consumerGroup: 'cg',
  topic: 'T',
  queueId: '3',
  queueOffset: '9007199254740991',
  maxMsgNums: '32',
  sysFlag: '3',
  commitOffset: '0',
  suspendTimeoutMillis: '15000',
  subVersion: '1690000000000',
};

const Sample = defineHeader('SampleHeader', {
  name: string(),
  count: int(),
  offset: long(),
  flag: withDefault(boolean(), false),
  ratio: double(),
  note: optionalString(),
});

describe('defineHeader', () => {
  it('decodes a pull request header with numbers as numbers and optional fields undefined', () => {
    expect(
      PullMessageRequestHeader.decode(fields({ ...PULL, subscription: 'TagA', extra: 'ignored' })),
    ).toEqual({
      consumerGroup: 'cg',
      topic: 'T',
      queueId: 3,
      queueOffset: 9007199254740991,
      maxMsgNums: 32,
      sysFlag: 3,
      commitOffset: 0,
      suspendTimeoutMillis: 15000,
      subscription: 'TagA',
      subVersion: 1690000000000,
      expressionType: undefined,
      bname: undefined,
    });
  });

  it.each([
    [{ queueId: undefined }, 'queueId', 'PullMessageRequestHeader.queueId: missing (required int)'],
    [{ queueId: 'abc' }, 'queueId', 'PullMessageRequestHeader.queueId: "abc" is not an int'],
    [
      { queueId: '2147483648' },
      'queueId',
      'PullMessageRequestHeader.queueId: "2147483648" is outside the Java int range',
    ],
    [{ queueOffset: '1.5' }, 'queueOffset', 'PullMessageRequestHeader.queueOffset: "1.5" is not a long'],
    [
      { queueOffset: '9007199254740992' },
      'queueOffset',
      'PullMessageRequestHeader.queueOffset: "9007199254740992" is beyond ±(2^53 - 1), which Keel cannot represent exactly',
    ],
    [
      { consumerGroup: undefined },
      'consumerGroup',
      'PullMessageRequestHeader.consumerGroup: missing (required string)',
    ],
  ])('rejects %j naming the field', (change, field, message) => {
    const record: Record<string, string> = { ...PULL };
    for (const [key, value] of Object.entries(change)) {
      if (value === undefined) delete record[key];
      else record[key] = value;
    }
    const error = decodeError(() => PullMessageRequestHeader.decode(fields(record)));
    expect(error).toMatchObject({ code: 'HEADER_FIELD_INVALID', header: 'PullMessageRequestHeader', field });
    expect(error.message).toBe(message);
  });

  it('reads booleans as true/false in any case, defaults when absent, and refuses anything else', () => {
    const base = { name: 'n', count: '+7', offset: '-5', ratio: '1.5e3' };
    expect(Sample.decode(fields(base))).toEqual({
      name: 'n',
      count: 7,
      offset: -5,
      flag: false,
      ratio: 1500,
      note: undefined,
    });
    expect(Sample.decode(fields({ ...base, flag: 'TRUE' })).flag).toBe(true);
    expect(decodeError(() => Sample.decode(fields({ ...base, flag: 'yes' }))).message).toBe(
      'SampleHeader.flag: "yes" is not true or false',
    );
    expect(decodeError(() => Sample.decode(fields({ ...base, ratio: 'NaN' }))).field).toBe('ratio');
  });

  it('encodes numbers as decimal text and booleans as true/false, omitting undefined', () => {
    const encoded = Sample.encode({
      name: 'n',
      count: -1,
      offset: 2 ** 53 - 1,
      flag: true,
      ratio: 0.25,
      note: undefined,
    });
    expect([...encoded]).toEqual([
      ['name', 'n'],
      ['count', '-1'],
      ['offset', '9007199254740991'],
      ['flag', 'true'],
      ['ratio', '0.25'],
    ]);
    expect(() => Sample.encode({ name: 'n', count: 2 ** 31, offset: 0, flag: false, ratio: 0 })).toThrow(
      /count/,
    );
  });

  it('round-trips any valid value', () => {
    const value = fc.record({
      name: fc.string(),
      count: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
      offset: fc.maxSafeInteger(),
      flag: fc.boolean(),
      ratio: fc.double({ noNaN: true, noDefaultInfinity: true }),
      note: fc.option(fc.string(), { nil: undefined }),
    });
    fc.assert(
      fc.property(value, (v) => {
        const decoded = Sample.decode(Sample.encode(v));
        expect(decoded).toEqual({ ...v, ratio: Object.is(v.ratio, -0) ? 0 : v.ratio });
      }),
    );
  });

  it('throws only HeaderFieldError on random ext fields', () => {
    const keys = fc.constantFrom(...Object.keys(PULL), 'subscription', 'x');
    fc.assert(
      fc.property(fc.dictionary(keys, fc.string()), (record) => {
        try {
          PullMessageRequestHeader.decode(fields({ ...PULL, ...record }));
        } catch (error) {
          expect(error).toBeInstanceOf(HeaderFieldError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
