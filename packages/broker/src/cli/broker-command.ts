// `keel broker [-c broker.properties] [-n 'host:port;...'] [-p port]`: RocketMQ's mqbroker.

import { createLogger } from '../common/logger';
import type { ParsedProperties } from '../common/properties-file';
import {
  loadBrokerConfigFile,
  resolveBrokerConfig,
  type BrokerConfig,
  type BrokerConfigOverrides,
} from '../server/broker-config';
import { describeOptions, parseArgs, UsageError, type OptionDef } from './args';
import type { CliEnvironment } from './cli-environment';
import type { CliCommand, CliIo } from './command';
import { reportStartupError } from './config-failure';
import { serve } from './serve';

const options: readonly OptionDef[] = [
  {
    name: 'config',
    short: 'c',
    value: 'file',
    doc: "broker.properties: RocketMQ's broker and store keys (see docs/configuration.md)",
  },
  { name: 'namesrv-addr', short: 'n', value: 'host:port;...', doc: 'Name servers; replaces namesrvAddr' },
  { name: 'port', short: 'p', value: 'port', doc: 'Remoting port; replaces listenPort' },
];

const usage = [
  'Usage: keel broker [-c broker.properties] [-n host:port;host:port] [-p port]',
  '',
  'Starts a broker: validates the config (every problem is listed with its line, and nothing is',
  'started or written if there is one), opens the store, registers with the name servers and',
  'serves until SIGTERM or Ctrl-C; a second signal exits at once. Without -c every key has its',
  'default (the store in ~/store).',
  '',
  ...describeOptions(options),
  '',
  'Stop it with: keel shutdown broker [-c broker.properties]',
].join('\n');

const NO_FILE: ParsedProperties = { entries: [], problems: [] };

export function brokerCommand(env: CliEnvironment): CliCommand {
  return {
    name: 'broker',
    summary: 'Start a broker (keel broker -c broker.properties)',
    usage,
    run: (args, io) => runBroker(args, io, env),
  };
}

/** Loads the broker config `keel broker` or `keel shutdown broker` would use. */
export async function loadBrokerConfigForCli(
  configPath: string | undefined,
  overrides: BrokerConfigOverrides,
  env: CliEnvironment,
): Promise<BrokerConfig> {
  const host = env.host === undefined ? {} : { host: env.host };
  if (configPath === undefined) return resolveBrokerConfig(NO_FILE, overrides, host);
  return loadBrokerConfigFile(configPath, {
    overrides,
    ...host,
    ...(env.readTextFile === undefined ? {} : { readTextFile: env.readTextFile }),
  });
}

async function runBroker(args: readonly string[], io: CliIo, env: CliEnvironment): Promise<number> {
  let config: BrokerConfig;
  try {
    const parsed = parseArgs(args, options);
    if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument '${parsed.positionals[0]}'`);
    config = await loadBrokerConfigForCli(
      parsed.options.get('config'),
      { namesrvAddr: parsed.options.get('namesrv-addr'), listenPort: parsed.options.get('port') },
      env,
    );
  } catch (error: unknown) {
    return reportStartupError(error, io, 'broker');
  }
  const log = createLogger({ clock: env.clock, component: 'broker', level: config.logLevel, sink: io.err });
  log.info('starting', { cluster: config.brokerClusterName, name: config.brokerName, id: config.brokerId });
  return serve({
    log,
    pidFile: config.pidFile,
    signals: env.signals,
    processes: env.processes,
    start: () => env.launchers.startBroker(config, log),
    readyFields: {
      cluster: config.brokerClusterName,
      name: config.brokerName,
      id: config.brokerId,
      role: config.brokerRole,
      address: `${config.brokerIP1}:${config.listenPort}`,
      fastPort: config.fastListenPort,
      haPort: config.haListenPort,
      flush: config.store.flushDiskType,
      store: config.store.storePathRootDir,
      namesrv: config.namesrvAddr.length === 0 ? '(none)' : config.namesrvAddr.join(';'),
    },
  });
}
