import { parseProperties } from '../../src/common/properties-file';
import { formatConfigProblem } from '../../src/common/errors';

const lines = (...l: string[]) => l.join('\n');
const entries = (text: string) =>
  parseProperties(text).entries.map(({ key, value, line }) => [key, value, line] as const);

describe('parseProperties', () => {
  it('reads key=value and key:value with whitespace around key and separator, keeping lines', () => {
    const parsed = parseProperties(
      lines(
        'brokerName=broker-a',
        '  brokerId : 0',
        '',
        'listenPort\t=\t10911',
        'namesrvAddr:127.0.0.1:9876',
      ),
    );
    expect(parsed.problems).toEqual([]);
    expect(parsed.entries).toEqual([
      { key: 'brokerName', value: 'broker-a', line: 1 },
      { key: 'brokerId', value: '0', line: 2 },
      { key: 'listenPort', value: '10911', line: 4 },
      { key: 'namesrvAddr', value: '127.0.0.1:9876', line: 5 },
    ]);
  });

  it('skips # and ! comments (after optional whitespace) and blank lines, counting their lines', () => {
    expect(entries(lines('# broker config', '   ! legacy comment', ' \t ', '', 'a=1'))).toEqual([
      ['a', '1', 5],
    ]);
  });

  it("splits at the first separator, keeps the value's trailing whitespace, allows an empty value", () => {
    expect(entries(lines('a = = b', 'b:x=y', 'c=', 'd=v  '))).toEqual([
      ['a', '= b', 1],
      ['b', 'x=y', 2],
      ['c', '', 3],
      ['d', 'v  ', 4],
    ]);
  });

  it('joins continued lines, dropping leading whitespace, with the entry on its first line', () => {
    const text = lines(
      'a=1',
      'namesrvAddr=10.0.0.1:9876;\\',
      '    10.0.0.2:9876;\\',
      '  #not a comment',
      'b=2',
    );
    expect(entries(text)).toEqual([
      ['a', '1', 1],
      ['namesrvAddr', '10.0.0.1:9876;10.0.0.2:9876;#not a comment', 2],
      ['b', '2', 5],
    ]);
  });

  it('continues only on an odd number of trailing backslashes', () => {
    expect(entries(lines('a=x\\\\', 'b=y'))).toEqual([
      ['a', 'x\\', 1],
      ['b', 'y', 2],
    ]);
  });

  it('does not continue a comment line', () => {
    expect(entries(lines('# comment \\', 'a=1'))).toEqual([['a', '1', 2]]);
  });

  it('accepts \\r\\n and \\r line ends and a byte-order mark', () => {
    expect(entries('\uFEFFa=1\r\nb=2\rc=3')).toEqual([
      ['a', '1', 1],
      ['b', '2', 2],
      ['c', '3', 3],
    ]);
  });

  it('decodes escapes, and escaped separators and spaces belong to the key', () => {
    const text = lines(
      'tab=a\\tb',
      'nl=a\\nb\\r\\f',
      'bs=C:\\\\data',
      'uni=\\u00e9t\\u00C9',
      'k\\=1\\:2\\ 3=v',
    );
    expect(entries(text)).toEqual([
      ['tab', 'a\tb', 1],
      ['nl', 'a\nb\r\f', 2],
      ['bs', 'C:\\data', 3],
      ['uni', 'étÉ', 4],
      ['k=1:2 3', 'v', 5],
    ]);
  });

  it('reports a line with neither = nor : with its line number and the fix', () => {
    const parsed = parseProperties(lines('# broker', 'brokerId=0', '', '', '', '', 'brokerName broker-a'), {
      source: 'broker.properties',
    });
    expect(parsed.entries).toEqual([{ key: 'brokerId', value: '0', line: 2 }]);
    expect(parsed.problems.map(formatConfigProblem)).toEqual([
      "broker.properties:7: 'brokerName broker-a' is neither a comment nor key=value; write brokerName=broker-a",
    ]);
    expect(parsed.problems[0]?.kind).toBe('syntax');
  });

  it('collects every problem instead of stopping at the first', () => {
    const parsed = parseProperties(
      lines('justakey', 'a=1', 'path=C:\\data', 'x=\\u12', '=v', 'broker name=b'),
    );
    expect(parsed.problems.map((p) => [p.kind, p.line])).toEqual([
      ['syntax', 1],
      ['syntax', 3],
      ['syntax', 4],
      ['syntax', 5],
      ['syntax', 6],
    ]);
    expect(parsed.problems[0]?.message).toContain('write justakey=<value>');
    expect(parsed.problems[1]?.message).toContain("'\\d' is not an escape");
    expect(parsed.problems[2]?.message).toContain('4 hex digits');
    expect(parsed.problems[3]?.message).toContain('no key');
    expect(parsed.problems[4]?.key).toBe('broker name');
    expect(parsed.entries).toEqual([{ key: 'a', value: '1', line: 2 }]);
  });

  it('reports a duplicate key naming both lines, and keeps the later value as Java does', () => {
    const parsed = parseProperties(lines('brokerName=a', 'brokerId=0', 'brokerName=b'), {
      source: 'b.properties',
    });
    expect(parsed.entries).toEqual([
      { key: 'brokerId', value: '0', line: 2 },
      { key: 'brokerName', value: 'b', line: 3 },
    ]);
    expect(parsed.problems).toEqual([
      expect.objectContaining({ kind: 'duplicate-key', key: 'brokerName', line: 3, source: 'b.properties' }),
    ]);
    expect(formatConfigProblem(parsed.problems[0]!)).toBe(
      'b.properties:3: brokerName: duplicate key, also set on line 1; the later value wins, keep one',
    );
  });

  it('drops a continuation backslash on the last line', () => {
    expect(entries('a=1\\')).toEqual([['a', '1', 1]]);
  });
});
