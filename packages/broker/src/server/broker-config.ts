// The broker's configuration: RocketMQ's BrokerConfig keys (so a broker.properties file carries
// over), validated as one schema, plus the store's keys (message-store-config.ts) read from the
// same file. Every problem of both is reported at once, with its line.
//
// Keys of RocketMQ's that Keel does not implement (aclEnable, fetchNamesrvAddrByAddressServer,
// enableDLegerCommitLog, ...) are deliberately absent: accepting them would let an operator
// believe a feature is on. They are reported as unknown keys.

import { join } from 'node:path';
import { defineConfigSchema, type ConfigOf } from '../common/config/schema';
import type { ParsedProperties } from '../common/properties-file';
import { IllegalStateError } from '../common/errors';
import { LOG_LEVELS } from '../common/logger';
import {
  messageStoreConfigSchema,
  resolveStoreConfig,
  type MessageStoreConfig,
} from '../store/message-store-config';
import {
  readPropertiesFile,
  readUtf8File,
  resolveConfigSources,
  type ConfigOverrides,
  type ReadTextFile,
} from './config/config-sources';
import { describeHostPortProblem, describeHostProblem } from './config/host-address';
import { systemHostFacts, type HostFacts } from './config/host-facts';
import { DEFAULT_MESSAGE_DELAY_LEVEL, parseMessageDelayLevels } from './config/message-delay-levels';

/** RocketMQ's MixAll.MASTER_ID: the broker of a group that takes writes. */
export const MASTER_BROKER_ID = 0;
/** Written by a running `keel broker` into storePathRootDir, read by `keel shutdown broker`. */
export const BROKER_PID_FILE_NAME = 'keel-broker.pid';

