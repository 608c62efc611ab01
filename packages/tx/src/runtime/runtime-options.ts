// KeelRuntime.start's options and their resolver: typed input in, a complete value out, or one
// error listing every problem with its fix (unknown keys get a "did you mean"). Values the broker
// client owns (consumer and producer tuning) are checked again by the client when it is built;
// the runtime reports those failures the same way.

import { closestMatch, createLogger, systemClock, type Clock, type Logger } from '@keel/broker';
import type { PushConsumerOptions, TransactionProducerOptions } from '@keel/broker/client';
import type { DataSource } from 'typeorm';
import { TxError, TxErrorCodes } from '../errors';
import { describe, GROUP_PATTERN } from '../metadata/handler-options';
import { keelTables, type KeelTables, type KeelTablesOptions } from '../schema/keel-tables';
import { jsonSerializer, type Serializer } from './serializer';

/** Push consumer settings a runtime passes to every consumer it creates. */
export type ConsumerTuning = Pick<
  PushConsumerOptions,
  | 'consumeThreadMax'
  | 'pullBatchSize'
  | 'pullThresholdForQueue'
  | 'pullThresholdSizeForQueueMiB'
  | 'consumeConcurrentlyMaxSpan'
  | 'rebalanceIntervalMs'
  | 'persistConsumerOffsetIntervalMs'
  | 'lockRenewIntervalMs'
  | 'brokerSuspendMaxMs'
  | 'pullTimeoutMs'
  | 'pullDelayOnErrorMs'
  | 'suspendCurrentQueueMs'
  | 'consumeFromWhere'
  | 'consumeTimestampMs'
  | 'allocation'
  | 'requestTimeoutMs'
  | 'pollNameServerIntervalMs'
  | 'heartbeatBrokerIntervalMs'
  | 'clientIP'
>;

/** Transactional producer settings. */
export type ProducerTuning = Pick<
  TransactionProducerOptions,
  | 'sendTimeoutMs'
  | 'retryTimesWhenSendFailed'
  | 'compressMsgBodyOverHowmuch'
  | 'maxMessageSize'
  | 'sendLatencyFaultEnable'
  | 'serializeType'
  | 'checkConcurrency'
  | 'checkQueueCapacity'
  | 'topics'
  | 'requestTimeoutMs'
  | 'pollNameServerIntervalMs'
  | 'heartbeatBrokerIntervalMs'
  | 'clientIP'
>;

export interface KeelRuntimeOptions {
  /** An initialized TypeORM DataSource on PostgreSQL (or Keel's PGlite driver). Not destroyed at shutdown. */
  readonly dataSource: DataSource;
  /** Name servers: `host:port`, `host:port;host:port`, or a list. */
  readonly nameServer: string | readonly string[];
  /** The transactional producer's group: check-backs for this group are answered by this runtime. */
  readonly producerGroup: string;
  /** Instances with @Transactional() methods; they run on `dataSource`. */
  readonly services?: readonly object[];
  /** Instances with @OnMessage / @OnDeadLetter methods (their @Transactional() methods work too). */
  readonly handlers?: readonly object[];
  /** Create Keel's tables at start (else run KeelTablesMigration). Default false. */
  readonly ensureTables?: boolean;
  /** Keel's table names (prefix, schema). Default keel_tx_barrier and keel_inbox. */
  readonly tables?: KeelTablesOptions;
  /** Time for Keel's tables and schedules (barrier/inbox times, inbox purge, check deadline). Default: system. */
  readonly clock?: Clock;
  /** Default: info and up to stderr, component `keel-tx`. */
  readonly logger?: Logger;
  /** Message bodies. Default JSON. */
  readonly serializer?: Serializer;
  /** How long a check-back waits for a local transaction still running. Default 3000 ms. */
  readonly checkLockTimeoutMs?: number;
  /** Inbox rows older than this are purged. Default 7 days. */
  readonly inboxRetentionMs?: number;
  /** How often the inbox purge runs. Default 1 hour. */
  readonly inboxPurgeIntervalMs?: number;
  /**
   * Barrier rows older than this are purged. Default 7 days; at least 1 day. Keep it above the
   * longest time the broker may check a half message (barrier/purge-barriers.ts: about 4 days
   * with RocketMQ's defaults, driven by fileReservedTime).
   */
  readonly barrierRetentionMs?: number;
  /** How often the barrier purge runs. Default 1 hour. */
  readonly barrierPurgeIntervalMs?: number;
  /** Shared by this runtime's producer and consumers (one connection pool). Default: one each. */
  readonly instanceName?: string;
  readonly consumer?: ConsumerTuning;
  readonly producer?: ProducerTuning;
}

