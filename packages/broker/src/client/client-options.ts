// Options every client (producer, consumer) shares, as RocketMQ's ClientConfig (fact sheet §8.1),
// and their resolution into a complete, validated value. Durations carry their unit in the name.

import { systemClock, type Clock } from '../common/clock';
import { ConfigError, type ConfigProblem } from '../common/errors';
import { silentLogger, type Logger } from '../common/logger';
import { defaultInstanceName, localClientIp } from './client-id';

export interface ClientOptions {
  /** Name servers as `host:port;host:port` (RocketMQ's namesrvAddr), or a list. Required. */
  readonly nameServer: string | readonly string[];
  /** The address this client reports in its id. Default: the first non-loopback IPv4 address. */
  readonly clientIP?: string;
  /** Tells apart clients of one process that must not share a connection pool. Default `pid#<monotonic ns>`. */
  readonly instanceName?: string;
  /** Timeout of requests to name servers and brokers other than sends. Default 3000 ms. */
  readonly requestTimeoutMs?: number;
  /** How often routes of topics in use are re-read from a name server. Default 30000 ms. */
  readonly pollNameServerIntervalMs?: number;
  /** How often every broker of the routes in use gets a heartbeat. Default 30000 ms. */
  readonly heartbeatBrokerIntervalMs?: number;
  /** Default: the system clock. */
  readonly clock?: Clock;
  /** Default: a logger that writes nothing. */
  readonly logger?: Logger;
}

export interface ResolvedClientOptions {
  readonly nameServers: readonly string[];
  readonly clientIP: string;
  readonly instanceName: string;
  readonly requestTimeoutMs: number;
  readonly pollNameServerIntervalMs: number;
  readonly heartbeatBrokerIntervalMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
}

export const CLIENT_DEFAULTS = {
  requestTimeoutMs: 3000,
  pollNameServerIntervalMs: 30_000,
  heartbeatBrokerIntervalMs: 30_000,
} as const;

export function parseNameServers(value: string | readonly string[]): string[] {
  const parts = typeof value === 'string' ? value.split(';') : [...value];
  return parts.map((part) => part.trim()).filter((part) => part !== '');
}

const GROUP_PATTERN = /^[%|a-zA-Z0-9_-]{1,255}$/;

/** Checks a producer or consumer group name (the characters a topic name may use, as %RETRY% needs). */
export function checkGroup(problems: ConfigProblem[], group: string): void {
  if (typeof group !== 'string' || !GROUP_PATTERN.test(group)) {
    problems.push({
      kind: 'invalid-value',
      key: 'group',
      message: `"${String(group)}" is not a group name; use 1-255 characters of [%|a-zA-Z0-9_-]`,
    });
  }
}

/** Checks one whole-number setting against its minimum; pushes a problem naming the option. */
export function checkCount(problems: ConfigProblem[], key: string, value: number, min = 1): void {
  if (!Number.isSafeInteger(value) || value < min) {
    problems.push({
      kind: 'out-of-range',
      key,
      message: `must be a whole number of at least ${min}, got ${value}`,
    });
  }
}

/** A pull held by the broker must end before the client gives up waiting for it. */
export function checkPullTimeouts(
  problems: ConfigProblem[],
  settings: { readonly pullTimeoutMs: number; readonly brokerSuspendMaxMs: number },
): void {
  if (settings.pullTimeoutMs <= settings.brokerSuspendMaxMs) {
    problems.push({
      kind: 'rule',
      key: 'pullTimeoutMs',
      message: `must exceed brokerSuspendMaxMs (${settings.brokerSuspendMaxMs}), or held pulls time out; got ${settings.pullTimeoutMs}`,
    });
  }
}

/** Checks one positive duration; pushes a problem naming the option and the fix. */
export function checkPositiveMs(problems: ConfigProblem[], key: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) {
    problems.push({
      kind: 'out-of-range',
      key,
      message: `must be a whole number of ms above 0, got ${value}`,
    });
  }
}

export function resolveClientOptions(
  options: ClientOptions,
  problems: ConfigProblem[] = [],
): ResolvedClientOptions {
  const nameServers = parseNameServers(options.nameServer);
  if (nameServers.length === 0) {
    problems.push({
      kind: 'missing',
      key: 'nameServer',
      message: "no name server address; pass e.g. nameServer: '127.0.0.1:9876;127.0.0.2:9876'",
    });
  }
  for (const address of nameServers) {
    if (!/^[^:]+:\d{1,5}$/.test(address) && !/^\[.+\]:\d{1,5}$/.test(address)) {
      problems.push({ kind: 'invalid-value', key: 'nameServer', message: `"${address}" is not host:port` });
    }
  }
  const resolved: ResolvedClientOptions = {
    nameServers,
    clientIP: options.clientIP ?? localClientIp(),
    instanceName: options.instanceName ?? defaultInstanceName(),
    requestTimeoutMs: options.requestTimeoutMs ?? CLIENT_DEFAULTS.requestTimeoutMs,
    pollNameServerIntervalMs: options.pollNameServerIntervalMs ?? CLIENT_DEFAULTS.pollNameServerIntervalMs,
    heartbeatBrokerIntervalMs: options.heartbeatBrokerIntervalMs ?? CLIENT_DEFAULTS.heartbeatBrokerIntervalMs,
    clock: options.clock ?? systemClock,
    logger: options.logger ?? silentLogger,
  };
  checkPositiveMs(problems, 'requestTimeoutMs', resolved.requestTimeoutMs);
  checkPositiveMs(problems, 'pollNameServerIntervalMs', resolved.pollNameServerIntervalMs);
  checkPositiveMs(problems, 'heartbeatBrokerIntervalMs', resolved.heartbeatBrokerIntervalMs);
  return resolved;
}

/** Throws one ConfigError listing every problem, if there is any. */
export function throwIfProblems(problems: readonly ConfigProblem[], subject: string): void {
  if (problems.length > 0) throw new ConfigError(problems, { subject });
}
