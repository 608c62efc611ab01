// One delivery to one handler: deserialize, key, then runOnce — the handler runs in a transaction
// whose first statement inserts the inbox row (group, key), so a duplicate (sequential or
// concurrent, on any process) is acknowledged without running it, and publish() inside the handler
// joins that transaction ("consume → write → publish" is one atomic step). A failure rolls all of
// it back and is turned into a decision (failure-policy.ts); it never escapes to the consumer.

import type { Logger, TypedEmitter } from '@keel/broker';
import type { MessageExt } from '@keel/broker/client';
import type { DataSource } from 'typeorm';
import type { RegisteredTransactionOptions } from '../metadata/transactional-data-source';
import { runOnce } from '../inbox/run-once';
import type { DeliveryEvent, KeelRuntimeEvents } from '../runtime/runtime-events';
import type { Serializer } from '../runtime/serializer';
import type { TransactionGate } from '../runtime/transaction-gate';
import { toDelivered, type Delivered } from './delivered';
import { decideAfterFailure } from './failure-policy';
import { inboxKeyOf, type InboxKeySource } from './inbox-key';

/** A handler as the runner calls it. */
export interface DeliveryTarget {
  /** `Class.method`. */
  readonly label: string;
  readonly kind: 'message' | 'dead-letter';
  /** The group reported in events: the handler's, or for dead letters the group they came from. */
  readonly group: string;
  /** The inbox's consumer_group column: the group that consumes (for dead letters, `<group>-dlq`). */
  readonly inboxGroup: string;
  readonly maxRetries: number;
  readonly idempotencyKey: InboxKeySource;
  readonly nonRetriable: ((error: unknown) => boolean) | undefined;
  readonly invoke: (message: Delivered) => unknown;
}

export type DeliveryResult =
  | { readonly outcome: 'handled' | 'duplicate' }
  | { readonly outcome: 'failed'; readonly next: 'retry' | 'dead-letter' };

export interface DeliveryRunnerOptions {
  readonly dataSource: DataSource;
  readonly transactionOptions: RegisteredTransactionOptions;
  readonly serializer: Serializer;
  readonly events: TypedEmitter<KeelRuntimeEvents>;
  readonly logger: Logger;
  /** Counts deliveries as transactions in flight (shutdown waits for them), and lets them publish. */
  readonly gate: TransactionGate;
}

export class DeliveryRunner {
  readonly #options: DeliveryRunnerOptions;
  #active = 0;

  constructor(options: DeliveryRunnerOptions) {
    this.#options = options;
  }

  /** Deliveries running now. */
  get active(): number {
    return this.#active;
  }

  /**
   * `reconsumeTimes`: failed deliveries before this one, which the handler sees as
   * Delivered.reconsumeTimes (for orderly handlers the broker's count plus local retries, which
   * the broker's count alone does not show).
   */
  async deliver(target: DeliveryTarget, raw: MessageExt, reconsumeTimes: number): Promise<DeliveryResult> {
    const { events, gate } = this.#options;
    this.#active += 1;
    try {
      events.emit('deliveryStarted', { group: target.group, handler: target.label, msgId: raw.msgId, raw });
      let message: Delivered | undefined;
      try {
        message = toDelivered(raw, this.#options.serializer, reconsumeTimes);
        const delivered = message;
        const key = inboxKeyOf(target.idempotencyKey, delivered, target.label);
        const result = await gate.admitDelivery((admit) =>
          runOnce(
            this.#options.dataSource,
            { group: target.inboxGroup, key },
            async (context) => {
              admit(context);
              await target.invoke(delivered);
            },
            this.#options.transactionOptions,
          ),
        );
        const outcome = result.ran ? 'handled' : 'duplicate';
        this.#emit(target, raw, message, { outcome });
        return { outcome };
      } catch (error: unknown) {
        return this.#failed(target, raw, message, error, reconsumeTimes);
      }
    } finally {
      this.#active -= 1;
    }
  }

  #failed(
    target: DeliveryTarget,
    raw: MessageExt,
    message: Delivered | undefined,
    error: unknown,
    reconsumeTimes: number,
  ): DeliveryResult {
    const decision = decideAfterFailure({
      error,
      reconsumeTimes,
      maxRetries: target.maxRetries,
      nonRetriable: target.nonRetriable,
    });
    const fields = {
      handler: target.label,
      group: target.group,
      msgId: raw.msgId,
      topic: raw.topic,
      reconsumeTimes,
      next: decision.next,
      reason: decision.reason,
      error: error instanceof Error ? error : String(error),
    };
    if (decision.next === 'dead-letter')
      this.#options.logger.warn('handler failed; dead-lettering the message', fields);
    else this.#options.logger.info('handler failed; the broker redelivers the message later', fields);
    if (decision.predicateError !== undefined) {
      this.#options.logger.error('the nonRetriable predicate threw; the error was treated as retriable', {
        handler: target.label,
        msgId: raw.msgId,
        error:
          decision.predicateError instanceof Error
            ? decision.predicateError
            : String(decision.predicateError),
      });
    }
    this.#emit(target, raw, message, { outcome: 'failed', next: decision.next, error });
    return { outcome: 'failed', next: decision.next };
  }

  #emit(
    target: DeliveryTarget,
    raw: MessageExt,
    message: Delivered | undefined,
    result: Pick<DeliveryEvent, 'outcome' | 'next' | 'error'>,
  ): void {
    this.#options.events.emit('delivered', {
      group: target.group,
      handler: target.label,
      kind: target.kind,
      message,
      msgId: raw.msgId,
      ...result,
    });
  }
}
