import { describeOptions, parseArgs, UsageError, type OptionDef } from '../../src/cli/args';

const defs: readonly OptionDef[] = [
  { name: 'config', short: 'c', value: 'file', doc: 'Config file' },
  { name: 'port', short: 'p', value: 'port', doc: 'Port' },
];

describe('parseArgs', () => {
  it('reads short, long and --name=value options and positionals', () => {
    const parsed = parseArgs(['broker', '-c', 'a.properties', '--port=1', '--', '-x'], defs);
    expect(Object.fromEntries(parsed.options)).toEqual({ config: 'a.properties', port: '1' });
    expect(parsed.positionals).toEqual(['broker', '-x']);
  });

  it('reads a flag as true without taking the next argument as its value', () => {
    const withFlag = [...defs, { name: 'all', value: '', flag: true, doc: 'All' }];
    const parsed = parseArgs(['--all', 'rest', '-p', '2'], withFlag);
    expect(Object.fromEntries(parsed.options)).toEqual({ all: 'true', port: '2' });
    expect(parsed.positionals).toEqual(['rest']);
    expect(() => parseArgs(['--all=1'], withFlag)).toThrow('--all takes no value; write --all alone');
  });

  it.each([
    [['-c'], '-c needs a value: -c <file>'],
    [['-c', 'a', '--config', 'b'], '--config is given twice'],
    [['--conifg', 'a'], 'unknown option --conifg; did you mean --config?'],
    [['-z'], 'unknown option -z'],
  ])('refuses %j', (args, message) => {
    expect(() => parseArgs(args, defs)).toThrow(UsageError);
    expect(() => parseArgs(args, defs)).toThrow(message);
  });

  it('describes the options in aligned columns, with --help', () => {
    expect(describeOptions(defs)).toEqual([
      'Options:',
      '  -c, --config <file>  Config file',
      '  -p, --port <port>    Port',
      '  -h, --help           Show this help',
    ]);
  });
});