export interface ResolvedRuntimeOptions {
  readonly dataSource: DataSource;
  readonly nameServer: string | readonly string[];
  readonly producerGroup: string;
  readonly services: readonly object[];
  readonly handlers: readonly object[];
  readonly ensureTables: boolean;
  readonly tables: KeelTables;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly serializer: Serializer;
  readonly checkLockTimeoutMs: number;
  readonly inboxRetentionMs: number;
  readonly inboxPurgeIntervalMs: number;
  readonly barrierRetentionMs: number;
  readonly barrierPurgeIntervalMs: number;
  readonly instanceName: string | undefined;
  readonly consumer: ConsumerTuning;
  readonly producer: ProducerTuning;
}

const DAY_MS = 24 * 3_600_000;

export const RUNTIME_DEFAULTS = {
  ensureTables: false,
  checkLockTimeoutMs: 3_000,
  // NServiceBus's default; longer than RocketMQ's whole retry schedule (about 4 h 46 min).
  inboxRetentionMs: 7 * DAY_MS,
  inboxPurgeIntervalMs: 3_600_000,
  // Above the ~4 days a half message can stay checkable with RocketMQ's defaults (72 h
  // fileReservedTime plus a day until deleteWhen); see barrier/purge-barriers.ts.
  barrierRetentionMs: 7 * DAY_MS,
  barrierPurgeIntervalMs: 3_600_000,
} as const;

/**
 * The least barrierRetentionMs accepted: check-backs of half messages older than the retention
 * less CHECK_HORIZON_MARGIN_MS answer UNKNOW (check/check-answerer.ts), so a shorter retention
 * would leave too little time for ordinary checks.
 */
export const MIN_BARRIER_RETENTION_MS = DAY_MS;

const OPTION_KEYS = [
  'dataSource',
  'nameServer',
  'producerGroup',
  'services',
  'handlers',
  'ensureTables',
  'tables',
  'clock',
  'logger',
  'serializer',
  'checkLockTimeoutMs',
  'inboxRetentionMs',
  'inboxPurgeIntervalMs',
  'barrierRetentionMs',
  'barrierPurgeIntervalMs',
  'instanceName',
  'consumer',
  'producer',
] as const satisfies ReadonlyArray<keyof KeelRuntimeOptions>;

const CONSUMER_KEYS = [
  'consumeThreadMax',
  'pullBatchSize',
  'pullThresholdForQueue',
  'pullThresholdSizeForQueueMiB',
  'consumeConcurrentlyMaxSpan',
  'rebalanceIntervalMs',
  'persistConsumerOffsetIntervalMs',
  'lockRenewIntervalMs',
  'brokerSuspendMaxMs',
  'pullTimeoutMs',
  'pullDelayOnErrorMs',
  'suspendCurrentQueueMs',
  'consumeFromWhere',
  'consumeTimestampMs',
  'allocation',
  'requestTimeoutMs',
  'pollNameServerIntervalMs',
  'heartbeatBrokerIntervalMs',
  'clientIP',
] as const satisfies ReadonlyArray<keyof ConsumerTuning>;

const PRODUCER_KEYS = [
  'sendTimeoutMs',
  'retryTimesWhenSendFailed',
  'compressMsgBodyOverHowmuch',
  'maxMessageSize',
  'sendLatencyFaultEnable',
  'serializeType',
  'checkConcurrency',
  'checkQueueCapacity',
  'topics',
  'requestTimeoutMs',
  'pollNameServerIntervalMs',
  'heartbeatBrokerIntervalMs',
  'clientIP',
] as const satisfies ReadonlyArray<keyof ProducerTuning>;

