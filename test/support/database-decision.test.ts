import {
  decideDatabase,
  DEFAULT_DATABASE_URL,
  parseRequirePostgres,
  planSuite,
  readWorkerDecision,
  redactUrl,
  resolveDatabaseUrl,
  warnBox,
  type ProbeResult,
  type RunDecision,
} from './database-decision';

const URL_SHOWN = 'postgres://postgres@127.0.0.1:5432/test';
const answered: ProbeResult = { outcome: 'answered' };
const unreachable: ProbeResult = { outcome: 'unreachable', reason: 'ECONNREFUSED: connect ECONNREFUSED' };
const rejected: ProbeResult = { outcome: 'rejected', reason: '3D000: database "test" does not exist' };

describe('decideDatabase', () => {
  const probes: Record<ProbeResult['outcome'], ProbeResult> = { answered, unreachable, rejected };

  // probe × KEEL_REQUIRE_POSTGRES → decision, and words its message must contain.
  const cases: ReadonlyArray<[ProbeResult['outcome'], boolean, RunDecision['kind'], readonly string[]]> = [
    ['answered', false, 'postgres', []],
    ['answered', true, 'postgres', []],
    ['unreachable', false, 'pglite', ['no PostgreSQL answered', URL_SHOWN, 'ECONNREFUSED']],
    [
      'unreachable',
      true,
      'fail',
      ['KEEL_REQUIRE_POSTGRES=1', 'ECONNREFUSED', 'Start PostgreSQL', 'DATABASE_URL'],
    ],
    // A broken server is named as such, but does not stop runs that need no database.
    ['rejected', false, 'pglite', ['refused the test connection', '3D000', 'fix the server or DATABASE_URL']],
    ['rejected', true, 'fail', ['KEEL_REQUIRE_POSTGRES=1', 'refused the test connection', '3D000']],
  ];

  it.each(cases)('server %s, require=%s → %s', (outcome, requirePostgres, kind, words) => {
    const decision = decideDatabase(probes[outcome], { requirePostgres, displayUrl: URL_SHOWN });
    expect(decision.kind).toBe(kind);
    const text =
      decision.kind === 'fail' ? decision.message : decision.kind === 'pglite' ? decision.reason : '';
    for (const word of words) expect(text).toContain(word);
  });
});

describe('parseRequirePostgres', () => {
  it.each([
    [undefined, false],
    ['', false],
    ['0', false],
    ['false', false],
    ['1', true],
    ['true', true],
    [' TRUE ', true],
  ])('%j → %s', (value, expected) => {
    expect(parseRequirePostgres(value)).toBe(expected);
  });

  it('names the variable and the bad value instead of guessing', () => {
    expect(() => parseRequirePostgres('yes please')).toThrow(
      /KEEL_REQUIRE_POSTGRES must be 1 or 0, got 'yes please'/,
    );
  });
});

describe('environment', () => {
  it('defaults DATABASE_URL to the project server', () => {
    expect(resolveDatabaseUrl({})).toBe(DEFAULT_DATABASE_URL);
    expect(resolveDatabaseUrl({ DATABASE_URL: '  ' })).toBe(DEFAULT_DATABASE_URL);
    expect(resolveDatabaseUrl({ DATABASE_URL: 'postgres://db:5433/x' })).toBe('postgres://db:5433/x');
  });

  it('hides passwords in URLs it prints', () => {
    expect(redactUrl('postgres://u:secret@h:5432/d')).toBe('postgres://u:***@h:5432/d');
    expect(redactUrl(URL_SHOWN)).toBe(URL_SHOWN);
    expect(redactUrl('host=h password=secret')).not.toContain('secret');
  });

  it('reads the global setup decision in a worker', () => {
    expect(readWorkerDecision({ KEEL_TEST_DB: 'postgres' })).toEqual({
      kind: 'postgres',
      url: DEFAULT_DATABASE_URL,
    });
    expect(readWorkerDecision({ KEEL_TEST_DB: 'pglite', KEEL_TEST_DB_REASON: 'down' })).toEqual({
      kind: 'pglite',
      reason: 'down',
    });
  });

  it('tells a worker that ran without the global setup how to run the tests', () => {
    expect(() => readWorkerDecision({})).toThrow(/KEEL_TEST_DB is not set.*jest\.config\.js/);
    expect(() => readWorkerDecision({ KEEL_TEST_DB: 'mysql' })).toThrow(/KEEL_TEST_DB is 'mysql'/);
  });
});

describe('planSuite', () => {
  const onPostgres = { kind: 'postgres', url: URL_SHOWN } as const;
  const onPGlite = { kind: 'pglite', reason: 'no PostgreSQL answered at x (ECONNREFUSED)' } as const;

  it.each([
    ['postgres', undefined, 'postgres'],
    ['postgres', 'concurrency', 'postgres'],
    ['postgres', 'postgres', 'postgres'],
    ['pglite', undefined, 'pglite'],
    ['pglite', 'concurrency', 'skip'],
    ['pglite', 'postgres', 'skip'],
  ] as const)('run on %s, suite needing %s → %s', (run, need, kind) => {
    expect(planSuite(run === 'postgres' ? onPostgres : onPGlite, need).kind).toBe(kind);
  });

  it('says why a suite is skipped: what it needs and why there is no server', () => {
    const plan = planSuite(onPGlite, 'concurrency');
    expect(plan.kind === 'skip' && plan.why).toMatch(/concurrent connections.*ECONNREFUSED/);
  });
});

describe('warnBox', () => {
  it('wraps long lines at spaces', () => {
    const long = Array.from({ length: 30 }, (_, i) => `word${i}`).join(' ');
    const lines = warnBox('T', [long]).split('\n');
    expect(lines.length).toBeGreaterThan(5);
    expect(new Set(lines.map((line) => line.length)).size).toBe(1);
    expect(lines.every((line) => line.length <= 104)).toBe(true);
  });

  it('frames every line to the same width', () => {
    const lines = warnBox('TITLE', ['short', 'a longer line']).split('\n');
    expect(lines).toEqual([
      '╔═══════════════╗',
      '║ TITLE         ║',
      '║               ║',
      '║ short         ║',
      '║ a longer line ║',
      '╚═══════════════╝',
    ]);
  });
});
