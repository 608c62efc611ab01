// Sends the messages of a Keel transaction atomically with it, through the transaction's hooks:
//
//   BEGIN; the method's writes and publish() calls
//   beforeCommit  → the barrier row (context.claimBarrier(), unless BEGIN carried it), then each
//                   message as a half message (KEEL_TX_ID = the barrier id), in publish order;
//                   a failure here fails the method and rolls everything back. The row comes
//                   first because a check-back can only come for a stored half: it then always
//                   meets the row, locked until COMMIT or ROLLBACK
//   COMMIT        → the barrier row becomes visible: from now on a check-back answers COMMIT
//   afterCommit   → END_TRANSACTION COMMIT for each half; one that is lost is logged, and the
//                   broker's check-back finds the committed barrier row and commits it
//   afterRollback → END_TRANSACTION ROLLBACK for each half already stored (a lost one: the check
//                   finds no committed row, writes a rolled_back one, and answers ROLLBACK)
//
// If COMMIT's outcome is unknown (the connection broke during it), neither after-hook runs and the
// check-back decides from the barrier row, which is exactly what happened. So in every case a
// message is delivered if and only if its transaction committed.

import { LocalTransactionState, type HalfMessage, type Message, type SendOptions } from '@keel/broker/client';
import type { Logger, TypedEmitter } from '@keel/broker';
import type { TransactionContext } from '../context/transaction-context';
import type { OutgoingMessage } from '../context/transaction-record';
import { TxError, TxErrorCodes } from '../errors';
import type { KeelRuntimeEvents } from '../runtime/runtime-events';
import type { Serializer } from '../runtime/serializer';
import type { TransactionGate } from '../runtime/transaction-gate';
import type { TransactionSteps } from '../runtime/transaction-steps';
import { toBrokerMessage } from './keel-properties';
import type { PublishTarget } from './publish-targets';

/** What the sender needs of the transactional producer. */
export interface HalfMessageProducer {
  sendHalf(message: Message, options?: SendOptions): Promise<HalfMessage>;
  endTransaction(half: HalfMessage, state: LocalTransactionState): Promise<boolean>;
}

export interface TransactionalSenderOptions {
  readonly producer: HalfMessageProducer;
  readonly serializer: Serializer;
  readonly logger: Logger;
  readonly steps: TransactionSteps;
  readonly events: TypedEmitter<KeelRuntimeEvents>;
  /** Refuses new transactions' messages once the runtime is shutting down. */
  readonly gate: TransactionGate;
}

interface Enlisted {
  /** The halves went out (or are going out): publishing more now would leave a message behind. */
  sending: boolean;
  readonly halves: HalfMessage[];
}

export class TransactionalSender implements PublishTarget {
  readonly serializer: Serializer;
  readonly #options: TransactionalSenderOptions;
  readonly #enlisted = new WeakMap<TransactionContext, Enlisted>();
  readonly #ending = new Set<Promise<void>>();

  constructor(options: TransactionalSenderOptions) {
    this.#options = options;
    this.serializer = options.serializer;
  }

  enlist(context: TransactionContext, topic: string): void {
    const existing = this.#enlisted.get(context);
    if (existing !== undefined) {
      if (!existing.sending) return;
      throw new TxError(
        TxErrorCodes.PUBLISH_TOO_LATE,
        `publish() in transaction ${context.id} after its messages were sent (from a beforeCommit hook ` +
          'added after the first publish); publish in the method itself',
      );
    }
    this.#options.gate.checkPublish(context, topic);
    const enlisted: Enlisted = { sending: false, halves: [] };
    this.#enlisted.set(context, enlisted);
    context.beforeCommit(() => this.#sendHalves(context, enlisted));
    context.afterCommit(() => this.#track(this.#end(context, enlisted, 'committed')));
    context.afterRollback(() => this.#track(this.#end(context, enlisted, 'rolled-back')));
  }

  /** Resolves once every END_TRANSACTION in progress has been written (or failed to be). */
  async whenEnded(): Promise<void> {
    while (this.#ending.size > 0) await Promise.all([...this.#ending]);
  }

  async #sendHalves(context: TransactionContext, enlisted: Enlisted): Promise<void> {
    enlisted.sending = true;
    const { producer, steps } = this.#options;
    const transactionId = context.id;
    await context.claimBarrier();
    for (const message of context.outgoing) {
      if (steps.active) await steps.run({ step: 'before-half', transactionId, topic: message.topic });
      const half = await producer.sendHalf(toBrokerMessage(message, transactionId), sendOptionsOf(message));
      enlisted.halves.push(half);
      if (half.sendResult.status !== 'SEND_OK') {
        throw new TxError(
          TxErrorCodes.HALF_NOT_DURABLE,
          `the broker stored the message to ${message.topic} with ${half.sendResult.status}, less durably ` +
            `than asked, so transaction ${transactionId} rolls back; run the operation again`,
        );
      }
      if (steps.active) await steps.run({ step: 'after-half', transactionId, topic: message.topic });
    }
    if (steps.active) await steps.run({ step: 'before-commit', transactionId });
  }

  async #end(
    context: TransactionContext,
    enlisted: Enlisted,
    outcome: 'committed' | 'rolled-back',
  ): Promise<void> {
    const { producer, logger, steps, events } = this.#options;
    const { halves } = enlisted;
    if (halves.length === 0) return;
    const transactionId = context.id;
    let endTransactionSent = true;
    try {
      if (outcome === 'committed' && steps.active) await steps.run({ step: 'after-commit', transactionId });
    } catch (error: unknown) {
      endTransactionSent = false;
      logger.warn('END_TRANSACTION not sent after the commit; the broker check-back will commit it', {
        transactionId,
        error: error instanceof Error ? error : String(error),
      });
    }
    if (endTransactionSent) {
      const state =
        outcome === 'committed'
          ? LocalTransactionState.COMMIT_MESSAGE
          : LocalTransactionState.ROLLBACK_MESSAGE;
      // In publish order, so one transaction's messages are committed in the order they were published.
      for (const half of halves) {
        if (!(await producer.endTransaction(half, state))) endTransactionSent = false;
      }
    }
    events.emit('published', {
      transactionId,
      msgIds: halves.map((half) => half.transactionId),
      outcome,
      endTransactionSent,
    });
  }

  #track(work: Promise<void>): Promise<void> {
    this.#ending.add(work);
    // `work` itself goes back to the transaction runner, which reports a failure; this branch only
    // forgets it, and must not become a second, unhandled rejection of the same failure.
    work.then(
      () => this.#ending.delete(work),
      () => this.#ending.delete(work),
    );
    return work;
  }
}

function sendOptionsOf(message: OutgoingMessage): SendOptions {
  return message.shardingKey === undefined ? {} : { shardingKey: message.shardingKey };
}
