// `keel shutdown broker|namesrv`: RocketMQ's mqshutdown. Finds the server through the pid file it
// keeps in its data directory and sends SIGTERM; the server then closes cleanly by itself.

import { describeOptions, parseArgs, UsageError, type OptionDef } from './args';
import { loadBrokerConfigForCli } from './broker-command';
import type { CliEnvironment } from './cli-environment';
import type { CliCommand, CliIo } from './command';
import { reportStartupError } from './config-failure';
import { loadNameServerConfigForCli } from './namesrv-command';
import { readPidFile } from './pid-file';
import { EXIT_FAILURE } from './serve';

const SERVERS = ['broker', 'namesrv'] as const;
type ServerKind = (typeof SERVERS)[number];
const LABEL: Readonly<Record<ServerKind, string>> = { broker: 'broker', namesrv: 'name server' };

const options: readonly OptionDef[] = [
  {
    name: 'config',
    short: 'c',
    value: 'file',
    doc: 'The properties file the server was started with; its data directory holds the pid file',
  },
  { name: 'pid-file', value: 'path', doc: 'The pid file itself, instead of finding it through -c' },
];

const usage = [
  'Usage: keel shutdown broker|namesrv [-c file] [--pid-file path]',
  '',
  'Asks a running broker or name server to stop (SIGTERM); it closes cleanly by itself. Finds it',
  'through the pid file in its data directory: storePathRootDir/keel-broker.pid (default',
  '~/store) or namesrvRootDir/keel-namesrv.pid (default ~/namesrv).',
  '',
  ...describeOptions(options),
].join('\n');

export function shutdownCommand(env: CliEnvironment): CliCommand {
  return {
    name: 'shutdown',
    summary: 'Stop a running broker or name server (keel shutdown broker)',
    usage,
    run: (args, io) => runShutdown(args, io, env),
  };
}

async function runShutdown(args: readonly string[], io: CliIo, env: CliEnvironment): Promise<number> {
  let kind: ServerKind;
  let pidFile: string;
  let pid: number | undefined;
  try {
    const parsed = parseArgs(args, options);
    kind = serverKind(parsed.positionals);
    pidFile = parsed.options.get('pid-file') ?? (await findPidFile(kind, parsed.options.get('config'), env));
    pid = await readPidFile(pidFile);
  } catch (error: unknown) {
    return reportStartupError(error, io, 'shutdown');
  }
  const label = LABEL[kind];
  if (pid === undefined) {
    io.err(`No ${label} running: there is no pid file at ${pidFile}.`);
    return EXIT_FAILURE;
  }
  let signalled: boolean;
  try {
    signalled = env.processes.sendSignal(pid, 'SIGTERM');
  } catch (error: unknown) {
    io.err(
      `Cannot signal the ${label} (pid ${pid} from ${pidFile}): ${error instanceof Error ? error.message : String(error)}`,
    );
    return EXIT_FAILURE;
  }
  if (!signalled) {
    io.err(
      `No ${label} running: ${pidFile} names process ${pid}, which does not exist (the ${label} did not stop cleanly); delete the file.`,
    );
    return EXIT_FAILURE;
  }
  io.out(`Sent SIGTERM to the ${label} (pid ${pid}); it stops once it has closed cleanly.`);
  return 0;
}

function serverKind(positionals: readonly string[]): ServerKind {
  const [what, extra] = positionals;
  if (what === undefined) throw new UsageError('say which server to stop: keel shutdown broker|namesrv');
  if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}'`);
  const kind = SERVERS.find((s) => s === what);
  if (kind === undefined) throw new UsageError(`'${what}' is not a server; use broker or namesrv`);
  return kind;
}

// Without -c, the default config's paths: the same defaults `keel broker` would have used.
async function findPidFile(
  kind: ServerKind,
  configPath: string | undefined,
  env: CliEnvironment,
): Promise<string> {
  const config =
    kind === 'broker'
      ? await loadBrokerConfigForCli(configPath, {}, env)
      : await loadNameServerConfigForCli(configPath, {}, env);
  return config.pidFile;
}
