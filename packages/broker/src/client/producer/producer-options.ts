// The producer's options (DefaultMQProducer's, fact sheet §8.2) on top of the client's.

import type { SerializeTypeName } from '../../protocol/remoting/serialize-type';
import type { ConfigProblem } from '../../common/errors';
import {
  checkCount,
  checkGroup,
  checkPositiveMs,
  resolveClientOptions,
  throwIfProblems,
  type ClientOptions,
  type ResolvedClientOptions,
} from '../client-options';

export interface ProducerOptions extends ClientOptions {
  /** The producer group; brokers ask a live member of it about transactions. Required. */
  readonly group: string;
  /** Budget of one send, retries included. Default 3000 ms. */
  readonly sendTimeoutMs?: number;
  /** Extra attempts after a retriable failure, each on another broker when there is one. Default 2. */
  readonly retryTimesWhenSendFailed?: number;
  /** Bodies of at least this many bytes are zlib-compressed (single sends only). Default 4096. */
  readonly compressMsgBodyOverHowmuch?: number;
  /** Largest body (or encoded batch) accepted before sending. Default 4 MiB, the broker's default. */
  readonly maxMessageSize?: number;
  /**
   * Avoid brokers that just failed or answered slowly (fact sheet §8.2). Default true, unlike
   * RocketMQ's false: a Node producer keeps thousands of sends in flight on one event loop, and
   * without avoidance a dead or stalled broker keeps receiving its share of them, each waiting out
   * a connect error or timeout before its retry.
   */
  readonly sendLatencyFaultEnable?: boolean;
  /** Queues per broker of a topic the broker auto-creates on first send. Default 4. */
  readonly defaultTopicQueueNums?: number;
  /** The template topic for auto-creation. Default 'TBW102'. */
  readonly createTopicKey?: string;
  /**
   * Header serialisation of send requests. Default 'ROCKETMQ' (binary), unlike Java's JSON: every
   * RocketMQ 4.x broker and Keel read both and answer in the request's, and the binary header costs
   * a few microseconds less per message on both sides (docs/benchmarks.md).
   */
  readonly serializeType?: SerializeTypeName;
}

export interface ResolvedProducerOptions extends ResolvedClientOptions {
  readonly group: string;
  readonly sendTimeoutMs: number;
  readonly retryTimesWhenSendFailed: number;
  readonly compressMsgBodyOverHowmuch: number;
  readonly maxMessageSize: number;
  readonly sendLatencyFaultEnable: boolean;
  readonly defaultTopicQueueNums: number;
  readonly createTopicKey: string;
  readonly serializeType: SerializeTypeName;
}

export const PRODUCER_DEFAULTS = {
  sendTimeoutMs: 3000,
  retryTimesWhenSendFailed: 2,
  compressMsgBodyOverHowmuch: 4096,
  maxMessageSize: 4 * 1024 * 1024,
  sendLatencyFaultEnable: true,
  defaultTopicQueueNums: 4,
  createTopicKey: 'TBW102',
  serializeType: 'ROCKETMQ',
} as const;

export function resolveProducerOptions(options: ProducerOptions): ResolvedProducerOptions {
  const problems: ConfigProblem[] = [];
  const client = resolveClientOptions(options, problems);
  const resolved: ResolvedProducerOptions = {
    ...client,
    group: options.group,
    sendTimeoutMs: options.sendTimeoutMs ?? PRODUCER_DEFAULTS.sendTimeoutMs,
    retryTimesWhenSendFailed: options.retryTimesWhenSendFailed ?? PRODUCER_DEFAULTS.retryTimesWhenSendFailed,
    compressMsgBodyOverHowmuch:
      options.compressMsgBodyOverHowmuch ?? PRODUCER_DEFAULTS.compressMsgBodyOverHowmuch,
    maxMessageSize: options.maxMessageSize ?? PRODUCER_DEFAULTS.maxMessageSize,
    sendLatencyFaultEnable: options.sendLatencyFaultEnable ?? PRODUCER_DEFAULTS.sendLatencyFaultEnable,
    defaultTopicQueueNums: options.defaultTopicQueueNums ?? PRODUCER_DEFAULTS.defaultTopicQueueNums,
    createTopicKey: options.createTopicKey ?? PRODUCER_DEFAULTS.createTopicKey,
    serializeType: options.serializeType ?? PRODUCER_DEFAULTS.serializeType,
  };
  if (resolved.serializeType !== 'ROCKETMQ' && resolved.serializeType !== 'JSON') {
    problems.push({
      kind: 'invalid-value',
      key: 'serializeType',
      message: `"${String(resolved.serializeType)}" is not a header serialisation; use 'ROCKETMQ' or 'JSON'`,
    });
  }
  checkGroup(problems, resolved.group);
  checkPositiveMs(problems, 'sendTimeoutMs', resolved.sendTimeoutMs);
  checkCount(problems, 'retryTimesWhenSendFailed', resolved.retryTimesWhenSendFailed, 0);
  checkCount(problems, 'compressMsgBodyOverHowmuch', resolved.compressMsgBodyOverHowmuch, 0);
  checkCount(problems, 'maxMessageSize', resolved.maxMessageSize, 1);
  checkCount(problems, 'defaultTopicQueueNums', resolved.defaultTopicQueueNums, 1);
  throwIfProblems(problems, 'producer');
  return resolved;
}
