// The transactional producer's options: the producer's, plus the check listener and the bounds on
// how many of the broker's checks it answers at once (RocketMQ's TransactionMQProducer).

import type { ConfigProblem } from '../../common/errors';
import { checkCount, throwIfProblems } from '../client-options';
import type { MessageExt } from '../message';
import type { ProducerOptions } from '../producer/producer-options';
import type { LocalTransactionState } from './local-transaction-state';

/** A half message the broker asks about, as the check listener sees it. */
export interface TransactionalMessage extends MessageExt {
  /** The id the local transaction was run under: the message's UNIQ_KEY. */
  readonly transactionId: string;
}

/**
 * Says what became of the local transaction of `message`. Throwing, or returning anything but the
 * three states, answers UNKNOW: the broker asks again later, up to its transactionCheckMax.
 */
export type TransactionCheckListener = (
  message: TransactionalMessage,
) => LocalTransactionState | Promise<LocalTransactionState>;

export interface TransactionProducerOptions extends ProducerOptions {
  /** Answers the broker's checks of transactions it has no outcome for. Required. */
  readonly checkLocalTransaction: TransactionCheckListener;
  /**
   * Checks answered at once. Default 4 (RocketMQ: one check thread). Bounds the load checks put on
   * whatever the listener reads (usually a database) when many transactions are pending.
   */
  readonly checkConcurrency?: number;
  /**
   * Checks that wait for a free slot; past that, new checks are refused, logged and counted, and
   * the broker asks again next round. Default 2000 (RocketMQ's checkRequestHoldMax).
   */
  readonly checkQueueCapacity?: number;
  /**
   * Topics this producer sends transactions to. Their brokers learn of the group at start, before
   * anything is sent, so a restarted service answers the checks of transactions its previous run
   * left open. Default none: only the brokers of the auto-create template topic (and, later, of
   * topics sent to) hear from it.
   */
  readonly topics?: readonly string[];
}

/** What the transactional producer adds to the producer's resolved options. */
export interface TransactionSettings {
  readonly checkLocalTransaction: TransactionCheckListener;
  readonly checkConcurrency: number;
  readonly checkQueueCapacity: number;
  readonly topics: readonly string[];
}

export const TRANSACTION_PRODUCER_DEFAULTS = {
  checkConcurrency: 4,
  checkQueueCapacity: 2000,
} as const;

/** Resolves and checks the transactional options (the producer's own are resolved by Producer). */
export function resolveTransactionSettings(options: TransactionProducerOptions): TransactionSettings {
  const problems: ConfigProblem[] = [];
  const resolved: TransactionSettings = {
    checkLocalTransaction: options.checkLocalTransaction,
    checkConcurrency: options.checkConcurrency ?? TRANSACTION_PRODUCER_DEFAULTS.checkConcurrency,
    checkQueueCapacity: options.checkQueueCapacity ?? TRANSACTION_PRODUCER_DEFAULTS.checkQueueCapacity,
    topics: [...(options.topics ?? [])],
  };
  if (typeof resolved.checkLocalTransaction !== 'function') {
    problems.push({
      kind: 'missing',
      key: 'checkLocalTransaction',
      message:
        'a transactional producer needs a check listener: pass checkLocalTransaction: (message) => ' +
        "'COMMIT_MESSAGE' | 'ROLLBACK_MESSAGE' | 'UNKNOW', which the broker calls for transactions left unknown",
    });
  }
  checkCount(problems, 'checkConcurrency', resolved.checkConcurrency, 1);
  checkCount(problems, 'checkQueueCapacity', resolved.checkQueueCapacity, 0);
  for (const topic of resolved.topics) {
    if (typeof topic !== 'string' || !/^[%|a-zA-Z0-9_-]{1,127}$/.test(topic)) {
      problems.push({
        kind: 'invalid-value',
        key: 'topics',
        message: `"${String(topic)}" is not a topic name; use 1-127 characters of [%|a-zA-Z0-9_-]`,
      });
    }
  }
  throwIfProblems(problems, 'transactional producer');
  return resolved;
}
