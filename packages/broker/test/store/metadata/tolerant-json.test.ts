import fc from 'fast-check';
import { MetadataFormatError } from '../../../src/store/metadata/metadata-errors';
import { parseTolerantJson } from '../../../src/store/metadata/tolerant-json';

function formatError(text: string): MetadataFormatError {
  try {
    parseTolerantJson(text);
  } catch (error) {
    if (error instanceof MetadataFormatError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be rejected`);
}

describe('parseTolerantJson', () => {
  it('reads standard JSON exactly as JSON.parse does', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(undefined, 2, '\t'), (value, indent) => {
        const text = JSON.stringify(value, null, indent);
        expect(parseTolerantJson(text)).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it("reads fastjson's bare integer map keys", () => {
    expect(parseTolerantJson('{0:12,1:30,-1:7}')).toEqual({ '0': 12, '1': 30, '-1': 7 });
    expect(parseTolerantJson('{"offsetTable":{"TopicTest@g":{0:250,1:248}}}')).toEqual({
      offsetTable: { 'TopicTest@g': { '0': 250, '1': 248 } },
    });
  });

  it("reads fastjson's pretty form, with the line break before a numeric map's closing brace", () => {
    const text = '{\n\t"offsetTable":{\n\t\t"T@G":{0:0,1:5\n\t\t}\n\t}\n}';
    expect(parseTolerantJson(text)).toEqual({ offsetTable: { 'T@G': { '0': 0, '1': 5 } } });
  });

  it('reads unquoted field names and skips a byte-order mark', () => {
    expect(parseTolerantJson('\uFEFF{offsetTable:{$x_1:1}}')).toEqual({ offsetTable: { $x_1: 1 } });
  });

  it('keeps __proto__ as an ordinary key and lets the last duplicate win', () => {
    const parsed = parseTolerantJson('{"__proto__":{"a":1},"k":1,"k":2}');
    expect(Object.keys(parsed as object)).toEqual(['__proto__', 'k']);
    expect((parsed as Record<string, unknown>)['k']).toBe(2);
    expect(Object.getPrototypeOf(parsed)).toBeNull();
  });

  it('decodes every escape', () => {
    expect(parseTolerantJson('"a\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\uD83D\\uDE00"')).toBe(
      'a"b\\c/d\b\f\n\r\té😀',
    );
  });

  it('rejects every truncation of a document', () => {
    const text =
      '{"dataVersion":{"counter":1,"timestamp":2},"offsetTable":{"T@G":{0:12,1:30}},"x":[true,null]}';
    expect(parseTolerantJson(text)).toBeDefined();
    for (let length = 0; length < text.length; length++) {
      expect(() => parseTolerantJson(text.slice(0, length))).toThrow(MetadataFormatError);
    }
  });

  it.each([
    ['', 'line 1, column 1: the document is empty'],
    [' \n\t', 'line 2, column 2: the document is empty'],
    ['{"a":1}\u0000\u0000', 'line 1, column 8: unexpected data after the end of the document'],
    ['{"a":1} x', 'line 1, column 9: unexpected data after the end of the document'],
    ['{\n  "a": 01}', "line 2, column 9: expected ',' or '}' in an object, found '1'"],
    ['{"a":"x\u0000"}', 'line 1, column 8: control character U+0000 inside a string'],
    ['{"a":"\\x"}', 'line 1, column 7: invalid escape \\x'],
    ['{"a":"\\u12"}', 'line 1, column 7: invalid \\u escape'],
    ['{{"a":1}:2}', 'line 1, column 2: objects and arrays cannot be object keys here'],
    ['{"a" 1}', "line 1, column 6: expected ':' after an object key, found '1'"],
    ['[1,]', "line 1, column 4: unexpected ']' where a value was expected"],
    ['tru', "line 1, column 1: unexpected 't' where a value was expected"],
    ['{"a":-}', 'line 1, column 6: malformed number'],
    ['"abc', 'line 1, column 1: unterminated string'],
  ])('rejects %j with a located message', (text, message) => {
    const error = formatError(text);
    expect(error.message).toBe(message);
    expect(error.code).toBe('METADATA_FORMAT');
    expect(error.retriable).toBe(false);
  });

  it('refuses nesting deeper than 64 levels instead of overflowing the stack', () => {
    expect(parseTolerantJson('['.repeat(64) + ']'.repeat(64))).toBeDefined();
    expect(formatError('['.repeat(65) + ']'.repeat(65)).message).toMatch(/nesting deeper than 64 levels/);
    expect(formatError('['.repeat(100_000)).message).toMatch(/nesting deeper/);
  });
});