export const brokerConfigSchema = defineConfigSchema({
  name: 'broker',
  options: {
    brokerClusterName: {
      type: 'string',
      default: 'DefaultCluster',
      doc: 'Cluster the broker registers in; clients and admin tools group brokers by it.',
    },
    brokerName: {
      type: 'string',
      optional: true,
      doc: "Name shared by a master and its slaves. Default: this machine's host name, as in RocketMQ (give every group its own name explicitly).",
    },
    brokerId: {
      type: 'long',
      default: MASTER_BROKER_ID,
      min: 0,
      doc: '0 for the master of the group, 1 and above for its slaves.',
    },
    brokerRole: {
      type: 'enum',
      values: ['ASYNC_MASTER', 'SYNC_MASTER', 'SLAVE'],
      default: 'ASYNC_MASTER',
      doc: 'ASYNC_MASTER acknowledges sends without waiting for a slave; SYNC_MASTER waits until a slave has the message; SLAVE replicates a master and refuses writes.',
    },
    namesrvAddr: {
      type: 'list',
      separator: ';',
      optional: true,
      doc: 'Name servers to register with, `host:port` separated by `;`. Not set: the broker registers nowhere and clients cannot find it. `keel broker -n` overrides it.',
    },
    listenPort: {
      type: 'int',
      default: 10911,
      min: 3,
      max: 65534,
      doc: 'Port of the remoting server. The broker also listens on listenPort-2 (the VIP channel, no pulls) and listenPort+1 (HA replication), so it must leave room for both.',
    },
    metricsPort: {
      type: 'int',
      default: 0,
      min: 0,
      max: 65535,
      doc: 'Port of the Prometheus metrics endpoint (HTTP GET /metrics, on the same interfaces as the remoting server); 0 = off. docs/operations.md lists the metrics.',
    },
    brokerIP1: {
      type: 'string',
      optional: true,
      doc: "Address advertised to clients (IPv4 or host name). Default: this machine's first non-loopback IPv4 address, else 127.0.0.1.",
    },
    brokerIP2: {
      type: 'string',
      optional: true,
      doc: 'Address advertised to slaves for HA replication. Default: brokerIP1.',
    },
    haMasterAddress: {
      type: 'string',
      optional: true,
      doc: "SLAVE only: the master's HA address `host:port`. Not set: learnt from the name server at registration.",
    },
    brokerPermission: {
      type: 'int',
      default: 6,
      min: 0,
      max: 7,
      doc: 'Permission bits the broker registers its topics with: 4 read, 2 write, 1 inherit; 6 = read and write, 4 = read only (drain a broker before taking it away).',
    },
    defaultTopicQueueNums: {
      type: 'int',
      default: 8,
      min: 1,
      max: 1024,
      doc: 'Queues of the auto-creation template topic TBW102, hence of topics created on first send.',
    },
    autoCreateTopicEnable: {
      type: 'boolean',
      default: true,
      doc: 'Create a topic when a producer first sends to it (convenient in development; usually false in production).',
    },
    autoCreateSubscriptionGroup: {
      type: 'boolean',
      default: true,
      doc: 'Create a subscription group when a consumer of an unknown group first pulls or heartbeats.',
    },
    clusterTopicEnable: {
      type: 'boolean',
      default: true,
      doc: 'Give the topic named after the cluster read and write permission (it always exists).',
    },
    brokerTopicEnable: {
      type: 'boolean',
      default: true,
      doc: 'Give the topic named after the broker read and write permission (it always exists).',
    },
    registerNameServerPeriod: {
      type: 'int',
      default: 30_000,
      min: 10_000,
      max: 60_000,
      doc: 'Milliseconds between registrations with every name server (heartbeat). RocketMQ silently clamps it to 10000..60000; Keel refuses values outside.',
    },
    registerBrokerTimeoutMills: {
      type: 'int',
      default: 6000,
      min: 1,
      doc: 'Milliseconds to wait for a name server to answer a registration.',
    },
    longPollingEnable: {
      type: 'boolean',
      default: true,
      doc: "Hold a pull that finds no message until one arrives or the consumer's suspend time ends; false: hold for shortPollingTimeMills.",
    },
    shortPollingTimeMills: {
      type: 'int',
      default: 1000,
      min: 1,
      doc: 'Milliseconds a pull that finds no message is held when longPollingEnable is false.',
    },
    notifyConsumerIdsChangedEnable: {
      type: 'boolean',
      default: true,
      doc: 'Tell the consumers of a group when a member joins or leaves, so they rebalance at once instead of within 20 s.',
    },
    slaveReadEnable: {
      type: 'boolean',
      default: false,
      doc: 'Master: suggest that consumers pull from a slave when what they read lies more than accessMessageInMemoryMaxRatio of RAM behind the log end. Slave: serve pulls while its master is up (without it, a slave serves pulls only while its master is unreachable).',
    },
    accessMessageInMemoryMaxRatio: {
      type: 'int',
      default: 40,
      min: 0,
      max: 100,
      doc: 'Percent of physical RAM: a read further behind the commit-log end than this is "from disk" (smaller pull batches; with slaveReadEnable, the consumer is sent to a slave).',
    },
    haSendHeartbeatInterval: {
      type: 'int',
      default: 5000,
      min: 1,
      doc: 'Milliseconds between HA heartbeats: a slave reports its offset at least this often, a master sends an empty frame after this long idle.',
    },
    haHousekeepingInterval: {
      type: 'int',
      default: 20_000,
      min: 1,
      doc: 'Milliseconds without any HA traffic after which master or slave closes the replication connection (the slave then reconnects).',
    },
    haTransferBatchSize: {
      type: 'int',
      default: 32 * 1024,
      min: 1,
      max: 16 * 1024 * 1024,
      doc: 'Bytes of commit log a master sends a slave in one frame at most (32 KiB).',
    },
    haSlaveFallbehindMax: {
      type: 'long',
      default: 256 * 1024 * 1024,
      min: 0,
      // RocketMQ 5 renamed it; a 5.x broker.conf carries over.
      aliases: ['haMaxGapNotInSync'],
      doc: 'SYNC_MASTER: when the slave is more bytes than this behind, sends answer SLAVE_NOT_AVAILABLE at once instead of waiting for it (256 MiB).',
    },
    slaveTimeout: {
      type: 'int',
      default: 3000,
      min: 1,
      doc: 'SYNC_MASTER: milliseconds a send waits for the slave to have it before answering FLUSH_SLAVE_TIMEOUT (the message is stored on the master either way).',
    },
    flushConsumerOffsetInterval: {
      type: 'int',
      default: 5000,
      min: 1,
      doc: 'Milliseconds between writes of consumer offsets to config/consumerOffset.json.',
    },
    transactionTimeOut: {
      type: 'long',
      default: 6000,
      min: 1,
      doc: 'Milliseconds after which an unresolved half message is checked back with its producer.',
    },
    transactionCheckMax: {
      type: 'int',
      default: 15,
      min: 1,
      doc: 'Check-backs of one half message before it is given up and parked for an operator.',
    },
    transactionCheckInterval: {
      type: 'long',
      default: 60_000,
      // Each round sends checks to producers and saves transactionState.json: not more than once a second.
      min: 1000,
      doc: 'Milliseconds between runs of the transaction check service.',
    },
    flushDelayOffsetInterval: {
      type: 'long',
      default: 10_000,
      min: 1,
      doc: 'Milliseconds between writes of the delay-level progress to config/delayOffset.json.',
    },
    timerMaxDelaySec: {
      type: 'long',
      default: 3 * 24 * 3600,
      min: 1,
      doc: 'How far ahead (seconds) a message may ask to be delivered (TIMER_DELIVER_MS, __STARTDELIVERTIME); later times are refused.',
    },
    timerFlushIntervalMs: {
      type: 'long',
      default: 1000,
      min: 1,
      doc: 'Milliseconds between saves of the timer service progress (timer/checkpoint).',
    },
    messageDelayLevel: {
      type: 'string',
      default: DEFAULT_MESSAGE_DELAY_LEVEL,
      doc: 'Delays of delay levels 1, 2, ..., each a number and s, m, h or d, separated by spaces. Retries use levels 3 and up.',
    },
    maxTransferBytesOnMessageInMemory: {
      type: 'int',
      default: 256 * 1024,
      min: 1,
      doc: 'Bytes one pull returns at most when the messages are in memory (256 KiB).',
    },
    maxTransferCountOnMessageInMemory: {
      type: 'int',
      default: 32,
      min: 1,
      doc: 'Messages one pull returns at most when they are in memory.',
    },
    maxTransferBytesOnMessageInDisk: {
      type: 'int',
      default: 64 * 1024,
      min: 1,
      doc: 'Bytes one pull returns at most when the messages must be read from disk (64 KiB).',
    },
    maxTransferCountOnMessageInDisk: {
      type: 'int',
      default: 8,
      min: 1,
      doc: 'Messages one pull returns at most when they must be read from disk.',
    },
    serverChannelMaxIdleTimeSeconds: {
      type: 'int',
      default: 120,
      min: 1,
      doc: 'Seconds after which a client connection with no traffic is closed.',
    },
    clientChannelMaxIdleTimeSeconds: {
      type: 'int',
      default: 120,
      min: 1,
      doc: "Seconds after which the broker's own connections (to name servers, to clients for check-backs) are closed when idle.",
    },
    logLevel: {
      type: 'enum',
      values: LOG_LEVELS,
      default: 'info',
      doc: 'Least severe log level written: error, warn, info (one line per significant event) or debug.',
    },
    logMessageBodies: {
      type: 'boolean',
      default: false,
      doc: 'Allow message bodies in debug logs. Off by default: bodies carry application data that must not leak into log files.',
    },
  },
  rules: [
    (c) => {
      if (c.brokerRole === 'SLAVE' && c.brokerId === MASTER_BROKER_ID) {
        return [
          {
            key: 'brokerRole',
            message: 'SLAVE needs brokerId 1 or above; set brokerId=1, or make it a master',
          },
        ];
      }
      if (c.brokerRole !== 'SLAVE' && c.brokerId !== MASTER_BROKER_ID) {
        return [
          {
            key: 'brokerId',
            message: `${c.brokerId} is a slave id but brokerRole is ${c.brokerRole}; set brokerId=0, or brokerRole=SLAVE`,
          },
        ];
      }
      return [];
    },
    (c) => {
      const taken = [c.listenPort - 2, c.listenPort, c.listenPort + 1];
      return c.metricsPort !== 0 && taken.includes(c.metricsPort)
        ? [
            {
              key: 'metricsPort',
              message: `${c.metricsPort} is one of the broker's remoting ports (${taken.join(', ')}); pick another`,
            },
          ]
        : [];
    },
    (c) =>
      (c.namesrvAddr ?? []).flatMap((address) => {
        const problem = describeHostPortProblem(address);
        return problem === undefined ? [] : [{ key: 'namesrvAddr', message: problem }];
      }),
    (c) => {
      const problem =
        c.haMasterAddress === undefined ? undefined : describeHostPortProblem(c.haMasterAddress);
      return problem === undefined ? [] : [{ key: 'haMasterAddress', message: problem }];
    },
    (c) =>
      (['brokerIP1', 'brokerIP2'] as const).flatMap((key) => {
        const value = c[key];
        const problem = value === undefined ? undefined : describeHostProblem(value);
        return problem === undefined ? [] : [{ key, message: problem }];
      }),
    (c) =>
      (['brokerClusterName', 'brokerName'] as const).flatMap((key) =>
        c[key] === '' ? [{ key, message: 'is empty; give it a name' }] : [],
      ),
    (c) => {
      const parsed = parseMessageDelayLevels(c.messageDelayLevel);
      return parsed.ok ? [] : [{ key: 'messageDelayLevel', message: parsed.message }];
    },
  ],
});