// PostgreSQL's lock_timeout is a 32-bit millisecond count.
const MAX_LOCK_TIMEOUT_MS = 2_147_483_647;

/** KeelRuntime.start options that cannot work; `problems` lists each with its fix. */
export class KeelRuntimeConfigError extends TxError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[], options: { readonly cause?: unknown } = {}) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super(
      TxErrorCodes.CONFIG_INVALID,
      [`KeelRuntime.start: invalid options (${count}):`, ...problems.map((p) => `  ${p}`)].join('\n'),
      options,
    );
    this.problems = Object.freeze([...problems]);
  }
}

export function resolveRuntimeOptions(options: KeelRuntimeOptions): ResolvedRuntimeOptions {
  if (!isRecord(options)) {
    throw new KeelRuntimeConfigError([
      `options must be an object { dataSource, nameServer, producerGroup, ... }, got ${describe(options)}`,
    ]);
  }
  const problems: string[] = [...unknownKeys(options, OPTION_KEYS, '')];
  const { dataSource, nameServer, producerGroup } = options;
  if (!isDataSource(dataSource)) {
    problems.push('dataSource is required: an initialized TypeORM DataSource');
  } else if (!dataSource.isInitialized) {
    problems.push('dataSource is not initialized: await dataSource.initialize() before KeelRuntime.start');
  }
  if (!isNameServer(nameServer)) {
    problems.push(
      `nameServer must be "host:port" (or several, ";"-separated or a list), got ${describe(nameServer)}`,
    );
  }
  if (typeof producerGroup !== 'string' || !GROUP_PATTERN.test(producerGroup)) {
    problems.push(
      `producerGroup ${describe(producerGroup)} is not a group name; use 1-255 characters of [%|a-zA-Z0-9_-]`,
    );
  }
  problems.push(
    ...instancesProblems('services', options.services),
    ...instancesProblems('handlers', options.handlers),
  );
  if (options.ensureTables !== undefined && typeof options.ensureTables !== 'boolean') {
    problems.push(`ensureTables must be true or false, got ${describe(options.ensureTables)}`);
  }
  let tables: KeelTables | undefined;
  try {
    tables = keelTables(options.tables ?? {});
  } catch (error: unknown) {
    problems.push(`tables: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (
    options.clock !== undefined &&
    !hasFunctions(options.clock, ['now', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'])
  ) {
    problems.push(
      'clock must be a Clock (now, setTimeout, clearTimeout, setInterval, clearInterval), e.g. FakeClock in tests',
    );
  }
  if (
    options.logger !== undefined &&
    !hasFunctions(options.logger, ['error', 'warn', 'info', 'debug', 'child'])
  ) {
    problems.push(
      "logger must be a Logger (error, warn, info, debug, child), e.g. @keel/broker's createLogger",
    );
  }
  if (options.serializer !== undefined && !hasFunctions(options.serializer, ['serialize', 'deserialize'])) {
    problems.push('serializer must be an object { serialize(value): Buffer; deserialize(bytes): unknown }');
  }
  problems.push(
    ...msProblems('checkLockTimeoutMs', options.checkLockTimeoutMs, MAX_LOCK_TIMEOUT_MS),
    ...msProblems('inboxRetentionMs', options.inboxRetentionMs, Number.MAX_SAFE_INTEGER),
    ...msProblems('inboxPurgeIntervalMs', options.inboxPurgeIntervalMs, MAX_LOCK_TIMEOUT_MS),
    ...msProblems('barrierPurgeIntervalMs', options.barrierPurgeIntervalMs, MAX_LOCK_TIMEOUT_MS),
    ...barrierRetentionProblems(options.barrierRetentionMs),
  );
  if (
    options.instanceName !== undefined &&
    (typeof options.instanceName !== 'string' || options.instanceName === '')
  ) {
    problems.push(`instanceName must be a non-empty string, got ${describe(options.instanceName)}`);
  }
  problems.push(...tuningProblems('consumer', options.consumer, CONSUMER_KEYS));
  problems.push(...tuningProblems('producer', options.producer, PRODUCER_KEYS));
  if (problems.length > 0 || tables === undefined) throw new KeelRuntimeConfigError(problems);
  const clock = options.clock ?? systemClock;
  return {
    dataSource,
    nameServer,
    producerGroup,
    services: [...(options.services ?? [])],
    handlers: [...(options.handlers ?? [])],
    ensureTables: options.ensureTables ?? RUNTIME_DEFAULTS.ensureTables,
    tables,
    clock,
    logger: options.logger ?? createLogger({ clock, component: 'keel-tx' }),
    serializer: options.serializer ?? jsonSerializer,
    checkLockTimeoutMs: options.checkLockTimeoutMs ?? RUNTIME_DEFAULTS.checkLockTimeoutMs,
    inboxRetentionMs: options.inboxRetentionMs ?? RUNTIME_DEFAULTS.inboxRetentionMs,
    inboxPurgeIntervalMs: options.inboxPurgeIntervalMs ?? RUNTIME_DEFAULTS.inboxPurgeIntervalMs,
    barrierRetentionMs: options.barrierRetentionMs ?? RUNTIME_DEFAULTS.barrierRetentionMs,
    barrierPurgeIntervalMs: options.barrierPurgeIntervalMs ?? RUNTIME_DEFAULTS.barrierPurgeIntervalMs,
    instanceName: options.instanceName,
    consumer: { ...options.consumer },
    producer: { ...options.producer },
  };
}

function unknownKeys(options: object, known: readonly string[], prefix: string): string[] {
  return Object.keys(options)
    .filter((key) => !known.includes(key))
    .map((key) => {
      const suggestion = closestMatch(key, known);
      return `unknown option ${prefix}${key}${suggestion === undefined ? '' : `, did you mean ${prefix}${suggestion}?`}`;
    });
}

function tuningProblems(name: string, tuning: unknown, known: readonly string[]): string[] {
  if (tuning === undefined) return [];
  if (!isRecord(tuning)) return [`${name} must be an object of ${name} settings, got ${describe(tuning)}`];
  return unknownKeys(tuning, known, `${name}.`);
}

function instancesProblems(name: string, value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return [`${name} must be an array of instances, got ${describe(value)}`];
  return value.flatMap((instance: unknown, index) => {
    if (typeof instance === 'function') {
      return [
        `${name}[${index}] is a class, not an instance; pass new ${String((instance as { name?: unknown }).name)}(...)`,
      ];
    }
    if (typeof instance !== 'object' || instance === null)
      return [`${name}[${index}] is ${String(instance)}, not an instance`];
    return [];
  });
}

function msProblems(name: string, value: unknown, max: number): string[] {
  if (value === undefined) return [];
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 1 && value <= max) return [];
  return [`${name} must be a whole number of ms from 1 to ${max}, got ${describe(value)}`];
}

function barrierRetentionProblems(value: unknown): string[] {
  if (value === undefined) return [];
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= MIN_BARRIER_RETENTION_MS) {
    return [];
  }
  return [
    `barrierRetentionMs must be a whole number of ms of at least ${MIN_BARRIER_RETENTION_MS} (1 day), got ` +
      `${describe(value)}; a barrier row must outlive every check-back of its half messages ` +
      '(about 4 days with RocketMQ defaults: keep the default 7 days unless the broker keeps its commit log shorter)',
  ];
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasFunctions(value: unknown, names: readonly string[]): boolean {
  return isRecord(value) && names.every((name) => typeof value[name] === 'function');
}

function isDataSource(value: unknown): value is DataSource {
  return (
    hasFunctions(value, ['createQueryRunner', 'initialize']) &&
    typeof (value as { isInitialized?: unknown }).isInitialized === 'boolean'
  );
}

function isNameServer(value: unknown): value is string | readonly string[] {
  const parts =
    typeof value === 'string' ? value.split(';') : Array.isArray(value) ? (value as unknown[]) : undefined;
  if (parts === undefined || parts.length === 0) return false;
  return parts.every((part) => typeof part === 'string' && /^[^\s:]+:\d{1,5}$/.test(part.trim()));
}
