import fc from 'fast-check';
import { KeelError } from '../../../src/common/errors';
import {
  InvalidMessagePropertyError,
  MessageConst,
  MessageErrorCodes,
  MessagePropertiesTooLongError,
  RESERVED_PROPERTY_NAMES,
  decodeMessageProperties,
  encodeMessageProperties,
  messagePropertiesToString,
  parseMessageProperties,
} from '../../../src/protocol/message';

const S1 = '\u0001';
const S2 = '\u0002';

describe('messagePropertiesToString', () => {
  it('joins name \\u0001 value with \\u0002, without a trailing separator', () => {
    const props = new Map([
      [MessageConst.PROPERTY_TAGS, 'TagA'],
      [MessageConst.PROPERTY_KEYS, 'k1 k2'],
    ]);
    expect(messagePropertiesToString(props)).toBe(`TAGS${S1}TagA${S2}KEYS${S1}k1 k2`);
  });

  it('writes nothing for an empty map', () => {
    expect(messagePropertiesToString(new Map())).toBe('');
  });

  it('skips null and undefined values but writes empty ones, as Java does', () => {
    const props = new Map<string, string | null | undefined>([
      ['A', null],
      ['B', ''],
      ['C', undefined],
      ['D', 'd'],
    ]);
    expect(messagePropertiesToString(props)).toBe(`B${S1}${S2}D${S1}d`);
  });

  it('refuses names or values a reader would split differently', () => {
    for (const [name, value] of [
      [`a${S1}b`, 'v'],
      [`a${S2}b`, 'v'],
      ['a', `v${S2}w`],
    ] as const) {
      const error = captureError(() => messagePropertiesToString(new Map([[name, value]])));
      expect(error).toBeInstanceOf(InvalidMessagePropertyError);
      expect(error).toMatchObject({
        code: MessageErrorCodes.PROPERTY_INVALID,
        retriable: false,
        propertyName: name,
      });
    }
  });

  it('allows \\u0001 inside a value: the name ends at the first one', () => {
    const text = messagePropertiesToString(new Map([['k', `a${S1}b`]]));
    expect(parseMessageProperties(text)).toEqual(new Map([['k', `a${S1}b`]]));
  });
});

describe('parseMessageProperties', () => {
  it.each<[string, string, [string, string][]]>([
    ['empty string', '', []],
    ['one entry', `TAGS${S1}TagA`, [['TAGS', 'TagA']]],
    ['trailing separator (older writers)', `A${S1}b${S2}`, [['A', 'b']]],
    ['empty value is dropped', `A${S1}${S2}B${S1}b`, [['B', 'b']]],
    ['empty name is dropped', `${S1}abc${S2}B${S1}b`, [['B', 'b']]],
    ['segment shorter than 3 code units is dropped', `ab${S2}a${S1}${S2}B${S1}b`, [['B', 'b']]],
    ['segment without \\u0001 is dropped', `abc${S2}d${S1}e`, [['d', 'e']]],
    ['repeated separators', `${S2}${S2}A${S1}b${S2}${S2}`, [['A', 'b']]],
    [
      'later duplicate wins',
      `A${S1}1${S2}B${S1}2${S2}A${S1}3`,
      [
        ['A', '3'],
        ['B', '2'],
      ],
    ],
    ['a 3-code-unit segment is the shortest kept', `a${S1}b`, [['a', 'b']]],
    ['an astral character is two code units', `😀${S1}x`, [['😀', 'x']]],
  ])('%s', (_name, text, entries) => {
    expect([...parseMessageProperties(text)]).toEqual(entries);
  });

  it('round-trips any map whose names and values are non-empty and free of separators', () => {
    const text = fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 20 })
      .filter((s) => !s.includes(S1) && !s.includes(S2));
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(text, text), { selector: ([k]) => k, maxLength: 12 }),
        (entries) => {
          const props = new Map(entries);
          const encoded = encodeMessageProperties(props);
          expect(decodeMessageProperties(encoded)).toEqual(props);
          expect([...parseMessageProperties(messagePropertiesToString(props))]).toEqual(entries);
        },
      ),
    );
  });
});

describe('encodeMessageProperties / decodeMessageProperties', () => {
  it('encodes UTF-8', () => {
    const props = new Map([['ключ', '值😀']]);
    const bytes = encodeMessageProperties(props);
    expect(bytes.toString('hex')).toBe(Buffer.from(`ключ${S1}值😀`, 'utf8').toString('hex'));
    expect(bytes.length).toBe(8 + 1 + 3 + 4);
  });

  it('decodes a byte range of a larger buffer', () => {
    const buf = Buffer.concat([Buffer.from('xx'), Buffer.from(`A${S1}b`), Buffer.from('yy')]);
    expect(decodeMessageProperties(buf, 2, 5)).toEqual(new Map([['A', 'b']]));
  });

  it('accepts exactly 32,767 bytes and refuses one more with a typed error', () => {
    const atLimit = new Map([['K', 'v'.repeat(32_767 - 2)]]);
    expect(encodeMessageProperties(atLimit).length).toBe(32_767);

    const over = new Map([['K', 'é'.repeat(16_383)]]); // 2 + 2 × 16,383 = 32,768 bytes
    const error = captureError(() => encodeMessageProperties(over));
    expect(error).toBeInstanceOf(MessagePropertiesTooLongError);
    expect(error).toBeInstanceOf(KeelError);
    expect(error).toMatchObject({
      name: 'MessagePropertiesTooLongError',
      code: MessageErrorCodes.PROPERTIES_TOO_LONG,
      retriable: false,
      byteLength: 32_768,
      maxByteLength: 32_767,
    });
  });
});

describe('RESERVED_PROPERTY_NAMES', () => {
  it('holds the system names user code may not set, and not the transaction-check bookkeeping', () => {
    expect(RESERVED_PROPERTY_NAMES.has('TAGS')).toBe(true);
    expect(RESERVED_PROPERTY_NAMES.has('UNIQ_KEY')).toBe(true);
    expect(RESERVED_PROPERTY_NAMES.has('INNER_MULTI_DISPATCH')).toBe(true);
    expect(RESERVED_PROPERTY_NAMES.has('TRANSACTION_CHECK_TIMES')).toBe(false);
    expect(RESERVED_PROPERTY_NAMES.has('orderId')).toBe(false);
  });
});

function captureError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}
