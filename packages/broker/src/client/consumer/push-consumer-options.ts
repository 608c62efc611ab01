// The push consumer's options (DefaultMQPushConsumer's, facts §8.3–§8.5) on top of the client's,
// resolved into a complete, validated value. Defaults are RocketMQ's; the intervals are options
// so tests and latency-sensitive deployments can shorten them.

import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ConfigProblem } from '../../common/errors';
import type { Disk } from '../../store/disk/disk';
import { NodeDisk } from '../../store/disk/node-disk';
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
import { DEFAULT_CONSUME_BATCH_SIZE, DEFAULT_CONSUME_CONCURRENCY } from './consume-concurrently';
import { DEFAULT_ORDERLY_MAX_RECONSUME_TIMES, DEFAULT_SUSPEND_CURRENT_QUEUE_MS } from './consume-orderly';
import type { MessageModel } from './consumer-modes';
import { DEFAULT_FLOW_CONTROL_LIMITS } from './flow-control';
import {
  DEFAULT_BROKER_SUSPEND_MS,
  DEFAULT_PULL_BATCH_SIZE,
  DEFAULT_PULL_DELAY_ON_ERROR_MS,
  DEFAULT_PULL_TIMEOUT_MS,
} from './pull-loop';
import { LOCK_RENEW_INTERVAL_MS } from './queue-locking';
import { DEFAULT_REBALANCE_INTERVAL_MS } from './rebalance-service';
import { defaultConsumeTimestampMs, type ConsumeFromWhere } from './start-offset';

export interface PushConsumerOptions extends ClientOptions {
  /** The consumer group. Required. */
  readonly group: string;
  /** CLUSTERING (default): the group shares the queues; BROADCASTING: each consumer reads all. */
  readonly messageModel?: MessageModel;
  /** Where a queue with no committed offset starts. Default CONSUME_FROM_LAST_OFFSET. */
  readonly consumeFromWhere?: ConsumeFromWhere;
  /** For CONSUME_FROM_TIMESTAMP, epoch ms. Default: 30 minutes before the consumer is created. */
  readonly consumeTimestampMs?: number;
  /** Queue allocation within a CLUSTERING group. Default 'AVG'. */
  readonly allocation?: AllocationStrategyName;
  /** Listener calls in progress at most (concurrent listeners). Default 20. */
  readonly consumeThreadMax?: number;
  /** Messages per listener call. Default 1. */
  readonly consumeMessageBatchMaxSize?: number;
  /** Messages asked for per pull. Default 32. */
  readonly pullBatchSize?: number;
  /** Cached messages per queue before pulls pause. Default 1000. */
  readonly pullThresholdForQueue?: number;
  /** Cached body bytes per queue before pulls pause, in MiB as RocketMQ's option. Default 100. */
  readonly pullThresholdSizeForQueueMiB?: number;
  /** How far the oldest unacknowledged message may lag the newest cached one. Default 2000. */
  readonly consumeConcurrentlyMaxSpan?: number;
  /** Periodic rebalance. Default 20000 ms. */
  readonly rebalanceIntervalMs?: number;
  /** How often committed offsets are written out. Default 5000 ms. */
  readonly persistConsumerOffsetIntervalMs?: number;
  /** Orderly CLUSTERING: how often queue locks are renewed. Default 20000 ms. */
  readonly lockRenewIntervalMs?: number;
  /** How long the broker may hold a pull. Default 15000 ms. */
  readonly brokerSuspendMaxMs?: number;
  /** RPC timeout of a pull; must exceed brokerSuspendMaxMs. Default 30000 ms. */
  readonly pullTimeoutMs?: number;
  /** Wait before pulling again after a failed pull. Default 1000 ms. */
  readonly pullDelayOnErrorMs?: number;
  /** Orderly: pause of a queue after SUSPEND_CURRENT_QUEUE_A_MOMENT. Default 1000 ms. */
  readonly suspendCurrentQueueMs?: number;
  /**
   * Failures before a message goes to %DLQ%<group>. Concurrent: when set, sent with every
   * send-back (the broker counts); unset, the group's retryMaxTimes on the broker decides (default
   * 16). Orderly: local retries in place, default 16.
   */
  readonly maxReconsumeTimes?: number;
  /** BROADCASTING: where offsets files live. Default ~/.rocketmq_offsets. */
  readonly localOffsetStoreDir?: string;
  /** BROADCASTING: the disk of the offsets file. Default: the real file system. */
  readonly disk?: Disk;
}

export interface ResolvedPushConsumerOptions extends ResolvedClientOptions {
  readonly group: string;
  readonly messageModel: MessageModel;
  readonly consumeFromWhere: ConsumeFromWhere;
  readonly consumeTimestampMs: number;
  readonly allocation: AllocationStrategyName;
  readonly consumeThreadMax: number;
  readonly consumeMessageBatchMaxSize: number;
  readonly pullBatchSize: number;
  readonly pullThresholdForQueue: number;
  readonly pullThresholdSizeForQueueMiB: number;
  readonly consumeConcurrentlyMaxSpan: number;
  readonly rebalanceIntervalMs: number;
  readonly persistConsumerOffsetIntervalMs: number;
  readonly lockRenewIntervalMs: number;
  readonly brokerSuspendMaxMs: number;
  readonly pullTimeoutMs: number;
  readonly pullDelayOnErrorMs: number;
  readonly suspendCurrentQueueMs: number;
  readonly maxReconsumeTimes: number;
  /** maxReconsumeTimes as given (undefined when not): what concurrent send-backs carry. */
  readonly sendBackMaxReconsumeTimes: number | undefined;
  readonly localOffsetStoreDir: string;
  readonly disk: Disk;
}