/**
 * Broker and store keys as one schema, for reading one broker.properties file. Internal: docs and
 * callers use the two schemas; this exists so unknown keys are judged against both at once.
 */
assertNoSharedKeys();
const brokerFileSchema = defineConfigSchema({
  name: 'broker',
  options: { ...brokerConfigSchema.options, ...messageStoreConfigSchema.options },
  rules: [...brokerConfigSchema.rules, ...messageStoreConfigSchema.rules],
});

type BrokerSettings = ConfigOf<typeof brokerConfigSchema>;
type DefaultedKey = 'brokerName' | 'brokerIP1' | 'brokerIP2' | 'namesrvAddr';

export type BrokerRole = BrokerSettings['brokerRole'];

/** The resolved broker configuration: machine defaults filled in, derived ports, the store's config. */
export type BrokerConfig = Omit<BrokerSettings, DefaultedKey> & {
  readonly brokerName: string;
  readonly brokerIP1: string;
  readonly brokerIP2: string;
  /** Empty when not set. */
  readonly namesrvAddr: readonly string[];
  /** listenPort - 2: RocketMQ's VIP channel, the same server without PULL_MESSAGE. */
  readonly fastListenPort: number;
  /** listenPort + 1: HA replication (RocketMQ ignores a configured haListenPort the same way). */
  readonly haListenPort: number;
  /** messageDelayLevel parsed: index 0 holds level 1. */
  readonly messageDelayLevelsMs: readonly number[];
  /** Where a running broker writes its process id. */
  readonly pidFile: string;
  readonly store: MessageStoreConfig;
};

