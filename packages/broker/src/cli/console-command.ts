// `keel console -n 'host:port;…' [-p 8080] [--bind 127.0.0.1] [--token T | --user U --password P]`:
// the web console (docs/console.md). Serves until SIGTERM or Ctrl-C; a second signal exits at once.

import { AdminClient } from '../client/admin/admin-client';
import { ConfigError, isKeelError } from '../common/errors';
import { createLogger } from '../common/logger';
import type { ConsoleAuth } from '../console/console-auth';
import { ConsoleServer, DEFAULT_SAMPLE_INTERVAL_MS } from '../console/console-server';
import { CONSOLE_ASSETS_MISSING, defaultConsoleAssetsDir } from '../console/static-assets';
import { describeOptions, parseArgs, UsageError, type OptionDef } from './args';
import type { AdminProcessEnv } from './admin-command';
import type { CliEnvironment } from './cli-environment';
import type { CliCommand, CliIo } from './command';
import { EXIT_USAGE, reportStartupError } from './config-failure';
import type { ShutdownSignal } from './process-control';
import { EXIT_FAILURE, EXIT_INTERRUPTED } from './serve';

export const DEFAULT_CONSOLE_PORT = 8080;
export const DEFAULT_CONSOLE_BIND = '127.0.0.1';

const options: readonly OptionDef[] = [
  { name: 'namesrv-addr', short: 'n', value: 'host:port;...', doc: 'Name servers (default: $NAMESRV_ADDR)' },
  {
    name: 'port',
    short: 'p',
    value: 'port',
    doc: `Port to serve on (default ${DEFAULT_CONSOLE_PORT}; 0 = any free port)`,
  },
  {
    name: 'bind',
    value: 'address',
    doc: `Address to listen on (default ${DEFAULT_CONSOLE_BIND}, this machine only)`,
  },
  { name: 'token', value: 'secret', doc: 'Require Authorization: Bearer <secret> for the API' },
  { name: 'user', value: 'name', doc: 'Require basic auth with this user name (with --password)' },
  { name: 'password', value: 'secret', doc: 'The basic-auth password (with --user)' },
  {
    name: 'sample-interval',
    value: 'ms',
    doc: `How often throughput is sampled for the overview chart (default ${DEFAULT_SAMPLE_INTERVAL_MS})`,
  },
  { name: 'assets-dir', value: 'dir', doc: 'The built front end (default: packages/console-ui/dist)' },
];

const usage = [
  "Usage: keel console [-n 'host:port;...'] [-p 8080] [--bind 127.0.0.1] [--token T | --user U --password P]",
  '',
  'Serves the web console: overview, topics, consumer groups, messages, dead letters and open',
  'transactions of the cluster the name servers know. Listens on 127.0.0.1 unless --bind says',
  'otherwise; any other address needs --token or --user/--password. Runs until SIGTERM or Ctrl-C.',
  '',
  ...describeOptions(options),
  '',
  'Reference: docs/console.md',
].join('\n');

export function consoleCommand(env: CliEnvironment, processEnv: AdminProcessEnv = process.env): CliCommand {
  return {
    name: 'console',
    summary: 'Serve the web console (keel console -n 127.0.0.1:9876, then open http://127.0.0.1:8080/)',
    usage,
    run: (args, io) => runConsole(args, io, env, processEnv),
  };
}

interface ConsoleSettings {
  readonly nameServer: string;
  readonly port: number;
  readonly bindAddress: string;
  readonly auth: ConsoleAuth;
  readonly sampleIntervalMs: number;
  readonly assetsDir: string;
}

