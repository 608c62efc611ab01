// The name server's configuration: RocketMQ's NamesrvConfig keys where it has them (listenPort,
// kvConfigPath, orderMessageEnable), Keel's additions say so. RocketMQ keeps its name-server files
// under ~/namesrv; Keel names that directory `namesrvRootDir` so that several name servers on one
// machine (tests, a local cluster) can each have their own, and derives the other paths from it.

import { homedir } from 'node:os';
import { join } from 'node:path';
import { defineConfigSchema, type ConfigOf } from '../common/config/schema';
import { LOG_LEVELS } from '../common/logger';
import type { ParsedProperties } from '../common/properties-file';
import {
  readPropertiesFile,
  readUtf8File,
  resolveConfigSources,
  type ConfigOverrides,
  type ReadTextFile,
} from '../server/config/config-sources';

/** Written by a running `keel namesrv` into namesrvRootDir, read by `keel shutdown namesrv`. */
export const NAMESRV_PID_FILE_NAME = 'keel-namesrv.pid';

export const nameServerConfigSchema = defineConfigSchema({
  name: 'name server',
  options: {
    listenPort: {
      type: 'int',
      default: 9876,
      min: 1,
      max: 65535,
      doc: 'Port brokers register on and clients ask for routes. `keel namesrv -p` overrides it.',
    },
    namesrvRootDir: {
      type: 'string',
      optional: true,
      doc: "Keel: directory of the name server's files (KV config, pid file). Default: `~/namesrv`, as in RocketMQ.",
    },
    kvConfigPath: {
      type: 'string',
      optional: true,
      doc: 'JSON file of the KV config (e.g. ORDER_TOPIC_CONFIG). Default: `namesrvRootDir/kvConfig.json`.',
    },
    orderMessageEnable: {
      type: 'boolean',
      default: false,
      doc: "Return a topic's ORDER_TOPIC_CONFIG entry with its route, for clients of globally ordered topics.",
    },
    scanNotActiveBrokerIntervalMs: {
      type: 'int',
      default: 10_000,
      min: 1000,
      doc: 'Keel (RocketMQ hard-codes 10 s): milliseconds between scans for brokers that stopped registering.',
    },
    brokerChannelExpiredTimeMs: {
      type: 'int',
      default: 120_000,
      min: 1000,
      doc: "Keel (RocketMQ hard-codes 120 s): milliseconds without a registration after which a broker is dropped from the routes. Keep it well above the brokers' registerNameServerPeriod.",
    },
    serverChannelMaxIdleTimeSeconds: {
      type: 'int',
      default: 120,
      min: 1,
      doc: 'Seconds after which a connection with no traffic is closed (a closed broker connection drops the broker at once).',
    },
    logLevel: {
      type: 'enum',
      values: LOG_LEVELS,
      default: 'info',
      doc: 'Least severe log level written: error, warn, info (one line per significant event) or debug.',
    },
  },
  rules: [
    (c) =>
      c.brokerChannelExpiredTimeMs > c.scanNotActiveBrokerIntervalMs
        ? []
        : [
            {
              key: 'brokerChannelExpiredTimeMs',
              message: `${c.brokerChannelExpiredTimeMs} is not above scanNotActiveBrokerIntervalMs (${c.scanNotActiveBrokerIntervalMs}); raise it`,
            },
          ],
  ],
});

type NameServerSettings = ConfigOf<typeof nameServerConfigSchema>;

/** The resolved name-server configuration, every path filled in. */
export type NameServerConfig = Omit<NameServerSettings, 'namesrvRootDir' | 'kvConfigPath'> & {
  readonly namesrvRootDir: string;
  readonly kvConfigPath: string;
  /** Where a running name server writes its process id. */
  readonly pidFile: string;
};

export type NameServerConfigOverrides = {
  readonly [K in keyof typeof nameServerConfigSchema.options]?: ConfigOverrides[string];
};

export interface ResolveNameServerConfigOptions {
  readonly source?: string;
  /** Where `~` is; the running user's home when not given. */
  readonly homeDir?: string;
}

const NO_FILE: ParsedProperties = { entries: [], problems: [] };

/** Resolves a parsed file (or none) with command-line overrides; throws ConfigError listing every problem. */
export function resolveNameServerConfig(
  properties: ParsedProperties = NO_FILE,
  overrides: NameServerConfigOverrides = {},
  options: ResolveNameServerConfigOptions = {},
): NameServerConfig {
  const settings = resolveConfigSources(nameServerConfigSchema, properties, {
    ...(options.source === undefined ? {} : { source: options.source }),
    overrides,
  });
  const root = settings.namesrvRootDir ?? join(options.homeDir ?? homedir(), 'namesrv');
  return Object.freeze({
    ...settings,
    namesrvRootDir: root,
    kvConfigPath: settings.kvConfigPath ?? join(root, 'kvConfig.json'),
    pidFile: join(root, NAMESRV_PID_FILE_NAME),
  });
}

export interface LoadNameServerConfigOptions extends ResolveNameServerConfigOptions {
  readonly overrides?: NameServerConfigOverrides;
  readonly readTextFile?: ReadTextFile;
}

/** Reads and resolves a namesrv.properties file; touches nothing else. */
export async function loadNameServerConfigFile(
  path: string,
  options: LoadNameServerConfigOptions = {},
): Promise<NameServerConfig> {
  const parsed = await readPropertiesFile(path, options.readTextFile ?? readUtf8File);
  return resolveNameServerConfig(parsed, options.overrides ?? {}, {
    ...options,
    source: options.source ?? path,
  });
}
