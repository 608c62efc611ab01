// The lite pull consumer's options (DefaultLitePullConsumer's, facts §8.3) on top of the client's.

import type { ConfigProblem } from '../../common/errors';
import {
  checkCount,
  checkGroup,
  checkPositiveMs,
  checkPullTimeouts,
  resolveClientOptions,
  throwIfProblems,
  type ClientOptions,
  type ResolvedClientOptions,
} from '../client-options';
import type { AllocationStrategyName } from './allocation';
import { DEFAULT_FLOW_CONTROL_LIMITS } from './flow-control';
import { DEFAULT_PULL_DELAY_ON_ERROR_MS, DEFAULT_PULL_TIMEOUT_MS } from './pull-loop';
import { DEFAULT_REBALANCE_INTERVAL_MS } from './rebalance-service';
import { defaultConsumeTimestampMs, type ConsumeFromWhere } from './start-offset';

export interface LitePullConsumerOptions extends ClientOptions {
  /** The consumer group. Required. */
  readonly group: string;
  /** Where a queue with no committed offset starts. Default CONSUME_FROM_LAST_OFFSET. */
  readonly consumeFromWhere?: ConsumeFromWhere;
  /** For CONSUME_FROM_TIMESTAMP, epoch ms. Default: 30 minutes before the consumer is created. */
  readonly consumeTimestampMs?: number;
  /** Queue allocation within the group (subscribe mode). Default 'AVG'. */
  readonly allocation?: AllocationStrategyName;
  /** Messages asked for per pull, and returned at most by one poll. Default 10. */
  readonly pullBatchSize?: number;
  /** Cached messages per queue before pulls pause. Default 1000. */
  readonly pullThresholdForQueue?: number;
  /** Cached body bytes per queue before pulls pause, in MiB. Default 100. */
  readonly pullThresholdSizeForQueueMiB?: number;
  /** How far the oldest cached message may lag the newest. Default 2000. */
  readonly consumeMaxSpan?: number;
  /** Commit what poll returned every autoCommitIntervalMs. Default true. */
  readonly autoCommit?: boolean;
  /** Default 5000 ms. */
  readonly autoCommitIntervalMs?: number;
  /** How long poll() waits when called without a timeout. Default 5000 ms. */
  readonly pollTimeoutMs?: number;
  /** Periodic rebalance in subscribe mode. Default 20000 ms. */
  readonly rebalanceIntervalMs?: number;
  /** How long the broker may hold a pull (brokerSuspendMaxTimeMillis). Default 20000 ms. */
  readonly brokerSuspendMaxMs?: number;
  /** RPC timeout of a pull; must exceed brokerSuspendMaxMs. Default 30000 ms. */
  readonly pullTimeoutMs?: number;
  /** Wait before pulling again after a failed pull. Default 1000 ms. */
  readonly pullDelayOnErrorMs?: number;
}

export interface ResolvedLitePullConsumerOptions extends ResolvedClientOptions {
  readonly group: string;
  readonly consumeFromWhere: ConsumeFromWhere;
  readonly consumeTimestampMs: number;
  readonly allocation: AllocationStrategyName;
  readonly pullBatchSize: number;
  readonly pullThresholdForQueue: number;
  readonly pullThresholdSizeForQueueMiB: number;
  readonly consumeMaxSpan: number;
  readonly autoCommit: boolean;
  readonly autoCommitIntervalMs: number;
  readonly pollTimeoutMs: number;
  readonly rebalanceIntervalMs: number;
  readonly brokerSuspendMaxMs: number;
  readonly pullTimeoutMs: number;
  readonly pullDelayOnErrorMs: number;
}

export const LITE_PULL_CONSUMER_DEFAULTS = {
  consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET',
  allocation: 'AVG',
  pullBatchSize: 10,
  pullThresholdForQueue: DEFAULT_FLOW_CONTROL_LIMITS.maxCachedMessages,
  pullThresholdSizeForQueueMiB: DEFAULT_FLOW_CONTROL_LIMITS.maxCachedBytes / (1024 * 1024),
  consumeMaxSpan: DEFAULT_FLOW_CONTROL_LIMITS.maxOffsetSpan,
  autoCommit: true,
  autoCommitIntervalMs: 5000,
  pollTimeoutMs: 5000,
  rebalanceIntervalMs: DEFAULT_REBALANCE_INTERVAL_MS,
  brokerSuspendMaxMs: 20_000,
  pullTimeoutMs: DEFAULT_PULL_TIMEOUT_MS,
  pullDelayOnErrorMs: DEFAULT_PULL_DELAY_ON_ERROR_MS,
} as const;

export function resolveLitePullConsumerOptions(
  options: LitePullConsumerOptions,
): ResolvedLitePullConsumerOptions {
  const problems: ConfigProblem[] = [];
  const client = resolveClientOptions(options, problems);
  const d = LITE_PULL_CONSUMER_DEFAULTS;
  const resolved: ResolvedLitePullConsumerOptions = {
    ...client,
    group: options.group,
    consumeFromWhere: options.consumeFromWhere ?? d.consumeFromWhere,
    consumeTimestampMs: options.consumeTimestampMs ?? defaultConsumeTimestampMs(client.clock),
    allocation: options.allocation ?? d.allocation,
    pullBatchSize: options.pullBatchSize ?? d.pullBatchSize,
    pullThresholdForQueue: options.pullThresholdForQueue ?? d.pullThresholdForQueue,
    pullThresholdSizeForQueueMiB: options.pullThresholdSizeForQueueMiB ?? d.pullThresholdSizeForQueueMiB,
    consumeMaxSpan: options.consumeMaxSpan ?? d.consumeMaxSpan,
    autoCommit: options.autoCommit ?? d.autoCommit,
    autoCommitIntervalMs: options.autoCommitIntervalMs ?? d.autoCommitIntervalMs,
    pollTimeoutMs: options.pollTimeoutMs ?? d.pollTimeoutMs,
    rebalanceIntervalMs: options.rebalanceIntervalMs ?? d.rebalanceIntervalMs,
    brokerSuspendMaxMs: options.brokerSuspendMaxMs ?? d.brokerSuspendMaxMs,
    pullTimeoutMs: options.pullTimeoutMs ?? d.pullTimeoutMs,
    pullDelayOnErrorMs: options.pullDelayOnErrorMs ?? d.pullDelayOnErrorMs,
  };
  checkGroup(problems, resolved.group);
  for (const key of [
    'pullBatchSize',
    'pullThresholdForQueue',
    'pullThresholdSizeForQueueMiB',
    'consumeMaxSpan',
  ] as const) {
    checkCount(problems, key, resolved[key]);
  }
  for (const key of [
    'autoCommitIntervalMs',
    'pollTimeoutMs',
    'rebalanceIntervalMs',
    'brokerSuspendMaxMs',
    'pullTimeoutMs',
    'pullDelayOnErrorMs',
  ] as const) {
    checkPositiveMs(problems, key, resolved[key]);
  }
  checkPullTimeouts(problems, resolved);
  throwIfProblems(problems, `lite pull consumer ${String(resolved.group)}`);
  return resolved;
}