async function runConsole(
  args: readonly string[],
  io: CliIo,
  env: CliEnvironment,
  processEnv: AdminProcessEnv,
): Promise<number> {
  let settings: ConsoleSettings;
  let admin: AdminClient;
  try {
    settings = readSettings(args, processEnv);
    admin = new AdminClient({ nameServer: settings.nameServer, clock: env.clock });
  } catch (error) {
    return reportStartupError(error, io, 'console');
  }
  const log = createLogger({ clock: env.clock, component: 'console', sink: io.err });
  let stop!: (signal: ShutdownSignal) => void;
  const stopRequested = new Promise<ShutdownSignal>((resolve) => (stop = resolve));
  let interrupt!: () => void;
  // A second signal while closing: leave at once (main.ts then exits the process).
  const interrupted = new Promise<number>((resolve) => (interrupt = () => resolve(EXIT_INTERRUPTED)));
  let signals = 0;
  const unsubscribe = env.signals.subscribe((signal) => {
    signals++;
    if (signals === 1) stop(signal);
    else interrupt();
  });
  try {
    let server: ConsoleServer;
    try {
      server = await ConsoleServer.start({ ...settings, admin, clock: env.clock, log });
    } catch (error) {
      await admin.close();
      if (isKeelError(error) && error.code === CONSOLE_ASSETS_MISSING) {
        io.err(`keel console: ${error.message}`);
        return EXIT_USAGE;
      }
      if (error instanceof ConfigError) return reportStartupError(error, io, 'console');
      log.error('failed to start', { error: error instanceof Error ? error : String(error) });
      return EXIT_FAILURE;
    }
    const host = settings.bindAddress.includes(':') ? `[${settings.bindAddress}]` : settings.bindAddress;
    log.info('ready', {
      url: `http://${host}:${server.port}/`,
      nameServers: admin.nameServers.join(';'),
      auth: settings.auth.kind,
    });
    log.info('shutdown requested', { signal: await stopRequested });
    const closed = Promise.all([server.close(), admin.close()]).then(
      () => {
        log.info('stopped');
        return 0;
      },
      (error: unknown) => {
        log.error('failed to close cleanly', { error: error instanceof Error ? error : String(error) });
        return EXIT_FAILURE;
      },
    );
    return await Promise.race([closed, interrupted]);
  } finally {
    unsubscribe();
  }
}

function readSettings(args: readonly string[], processEnv: AdminProcessEnv): ConsoleSettings {
  const parsed = parseArgs(args, options);
  if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument '${parsed.positionals[0]}'`);
  const get = (name: string) => parsed.options.get(name);
  const nameServer = get('namesrv-addr') ?? processEnv['NAMESRV_ADDR'];
  if (nameServer === undefined || nameServer.trim() === '')
    throw new UsageError(
      'no name server: pass -n 127.0.0.1:9876 (several: -n "host1:9876;host2:9876") or set NAMESRV_ADDR',
    );
  return {
    nameServer,
    port: integerOption('port', get('port'), DEFAULT_CONSOLE_PORT, 0, 65535),
    bindAddress: get('bind') ?? DEFAULT_CONSOLE_BIND,
    auth: authOf(get('token'), get('user'), get('password')),
    sampleIntervalMs: integerOption(
      'sample-interval',
      get('sample-interval'),
      DEFAULT_SAMPLE_INTERVAL_MS,
      100,
      3_600_000,
    ),
    assetsDir: get('assets-dir') ?? defaultConsoleAssetsDir(),
  };
}

function authOf(
  token: string | undefined,
  user: string | undefined,
  password: string | undefined,
): ConsoleAuth {
  if (token !== undefined && (user !== undefined || password !== undefined))
    throw new UsageError('give either --token or --user with --password, not both');
  if (token !== undefined) return { kind: 'token', token };
  if (user === undefined && password === undefined) return { kind: 'none' };
  if (user === undefined || password === undefined)
    throw new UsageError(
      `--${user === undefined ? 'password' : 'user'} needs --${user === undefined ? 'user' : 'password'} too`,
    );
  return { kind: 'basic', user, password };
}

function integerOption(
  name: string,
  text: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max)
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got '${text}'`);
  return value;
}
