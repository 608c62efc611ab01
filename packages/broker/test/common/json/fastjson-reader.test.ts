import fc from 'fast-check';
import { JsonSyntaxError } from '../../../src/common/json/json-errors';
import { fastjsonField, parseFastjson, type FastjsonValue } from '../../../src/common/json/fastjson-reader';

/** The tree as plain data, for comparisons (numbers by value). */
function plain(value: FastjsonValue): unknown {
  switch (value.kind) {
    case 'string':
    case 'boolean':
      return value.value;
    case 'null':
      return null;
    case 'number':
      return Number(value.text);
    case 'array':
      return value.items.map(plain);
    case 'object':
      return Object.fromEntries(value.entries.map(([k, v]) => [k, plain(v)]));
  }
}

function syntaxError(text: string, options?: { objectKeys?: boolean }): JsonSyntaxError {
  try {
    parseFastjson(text, options);
  } catch (error) {
    if (error instanceof JsonSyntaxError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be rejected`);
}

describe('parseFastjson', () => {
  it('reads standard JSON as JSON.parse does', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value);
        expect(plain(parseFastjson(text))).toEqual(JSON.parse(text));
      }),
      { numRuns: 200 },
    );
  });

  it('keeps the source text of numbers, so Java longs are not rounded', () => {
    expect(parseFastjson('9223372036854775807')).toEqual({ kind: 'number', text: '9223372036854775807' });
  });

  it('reads the legacy route data example with unquoted numeric keys (fact sheet §2.2)', () => {
    const text =
      '{"brokerDatas":[{"brokerAddrs":{0:"10.0.0.5:10911",1:"10.0.0.6:10911"},"brokerName":"broker-a","cluster":"DefaultCluster"}],' +
      '"filterServerTable":{},"queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":4,"topicSysFlag":0,"writeQueueNums":4}]}';
    expect(plain(parseFastjson(text))).toMatchObject({
      brokerDatas: [{ brokerAddrs: { '0': '10.0.0.5:10911', '1': '10.0.0.6:10911' } }],
    });
  });

  it('reads objects used as keys only when asked, keeping them apart from string keys', () => {
    const text = '{"a":1,{"brokerName":"b","queueId":0,"topic":"T"}:{"maxOffset":5}}';
    expect(syntaxError(text).problem).toBe('objects and arrays cannot be object keys here');
    const parsed = parseFastjson(text, { objectKeys: true });
    if (parsed.kind !== 'object') throw new Error('expected an object');
    expect(parsed.entries.map(([k]) => k)).toEqual(['a']);
    expect(parsed.objectKeyedEntries).toHaveLength(1);
    const [key, value] = parsed.objectKeyedEntries[0] ?? [];
    expect(key && plain(key)).toEqual({ brokerName: 'b', queueId: 0, topic: 'T' });
    expect(value && plain(value)).toEqual({ maxOffset: 5 });
    expect(syntaxError('{[1]:2}', { objectKeys: true }).problem).toMatch(/cannot be object keys/);
  });

  it('fastjsonField returns the last of duplicate keys', () => {
    const parsed = parseFastjson('{"k":1,"k":2}');
    if (parsed.kind !== 'object') throw new Error('expected an object');
    expect(fastjsonField(parsed, 'k')).toEqual({ kind: 'number', text: '2' });
    expect(fastjsonField(parsed, 'x')).toBeUndefined();
  });

  it('skips a byte-order mark and locates errors by line and column', () => {
    expect(plain(parseFastjson('\uFEFF{a:1}'))).toEqual({ a: 1 });
    const error = syntaxError('{\n  "a": 01}');
    expect(error).toMatchObject({ line: 2, column: 9, code: 'JSON_SYNTAX' });
    expect(error.message).toBe("line 2, column 9: expected ',' or '}' in an object, found '1'");
  });

  it('bounds nesting, also through object keys', () => {
    expect(syntaxError('['.repeat(100_000)).problem).toMatch(/nesting deeper than 64/);
    expect(syntaxError('{'.repeat(100_000), { objectKeys: true }).problem).toMatch(/nesting deeper than 64/);
  });

  it('throws nothing but JsonSyntaxError on random text', () => {
    const alphabet = fc.constantFrom(...'{}[]:,"\\0123456789-+.eEtruefalsn ab\u0000\uFEFF'.split(''));
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 40 }), fc.boolean(), (chars, objectKeys) => {
        try {
          parseFastjson(chars.join(''), { objectKeys });
        } catch (error) {
          expect(error).toBeInstanceOf(JsonSyntaxError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
