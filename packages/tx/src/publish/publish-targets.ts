// Which running runtime sends the messages published in a transaction on a given DataSource. A
// transaction spans one database and a runtime owns one DataSource, so the transaction's
// DataSource names the runtime without any global "current runtime".

import type { DataSource } from 'typeorm';
import type { TransactionContext } from '../context/transaction-context';
import { TxError, TxErrorCodes } from '../errors';
import type { Serializer } from '../runtime/serializer';

/** What publish() needs of a runtime. */
export interface PublishTarget {
  readonly serializer: Serializer;
  /**
   * Makes sure the transaction's messages are sent before its COMMIT and ended after it; throws
   * when the runtime takes no more (shutting down) or the messages were sent already.
   */
  enlist(context: TransactionContext, topic: string): void;
}

const targets = new WeakMap<DataSource, PublishTarget>();

/** Registers the runtime of `dataSource`; returns the function that removes it. */
export function registerPublishTarget(dataSource: DataSource, target: PublishTarget): () => void {
  if (targets.has(dataSource)) {
    throw new TxError(
      TxErrorCodes.INVALID_ARGUMENT,
      'another Keel runtime is already running on this DataSource; one runtime per DataSource (publish() ' +
        "would not know which producer sends a transaction's messages): shut the other one down first",
    );
  }
  targets.set(dataSource, target);
  return () => {
    if (targets.get(dataSource) === target) targets.delete(dataSource);
  };
}

export function publishTargetFor(dataSource: DataSource, topic: string): PublishTarget {
  const target = targets.get(dataSource);
  if (target !== undefined) return target;
  throw new TxError(
    TxErrorCodes.NO_RUNTIME,
    `publish(${topic}): no Keel runtime is running on this transaction's DataSource, so nothing would ` +
      'send the message; start KeelRuntime with this DataSource first (and publish while it runs)',
  );
}
