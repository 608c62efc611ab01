import {
  defineConfigSchema,
  type ConfigOf,
  type ConfigSchema,
  type OptionSpecs,
} from '../../src/common/config/schema';
import {
  resolveConfig,
  resolveConfigFromProperties,
  type ConfigInput,
} from '../../src/common/config/resolve';
import {
  ConfigError,
  formatConfigProblem,
  IllegalStateError,
  type ConfigProblem,
} from '../../src/common/errors';

const brokerSchema = defineConfigSchema({
  name: 'broker',
  options: {
    brokerName: { type: 'string', doc: 'Name shared by a master and its slaves.' },
    brokerId: { type: 'long', default: 0, min: 0, doc: '0 for the master, above 0 for a slave.' },
    brokerRole: {
      type: 'enum',
      values: ['ASYNC_MASTER', 'SYNC_MASTER', 'SLAVE'],
      default: 'ASYNC_MASTER',
      doc: 'Replication role.',
    },
    listenPort: { type: 'int', default: 10911, min: 1, max: 65535, doc: 'Remoting port.' },
    mappedFileSizeCommitLog: {
      type: 'int',
      default: 1024 * 1024 * 1024,
      min: 4096,
      aliases: ['mapedFileSizeCommitLog'],
      doc: 'Commit-log segment size in bytes.',
    },
    diskMaxUsedSpaceRatio: { type: 'number', default: 0.75, min: 0.1, max: 0.95, doc: 'Disk use cap.' },
    autoCreateTopicEnable: { type: 'boolean', default: true, doc: 'Create topics on first send.' },
    namesrvAddr: { type: 'list', separator: ';', optional: true, doc: 'Name servers, host:port.' },
  },
  rules: [
    (c) =>
      c.brokerRole !== 'SLAVE' && c.brokerId !== 0
        ? [
            {
              key: 'brokerId',
              message: `must be 0 for a ${c.brokerRole}; set brokerId=0 or brokerRole=SLAVE`,
            },
          ]
        : [],
    (c) =>
      c.brokerRole === 'SLAVE' && c.brokerId === 0
        ? [{ key: 'brokerId', message: 'must be above 0 for a SLAVE; set brokerId=1' }]
        : [],
  ],
});

// Compile-time checks of the inferred config type: the file does not type-check if they fail.
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;
type BrokerConfig = ConfigOf<typeof brokerSchema>;
export type InferenceChecks = [
  Expect<Equals<BrokerConfig['brokerName'], string>>,
  Expect<Equals<BrokerConfig['brokerId'], number>>,
  Expect<Equals<BrokerConfig['brokerRole'], 'ASYNC_MASTER' | 'SYNC_MASTER' | 'SLAVE'>>,
  Expect<Equals<BrokerConfig['autoCreateTopicEnable'], boolean>>,
  Expect<Equals<BrokerConfig['namesrvAddr'], readonly string[] | undefined>>,
  Expect<Equals<keyof BrokerConfig, keyof typeof brokerSchema.options>>,
];

