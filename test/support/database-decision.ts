// Which database a test run uses, as pure functions of what the probe saw and the environment.
//
//   probe of DATABASE_URL     KEEL_REQUIRE_POSTGRES unset/0     KEEL_REQUIRE_POSTGRES=1
//   answered                  postgres                          postgres
//   unreachable               pglite (needy suites skipped)     fail
//   rejected (server error)   pglite (needy suites skipped)     fail
//
// A server that answers with an error (no such database, bad password) is a setup mistake rather
// than an absence, so the messages say which of the two it was. It still falls back: the probe runs
// for every jest run, and a broken local server should not stop tests that use no database.
//
// jest-global-setup.ts decides once per run and passes the decision to the workers in KEEL_TEST_DB
// (and KEEL_TEST_DB_REASON); each suite then plans with planSuite.

export const TEST_ENV = {
  /** Input: the server to test against. */
  databaseUrl: 'DATABASE_URL',
  /** Input: 1 makes an unreachable server fail the run instead of falling back. */
  requirePostgres: 'KEEL_REQUIRE_POSTGRES',
  /** Output of the global setup: 'postgres' or 'pglite'. */
  database: 'KEEL_TEST_DB',
  /** Output: why the run fell back to PGlite, for the skip messages. */
  fallbackReason: 'KEEL_TEST_DB_REASON',
} as const;

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** Long enough for a local server under load, short enough not to stall a run without one. */
export const PROBE_TIMEOUT_MS = 1_500;

export type Environment = Readonly<Record<string, string | undefined>>;

export type ProbeResult =
  | { readonly outcome: 'answered' }
  /** Nothing answered: refused, timed out, unknown host. */
  | { readonly outcome: 'unreachable'; readonly reason: string }
  /** A server answered, with an error. */
  | { readonly outcome: 'rejected'; readonly reason: string };

export type RunDecision =
  | { readonly kind: 'postgres' }
  | { readonly kind: 'pglite'; readonly reason: string }
  | { readonly kind: 'fail'; readonly message: string };

export interface DecisionSettings {
  readonly requirePostgres: boolean;
  /** DATABASE_URL with any password hidden, for messages. */
  readonly displayUrl: string;
}

export function decideDatabase(probe: ProbeResult, settings: DecisionSettings): RunDecision {
  if (probe.outcome === 'answered') return { kind: 'postgres' };
  const reason =
    probe.outcome === 'unreachable'
      ? `no PostgreSQL answered at ${settings.displayUrl} (${probe.reason})`
      : `PostgreSQL at ${settings.displayUrl} refused the test connection (${probe.reason}); ` +
        `fix the server or ${TEST_ENV.databaseUrl}`;
  if (settings.requirePostgres) {
    return {
      kind: 'fail',
      message:
        `${TEST_ENV.requirePostgres}=1 but ${reason}. ` +
        `Start PostgreSQL or set ${TEST_ENV.databaseUrl} to a server the tests can use ` +
        `(default ${DEFAULT_DATABASE_URL}).`,
    };
  }
  return { kind: 'pglite', reason };
}

/** Reads KEEL_REQUIRE_POSTGRES: 1/true or 0/false/empty; anything else is a typo worth stopping for. */
export function parseRequirePostgres(value: string | undefined): boolean {
  const normalised = (value ?? '').trim().toLowerCase();
  if (normalised === '1' || normalised === 'true') return true;
  if (normalised === '' || normalised === '0' || normalised === 'false') return false;
  throw new Error(`${TEST_ENV.requirePostgres} must be 1 or 0, got '${value ?? ''}'`);
}

export function resolveDatabaseUrl(env: Environment): string {
  const url = env[TEST_ENV.databaseUrl]?.trim();
  return url === undefined || url === '' ? DEFAULT_DATABASE_URL : url;
}

/** The URL with its password replaced, so it can be printed. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === '') return url;
    parsed.password = '***';
    return parsed.toString();
  } catch (error: unknown) {
    // Not a URL (pg also takes key=value strings); print nothing of it rather than risk a secret.
    return `<${TEST_ENV.databaseUrl} that is not a URL: ${error instanceof Error ? error.message : String(error)}>`;
  }
}

/** What a worker learns from the global setup. */
export type WorkerDecision =
  { readonly kind: 'postgres'; readonly url: string } | { readonly kind: 'pglite'; readonly reason: string };

export function readWorkerDecision(env: Environment): WorkerDecision {
  const kind = env[TEST_ENV.database];
  if (kind === 'postgres') return { kind, url: resolveDatabaseUrl(env) };
  if (kind === 'pglite') {
    return { kind, reason: env[TEST_ENV.fallbackReason] ?? 'PostgreSQL was not reachable' };
  }
  throw new Error(
    `${TEST_ENV.database} is ${kind === undefined ? 'not set' : `'${kind}'`}: it is set by ` +
      `test/support/jest-global-setup.ts, so run the tests with the repository's jest.config.js ` +
      `(npx jest from /work/main), which probes the database once per run`,
  );
}

/** What a suite declares it cannot do without. */
export type DatabaseNeed =
  /** Several connections at once: row locks, blocking, real parallel transactions. */
  | 'concurrency'
  /** Behaviour of a real server: pg_stat_activity, extensions, comparing against PostgreSQL. */
  | 'postgres';

export type SuitePlan =
  | { readonly kind: 'postgres'; readonly url: string }
  | { readonly kind: 'pglite' }
  | { readonly kind: 'skip'; readonly why: string };

const NEED_DESCRIPTIONS: Record<DatabaseNeed, string> = {
  concurrency: 'real concurrent connections, which embedded PGlite (one session) cannot give',
  postgres: 'a real PostgreSQL server, which embedded PGlite does not stand in for',
};

export function planSuite(decision: WorkerDecision, need: DatabaseNeed | undefined): SuitePlan {
  if (decision.kind === 'postgres') return { kind: 'postgres', url: decision.url };
  if (need === undefined) return { kind: 'pglite' };
  return { kind: 'skip', why: `it needs ${NEED_DESCRIPTIONS[need]}; ${decision.reason}` };
}

const BOX_TEXT_WIDTH = 100;

/** A framed message that stands out in a wall of test output; long lines wrap at spaces. */
export function warnBox(title: string, lines: readonly string[]): string {
  const body = [title, '', ...lines].flatMap((line) => wrap(line, BOX_TEXT_WIDTH));
  const width = Math.max(...body.map((line) => line.length));
  const bar = '═'.repeat(width + 2);
  return [`╔${bar}╗`, ...body.map((line) => `║ ${line.padEnd(width)} ║`), `╚${bar}╝`].join('\n');
}

function wrap(line: string, width: number): string[] {
  const wrapped: string[] = [];
  let current = '';
  for (const word of line.split(' ')) {
    if (current !== '' && current.length + 1 + word.length > width) {
      wrapped.push(current);
      current = word;
    } else {
      current = current === '' ? word : `${current} ${word}`;
    }
  }
  wrapped.push(current);
  return wrapped;
}

/** The lines that tell a reader how to run what was skipped. */
export function howToRunWithPostgres(): string[] {
  return [
    'To run it: start PostgreSQL on 127.0.0.1:5432 (user postgres, database test),',
    `or set ${TEST_ENV.databaseUrl} to a running server. Set ${TEST_ENV.requirePostgres}=1`,
    'to make a missing server fail the run instead of skipping (CI does).',
  ];
}