export const PUSH_CONSUMER_DEFAULTS = {
  messageModel: 'CLUSTERING',
  consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET',
  allocation: 'AVG',
  consumeThreadMax: DEFAULT_CONSUME_CONCURRENCY,
  consumeMessageBatchMaxSize: DEFAULT_CONSUME_BATCH_SIZE,
  pullBatchSize: DEFAULT_PULL_BATCH_SIZE,
  pullThresholdForQueue: DEFAULT_FLOW_CONTROL_LIMITS.maxCachedMessages,
  pullThresholdSizeForQueueMiB: DEFAULT_FLOW_CONTROL_LIMITS.maxCachedBytes / (1024 * 1024),
  consumeConcurrentlyMaxSpan: DEFAULT_FLOW_CONTROL_LIMITS.maxOffsetSpan,
  rebalanceIntervalMs: DEFAULT_REBALANCE_INTERVAL_MS,
  persistConsumerOffsetIntervalMs: 5000,
  lockRenewIntervalMs: LOCK_RENEW_INTERVAL_MS,
  brokerSuspendMaxMs: DEFAULT_BROKER_SUSPEND_MS,
  pullTimeoutMs: DEFAULT_PULL_TIMEOUT_MS,
  pullDelayOnErrorMs: DEFAULT_PULL_DELAY_ON_ERROR_MS,
  suspendCurrentQueueMs: DEFAULT_SUSPEND_CURRENT_QUEUE_MS,
  maxReconsumeTimes: DEFAULT_ORDERLY_MAX_RECONSUME_TIMES,
} as const;

export function resolvePushConsumerOptions(options: PushConsumerOptions): ResolvedPushConsumerOptions {
  const problems: ConfigProblem[] = [];
  const client = resolveClientOptions(options, problems);
  const d = PUSH_CONSUMER_DEFAULTS;
  const resolved: ResolvedPushConsumerOptions = {
    ...client,
    group: options.group,
    messageModel: options.messageModel ?? d.messageModel,
    consumeFromWhere: options.consumeFromWhere ?? d.consumeFromWhere,
    consumeTimestampMs: options.consumeTimestampMs ?? defaultConsumeTimestampMs(client.clock),
    allocation: options.allocation ?? d.allocation,
    consumeThreadMax: options.consumeThreadMax ?? d.consumeThreadMax,
    consumeMessageBatchMaxSize: options.consumeMessageBatchMaxSize ?? d.consumeMessageBatchMaxSize,
    pullBatchSize: options.pullBatchSize ?? d.pullBatchSize,
    pullThresholdForQueue: options.pullThresholdForQueue ?? d.pullThresholdForQueue,
    pullThresholdSizeForQueueMiB: options.pullThresholdSizeForQueueMiB ?? d.pullThresholdSizeForQueueMiB,
    consumeConcurrentlyMaxSpan: options.consumeConcurrentlyMaxSpan ?? d.consumeConcurrentlyMaxSpan,
    rebalanceIntervalMs: options.rebalanceIntervalMs ?? d.rebalanceIntervalMs,
    persistConsumerOffsetIntervalMs:
      options.persistConsumerOffsetIntervalMs ?? d.persistConsumerOffsetIntervalMs,
    lockRenewIntervalMs: options.lockRenewIntervalMs ?? d.lockRenewIntervalMs,
    brokerSuspendMaxMs: options.brokerSuspendMaxMs ?? d.brokerSuspendMaxMs,
    pullTimeoutMs: options.pullTimeoutMs ?? d.pullTimeoutMs,
    pullDelayOnErrorMs: options.pullDelayOnErrorMs ?? d.pullDelayOnErrorMs,
    suspendCurrentQueueMs: options.suspendCurrentQueueMs ?? d.suspendCurrentQueueMs,
    maxReconsumeTimes: options.maxReconsumeTimes ?? d.maxReconsumeTimes,
    sendBackMaxReconsumeTimes: options.maxReconsumeTimes,
    localOffsetStoreDir: options.localOffsetStoreDir ?? join(homedir(), '.rocketmq_offsets'),
    disk: options.disk ?? new NodeDisk(),
  };
  checkGroup(problems, resolved.group);
  for (const key of [
    'consumeThreadMax',
    'consumeMessageBatchMaxSize',
    'pullBatchSize',
    'pullThresholdForQueue',
    'pullThresholdSizeForQueueMiB',
    'consumeConcurrentlyMaxSpan',
    'maxReconsumeTimes',
  ] as const) {
    checkCount(problems, key, resolved[key]);
  }
  for (const key of [
    'rebalanceIntervalMs',
    'persistConsumerOffsetIntervalMs',
    'lockRenewIntervalMs',
    'brokerSuspendMaxMs',
    'pullTimeoutMs',
    'pullDelayOnErrorMs',
    'suspendCurrentQueueMs',
  ] as const) {
    checkPositiveMs(problems, key, resolved[key]);
  }
  checkPullTimeouts(problems, resolved);
  throwIfProblems(problems, `push consumer ${String(resolved.group)}`);
  return resolved;
}