/** The problems of a config that must be rejected; fails the test if it is accepted. */
function problemsOf<O extends OptionSpecs>(
  schema: ConfigSchema<O>,
  input: ConfigInput,
  source?: string,
): readonly ConfigProblem[] {
  try {
    resolveConfig(schema, input, source === undefined ? {} : { source });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const text = (...lines: string[]) => lines.join('\n');

describe('resolveConfig', () => {
  it('fills defaults and returns a frozen, typed config', () => {
    const config = resolveConfig(brokerSchema, { brokerName: 'broker-a' });
    expect(config).toEqual({
      brokerName: 'broker-a',
      brokerId: 0,
      brokerRole: 'ASYNC_MASTER',
      listenPort: 10911,
      mappedFileSizeCommitLog: 1024 * 1024 * 1024,
      diskMaxUsedSpaceRatio: 0.75,
      autoCreateTopicEnable: true,
      namesrvAddr: undefined,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('coerces strings from a properties file to each type', () => {
    const config = resolveConfigFromProperties(
      brokerSchema,
      text(
        'brokerName = broker-a ',
        'brokerId=1',
        'brokerRole=SLAVE',
        'listenPort=+10912',
        'diskMaxUsedSpaceRatio=.9',
        'autoCreateTopicEnable=FALSE',
        'namesrvAddr=10.0.0.1:9876; 10.0.0.2:9876;',
      ),
    );
    expect(config).toMatchObject({
      brokerName: 'broker-a',
      brokerId: 1,
      brokerRole: 'SLAVE',
      listenPort: 10912,
      diskMaxUsedSpaceRatio: 0.9,
      autoCreateTopicEnable: false,
      namesrvAddr: ['10.0.0.1:9876', '10.0.0.2:9876'],
    });
  });

  it('accepts typed JS values, and treats undefined as not given', () => {
    const config = resolveConfig(brokerSchema, {
      brokerName: 'b',
      brokerId: 2n,
      brokerRole: 'SLAVE',
      listenPort: undefined,
      autoCreateTopicEnable: false,
      namesrvAddr: ['n1:9876'],
    });
    expect(config.brokerId).toBe(2);
    expect(config.listenPort).toBe(10911);
    expect(config.namesrvAddr).toEqual(['n1:9876']);
  });

  it('rejects brokerld with the suggestion brokerId, naming file and line', () => {
    let caught: unknown;
    try {
      resolveConfigFromProperties(brokerSchema, text('brokerName=a', '# id', 'brokerld=0'), {
        source: 'broker.properties',
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems;
    expect(problems).toEqual([
      expect.objectContaining({ kind: 'unknown-key', key: 'brokerld', line: 3, suggestion: 'brokerId' }),
    ]);
    expect((caught as ConfigError).message).toContain(
      'broker.properties:3: brokerld: unknown key, did you mean brokerId?',
    );
  });

  it('suggests for case slips and swapped letters, not for keys far from every option', () => {
    const suggestions = problemsOf(brokerSchema, {
      brokerName: 'a',
      LISTENPORT: 1,
      borkerRole: 'SLAVE',
      zookeeperQuorum: 'x',
      xyz: 1,
    }).map((p) => [p.key, p.suggestion]);
    expect(suggestions).toEqual([
      ['LISTENPORT', 'listenPort'],
      ['borkerRole', 'brokerRole'],
      ['zookeeperQuorum', undefined],
      ['xyz', undefined],
    ]);
  });

  it('suggests the canonical name when the closest spelling is an alias', () => {
    const [problem] = problemsOf(brokerSchema, { brokerName: 'a', mapedFileSizeCommitLg: 4096 });
    expect(problem?.suggestion).toBe('mappedFileSizeCommitLog');
  });

  it('reports every problem at once, in line order, each naming its key, line and fix', () => {
    const file = text(
      'brokerName broker-a', // 1: syntax
      'brokerld=0', // 2: unknown key
      'listenPort=abc', // 3: wrong type
      'mappedFileSizeCommitLog=1024', // 4: below min
      'autoCreateTopicEnable=yes', // 5: wrong type
      'brokerRole=async_master', // 6: not one of the values
      'diskMaxUsedSpaceRatio=0.99', // 7: above max
    );
    let caught: unknown;
    try {
      resolveConfigFromProperties(brokerSchema, file, { source: 'broker.properties' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems;
    expect(problems.map((p) => [p.line, p.kind])).toEqual([
      [1, 'syntax'],
      [2, 'unknown-key'],
      [3, 'invalid-type'],
      [4, 'out-of-range'],
      [5, 'invalid-type'],
      [6, 'invalid-value'],
      [7, 'out-of-range'],
      [undefined, 'missing'], // brokerName: line 1 was not an entry, so it was never set
    ]);
    expect(problems.map(formatConfigProblem)).toEqual([
      "broker.properties:1: 'brokerName broker-a' is neither a comment nor key=value; write brokerName=broker-a",
      'broker.properties:2: brokerld: unknown key, did you mean brokerId?',
      "broker.properties:3: listenPort: expected an integer, got 'abc'",
      'broker.properties:4: mappedFileSizeCommitLog: 1024 is below the minimum 4096; use a value of at least 4096',
      "broker.properties:5: autoCreateTopicEnable: expected true or false, got 'yes'",
      "broker.properties:6: brokerRole: expected one of ASYNC_MASTER, SYNC_MASTER, SLAVE, got 'async_master'; did you mean ASYNC_MASTER?",
      'broker.properties:7: diskMaxUsedSpaceRatio: 0.99 is above the maximum 0.95; use a value from 0.1 to 0.95',
      'broker.properties: brokerName: is required; add brokerName=<string>',
    ]);
    expect((caught as ConfigError).message.split('\n')[0]).toBe('Invalid broker configuration (8 problems):');
  });

  it('checks bounds at both ends and the Java int range', () => {
    const kinds = (listenPort: unknown) =>
      problemsOf(brokerSchema, { brokerName: 'a', listenPort }).map((p) => [p.kind, p.message]);
    expect(kinds(0)).toEqual([['out-of-range', '0 is below the minimum 1; use a value from 1 to 65535']]);
    expect(kinds('65536')).toEqual([
      ['out-of-range', '65536 is above the maximum 65535; use a value from 1 to 65535'],
    ]);
    expect(resolveConfig(brokerSchema, { brokerName: 'a', listenPort: 65535 }).listenPort).toBe(65535);
    expect(kinds('3000000000')).toEqual([['out-of-range', "'3000000000' does not fit in a Java int"]]);
  });

  it('reads long as a safe integer and rejects what a number cannot hold exactly', () => {
    const brokerId = (value: unknown) =>
      problemsOf(brokerSchema, { brokerName: 'a', brokerRole: 'SLAVE', brokerId: value }).map((p) => p.kind);
    expect(
      resolveConfig(brokerSchema, { brokerName: 'a', brokerRole: 'SLAVE', brokerId: '9007199254740991' })
        .brokerId,
    ).toBe(Number.MAX_SAFE_INTEGER);
    expect(brokerId('9007199254740993')).toEqual(['out-of-range']);
    expect(brokerId(2n ** 60n)).toEqual(['out-of-range']);
    expect(brokerId('1.5')).toEqual(['invalid-type']);
    expect(brokerId(1.5)).toEqual(['invalid-type']);
    expect(brokerId('0x10')).toEqual(['invalid-type']);
  });

  it('rejects number text that Number() would accept by accident', () => {
    for (const bad of ['', ' ', '0x1', 'Infinity', '1e', '.']) {
      expect(
        problemsOf(brokerSchema, { brokerName: 'a', diskMaxUsedSpaceRatio: bad }).map((p) => p.kind),
      ).toEqual(['invalid-type']);
    }
    expect(
      resolveConfig(brokerSchema, { brokerName: 'a', diskMaxUsedSpaceRatio: '5e-1' }).diskMaxUsedSpaceRatio,
    ).toBe(0.5);
  });

  it('does not coerce typed JS values across types', () => {
    const problems = problemsOf(brokerSchema, {
      brokerName: 42,
      listenPort: true,
      autoCreateTopicEnable: 1,
      namesrvAddr: [1, 2],
      brokerRole: null,
    });
    expect(problems.map(formatConfigProblem)).toEqual([
      'brokerName: expected a string, got 42',
      'brokerRole: expected one of ASYNC_MASTER, SYNC_MASTER, SLAVE, got null',
      'listenPort: expected an integer, got true',
      'autoCreateTopicEnable: expected true or false, got 1',
      "namesrvAddr: expected a list of strings (or one string separated by ';'), got an array",
    ]);
  });

  it('runs cross-field rules and points at the key the rule names', () => {
    const problems = problemsOf(
      brokerSchema,
      [
        { key: 'brokerName', value: 'a', line: 1 },
        { key: 'brokerId', value: '1', line: 2 },
      ],
      'broker.properties',
    );
    expect(problems.map(formatConfigProblem)).toEqual([
      'broker.properties:2: brokerId: must be 0 for a ASYNC_MASTER; set brokerId=0 or brokerRole=SLAVE',
    ]);
    expect(problems[0]?.kind).toBe('rule');
    expect(
      problemsOf(brokerSchema, { brokerName: 'a', brokerRole: 'SLAVE' }).map((p) => [p.kind, p.key]),
    ).toEqual([['rule', 'brokerId']]);
  });

  it('skips rules while a value is invalid, since they would read garbage', () => {
    const problems = problemsOf(brokerSchema, { brokerName: 'a', brokerId: 1, listenPort: 'x' });
    expect(problems.map((p) => p.kind)).toEqual(['invalid-type']);
  });

  it('accepts a legacy alias and rejects it given together with the canonical key', () => {
    expect(
      resolveConfig(brokerSchema, { brokerName: 'a', mapedFileSizeCommitLog: '8192' })
        .mappedFileSizeCommitLog,
    ).toBe(8192);
    const problems = problemsOf(
      brokerSchema,
      [
        { key: 'brokerName', value: 'a', line: 1 },
        { key: 'mapedFileSizeCommitLog', value: '8192', line: 2 },
        { key: 'mappedFileSizeCommitLog', value: '4096', line: 5 },
      ],
      'broker.properties',
    );
    expect(problems.map(formatConfigProblem)).toEqual([
      'broker.properties:5: mappedFileSizeCommitLog: also given as mapedFileSizeCommitLog on line 2; keep one',
    ]);
  });

  it('reports a missing required option', () => {
    expect(problemsOf(brokerSchema, {}).map(formatConfigProblem)).toEqual([
      'brokerName: is required; add brokerName=<string>',
    ]);
  });
});

describe('defineConfigSchema', () => {
  it('rejects a schema whose default breaks its own type or bounds', () => {
    expect(() =>
      defineConfigSchema({ name: 'x', options: { port: { type: 'int', default: 0, min: 1, doc: '' } } }),
    ).toThrow(/port: default 0 is below the minimum 1/);
    expect(() =>
      defineConfigSchema({
        name: 'x',
        options: { role: { type: 'enum', values: ['A'], default: 'B', doc: '' } },
      }),
    ).toThrow(IllegalStateError);
  });

  it('rejects an alias that collides with another option', () => {
    expect(() =>
      defineConfigSchema({
        name: 'x',
        options: {
          a: { type: 'string', default: '', doc: '' },
          b: { type: 'string', default: '', aliases: ['a'], doc: '' },
        },
      }),
    ).toThrow("b: name 'a' is already used by a");
  });

  it('rejects a default on an optional option and min above max', () => {
    expect(() =>
      defineConfigSchema({
        name: 'x',
        options: {
          a: { type: 'string', default: '', optional: true, doc: '' },
          b: { type: 'int', min: 5, max: 1, doc: '' },
        },
      }),
    ).toThrow(/a: has a default[\s\S]*b: min 5 is above max 1/);
  });
});
