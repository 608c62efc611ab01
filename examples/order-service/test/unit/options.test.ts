import { DEFAULT_OPTIONS, OptionsError, parseScenarioOptions } from '../../src/scenario/options';

describe('parseScenarioOptions', () => {
  it('defaults to 1,000 orders from 50 users with faults on', () => {
    expect(parseScenarioOptions([])).toEqual(DEFAULT_OPTIONS);
    expect(DEFAULT_OPTIONS).toMatchObject({ orders: 1_000, users: 50, faults: true, serve: false });
  });

  it('reads every option, as --name value and --name=value', () => {
    expect(
      parseScenarioOptions([
        '--orders',
        '200',
        '--faults=off',
        '--serve',
        '--data-dir',
        '/tmp/x',
        '--seed=3',
        '--concurrency',
        '4',
        '--settle-timeout-s',
        '30',
        '--port',
        '8080',
        '--users',
        '5',
      ]),
    ).toEqual({
      ...DEFAULT_OPTIONS,
      orders: 200,
      faults: false,
      serve: true,
      dataDir: '/tmp/x',
      seed: 3,
      concurrency: 4,
      settleTimeoutMs: 30_000,
      port: 8080,
      users: 5,
    });
  });

  it.each([
    [['--order', '5'], /unknown option --order; did you mean --orders\?/],
    [['--orders'], /--orders needs a value/],
    [['--orders', '--serve'], /--orders needs a value/],
    [['--orders', '0'], /--orders must be a whole number from 1 to/],
    [['--orders', '1e3'], /--orders must be a whole number/],
    [['--faults', 'maybe'], /--faults must be on or off, got maybe/],
    [['--serve=yes'], /--serve takes no value/],
  ])('refuses %j with a message naming the option', (args, message) => {
    expect(() => parseScenarioOptions(args)).toThrow(OptionsError);
    expect(() => parseScenarioOptions(args)).toThrow(message);
  });
});