/** Values from the command line, by canonical key; they replace the file's. */
export type BrokerConfigOverrides = {
  readonly [K in keyof typeof brokerFileSchema.options]?: ConfigOverrides[string];
};

export interface ResolveBrokerConfigOptions {
  /** The file's name in problems, e.g. the path given to `-c`. */
  readonly source?: string;
  /** Machine facts the defaults come from; the running machine's when not given. */
  readonly host?: HostFacts;
}

/** Resolves broker and store keys from one parsed file; throws ConfigError listing every problem. */
export function resolveBrokerConfig(
  properties: ParsedProperties,
  overrides: BrokerConfigOverrides = {},
  options: ResolveBrokerConfigOptions = {},
): BrokerConfig {
  const host = options.host ?? systemHostFacts();
  const settings = resolveConfigSources(brokerFileSchema, properties, {
    ...(options.source === undefined ? {} : { source: options.source }),
    overrides,
    // RocketMQ's MessageStoreConfig default; the store itself requires the key, a broker does not.
    fallbacks: { storePathRootDir: join(host.homeDir, 'store') },
  });
  const pick = (keys: readonly string[]) =>
    Object.fromEntries(keys.map((key) => [key, (settings as Readonly<Record<string, unknown>>)[key]]));
  // Validated again by the store's own resolver, which is cheap and fills in the derived paths.
  const store = resolveStoreConfig(pick(Object.keys(messageStoreConfigSchema.options)));
  const broker = pick(Object.keys(brokerConfigSchema.options)) as BrokerSettings;
  const delays = parseMessageDelayLevels(broker.messageDelayLevel);
  const brokerIP1 = broker.brokerIP1 ?? host.firstExternalIPv4;
  return Object.freeze({
    ...broker,
    brokerName: broker.brokerName ?? host.hostname,
    brokerIP1,
    brokerIP2: broker.brokerIP2 ?? brokerIP1,
    namesrvAddr: broker.namesrvAddr ?? Object.freeze([]),
    fastListenPort: broker.listenPort - 2,
    haListenPort: broker.listenPort + 1,
    // The schema's rule has already refused a value that does not parse.
    messageDelayLevelsMs: delays.ok ? delays.delaysMs : [],
    pidFile: join(store.storePathRootDir, BROKER_PID_FILE_NAME),
    store,
  });
}

export interface LoadBrokerConfigOptions extends ResolveBrokerConfigOptions {
  readonly overrides?: BrokerConfigOverrides;
  /** Reads the file; Node's fs by default. */
  readonly readTextFile?: ReadTextFile;
}

/**
 * Reads and resolves a broker.properties file. Touches nothing but the file: a rejected config
 * leaves no directory or file behind. Throws ConfigFileUnreadableError or ConfigError.
 */
export async function loadBrokerConfigFile(
  path: string,
  options: LoadBrokerConfigOptions = {},
): Promise<BrokerConfig> {
  const parsed = await readPropertiesFile(path, options.readTextFile ?? readUtf8File);
  return resolveBrokerConfig(parsed, options.overrides ?? {}, { ...options, source: options.source ?? path });
}

// Object spread lets a later key silently replace an earlier one; two components claiming one key
// is a bug to find when this module loads.
function assertNoSharedKeys(): void {
  const shared = Object.keys(brokerConfigSchema.options).filter(
    (key) => key in messageStoreConfigSchema.options,
  );
  if (shared.length > 0) {
    throw new IllegalStateError(`broker and store config schemas both define ${shared.join(', ')}`);
  }
}
