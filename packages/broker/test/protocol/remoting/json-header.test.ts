// JSON header leniency: what real senders (fastjson, the Go client, hand-written tools) put there.
import { RemotingDecodeError, decodeJsonHeader } from '../../../src/protocol/remoting';

function decode(text: string) {
  return decodeJsonHeader(Buffer.from(text, 'utf8'));
}

function fields(text: string): Array<[string, string]> {
  const result = decode(text);
  if (!result.ok) throw result.error;
  return [...result.value.extFields];
}

describe('extFields value types', () => {
  it('normalises numbers and booleans to their text, keeping long precision', () => {
    expect(
      fields(
        '{"code":10,"opaque":1,"extFields":{"queueId":3,"offset":9223372036854775807,"unitMode":false,"x":true,"rate":1.5e3,"t":"T"}}',
      ),
    ).toEqual([
      ['queueId', '3'],
      ['offset', '9223372036854775807'],
      ['unitMode', 'false'],
      ['x', 'true'],
      ['rate', '1.5e3'],
      ['t', 'T'],
    ]);
  });

  it('drops null values, as Java treats them as absent', () => {
    expect(fields('{"code":10,"opaque":1,"extFields":{"a":null,"b":"1"}}')).toEqual([['b', '1']]);
  });

  it('rejects object and array values with a typed error', () => {
    const result = decode('{"code":10,"opaque":1,"extFields":{"a":{"b":1}}}');
    expect(result).toMatchObject({ ok: false, error: { code: 'REMOTING_DECODE', problem: 'field-invalid' } });
    expect(!result.ok && result.error).toBeInstanceOf(RemotingDecodeError);
  });

  it('keeps a __proto__ key as an ordinary key', () => {
    expect(fields('{"code":10,"opaque":1,"extFields":{"__proto__":"x"}}')).toEqual([['__proto__', 'x']]);
  });
});

describe('fastjson dialect', () => {
  it('accepts unquoted numeric map keys', () => {
    expect(fields('{"code":10,"opaque":1,"extFields":{0:"a",12:3}}')).toEqual([
      ['0', 'a'],
      ['12', '3'],
    ]);
  });

  it('accepts bare keys at the top level and in unknown nested objects', () => {
    const result = decode('{code:105,opaque:4,brokerAddrs:{0:"127.0.0.1:10911"},flag:1}');
    expect(result).toMatchObject({ ok: true, value: { code: 105, opaque: 4, flag: 1 } });
  });

  it('decodes escapes and raw UTF-8 in strings', () => {
    expect(fields('{"code":1,"opaque":1,"extFields":{"k":"a\\"b\\\\c\\u00e9\\ud83d\\ude00 ü"}}')).toEqual([
      ['k', 'a"b\\cé😀 ü'],
    ]);
  });
});

describe('fields', () => {
  it('ignores unknown keys, tolerates any order and whitespace', () => {
    const result = decode(
      ' { "version" : 317 , "future":[1,{"a":null}], "opaque":9, "language":"GO", "code":"34", "remark":null } ',
    );
    expect(result).toMatchObject({
      ok: true,
      value: { code: 34, opaque: 9, version: 317, language: 'GO', flag: 0, remark: undefined },
    });
  });

  it('uses Java defaults for missing flag, version and language', () => {
    expect(decode('{"code":1,"opaque":2}')).toMatchObject({
      ok: true,
      value: { flag: 0, version: 0, language: 'JAVA' },
    });
  });

  it('reads an unknown language name as OTHER and an ordinal as its language', () => {
    expect(decode('{"code":1,"opaque":2,"language":"NODE_JS"}')).toMatchObject({
      ok: true,
      value: { language: 'OTHER' },
    });
    expect(decode('{"code":1,"opaque":2,"language":9}')).toMatchObject({
      ok: true,
      value: { language: 'GO' },
    });
  });

  it.each([
    ['missing code', '{"opaque":1}', 'field-invalid'],
    ['missing opaque', '{"code":1}', 'field-invalid'],
    ['code out of int range', '{"code":2147483648,"opaque":1}', 'field-invalid'],
    ['fractional opaque', '{"code":1,"opaque":1.5}', 'field-invalid'],
    ['remark of the wrong type', '{"code":1,"opaque":1,"remark":5}', 'field-invalid'],
    ['not an object', '[1]', 'header-malformed'],
    ['trailing garbage', '{"code":1,"opaque":1}x', 'header-malformed'],
    ['unterminated string', '{"code":1,"opaque":1,"remark":"abc', 'header-malformed'],
    ['bad escape', '{"code":1,"opaque":1,"remark":"\\x"}', 'header-malformed'],
    ['missing comma', '{"code":1 "opaque":1}', 'header-malformed'],
    ['empty', '', 'header-malformed'],
  ])('%s is a typed error', (_name, text, problem) => {
    expect(decode(text)).toMatchObject({ ok: false, error: { code: 'REMOTING_DECODE', problem } });
  });
});
