// `keel namesrv [-c namesrv.properties] [-p port]`: RocketMQ's mqnamesrv.

import { createLogger } from '../common/logger';
import {
  loadNameServerConfigFile,
  resolveNameServerConfig,
  type NameServerConfig,
  type NameServerConfigOverrides,
} from '../namesrv/namesrv-config';
import { describeOptions, parseArgs, UsageError, type OptionDef } from './args';
import type { CliEnvironment } from './cli-environment';
import type { CliCommand, CliIo } from './command';
import { reportStartupError } from './config-failure';
import { serve } from './serve';

const options: readonly OptionDef[] = [
  { name: 'config', short: 'c', value: 'file', doc: 'namesrv.properties (see docs/configuration.md)' },
  { name: 'port', short: 'p', value: 'port', doc: 'Port to listen on; replaces listenPort (default 9876)' },
];

const usage = [
  'Usage: keel namesrv [-c namesrv.properties] [-p port]',
  '',
  'Starts a name server: brokers register with it, clients ask it for routes. Serves until',
  'SIGTERM or Ctrl-C; a second signal exits at once. Its files live in ~/namesrv unless',
  'namesrvRootDir says otherwise.',
  '',
  ...describeOptions(options),
  '',
  'Stop it with: keel shutdown namesrv [-c namesrv.properties]',
].join('\n');

export function namesrvCommand(env: CliEnvironment): CliCommand {
  return {
    name: 'namesrv',
    summary: 'Start a name server (keel namesrv -p 9876)',
    usage,
    run: (args, io) => runNameServer(args, io, env),
  };
}

/** Loads the name-server config `keel namesrv` or `keel shutdown namesrv` would use. */
export async function loadNameServerConfigForCli(
  configPath: string | undefined,
  overrides: NameServerConfigOverrides,
  env: CliEnvironment,
): Promise<NameServerConfig> {
  const home = env.host === undefined ? {} : { homeDir: env.host.homeDir };
  if (configPath === undefined) return resolveNameServerConfig(undefined, overrides, home);
  return loadNameServerConfigFile(configPath, {
    overrides,
    ...home,
    ...(env.readTextFile === undefined ? {} : { readTextFile: env.readTextFile }),
  });
}

async function runNameServer(args: readonly string[], io: CliIo, env: CliEnvironment): Promise<number> {
  let config: NameServerConfig;
  try {
    const parsed = parseArgs(args, options);
    if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument '${parsed.positionals[0]}'`);
    config = await loadNameServerConfigForCli(
      parsed.options.get('config'),
      { listenPort: parsed.options.get('port') },
      env,
    );
  } catch (error: unknown) {
    return reportStartupError(error, io, 'namesrv');
  }
  const log = createLogger({ clock: env.clock, component: 'namesrv', level: config.logLevel, sink: io.err });
  return serve({
    log,
    pidFile: config.pidFile,
    signals: env.signals,
    processes: env.processes,
    start: () => env.launchers.startNameServer(config, log),
    readyFields: { port: config.listenPort, home: config.namesrvRootDir },
  });
}
