// What a running KeelRuntime tells listeners (runtime.events): deliveries to handlers and the end
// of transactions that published messages. The test kit waits on these; applications may count
// them. Listener errors are logged, never thrown into the runtime.

import type { MessageExt } from '@keel/broker/client';
import type { Delivered } from '../handlers/delivered';

export type DeliveryOutcome =
  /** The handler ran and its transaction (with the inbox row) committed. */
  | 'handled'
  /** The inbox already had the key: acknowledged without running the handler. */
  | 'duplicate'
  /** The handler (or its transaction) failed; `next` says what becomes of the message. */
  | 'failed';

export interface DeliveryEvent {
  /** The consumer group (for a dead-letter receiver, the group whose dead letters it receives). */
  readonly group: string;
  /** `Class.method` of the handler. */
  readonly handler: string;
  readonly kind: 'message' | 'dead-letter';
  readonly outcome: DeliveryOutcome;
  /** Undefined when the body could not be deserialized. */
  readonly message: Delivered | undefined;
  /** msgId of the delivered message (UNIQ_KEY). */
  readonly msgId: string;
  /** For 'failed': redelivered later ('retry'), or to the group's dead-letter queue. */
  readonly next?: 'retry' | 'dead-letter';
  readonly error?: unknown;
}

export interface DeliveryStartEvent {
  readonly group: string;
  readonly handler: string;
  readonly msgId: string;
  /** The message as the broker delivered it. */
  readonly raw: MessageExt;
}

export interface PublishedEvent {
  readonly transactionId: string;
  /** UNIQ_KEYs of the transaction's half messages that were stored. */
  readonly msgIds: readonly string[];
  readonly outcome: 'committed' | 'rolled-back';
  /** False when END_TRANSACTION was not (fully) sent: the broker's check-back settles it. */
  readonly endTransactionSent: boolean;
}

export interface KeelRuntimeEvents {
  deliveryStarted: DeliveryStartEvent;
  delivered: DeliveryEvent;
  published: PublishedEvent;
}
