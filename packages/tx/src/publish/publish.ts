// publish(): records a message in the current Keel transaction. Nothing is sent here: the runtime
// sends the transaction's messages as half messages just before its COMMIT and commits them on the
// broker after it (transactional-sender.ts), so they are delivered if and only if the database
// transaction committed. The body is serialized now, so later changes to the object do not leak
// into the message, and a body that cannot be serialized fails here, inside the transaction.

import { findCurrentTransaction } from '../context/current-transaction';
import { TxError, TxErrorCodes } from '../errors';
import { serializeBody } from '../runtime/serializer';
import { outgoingMessageOf, type PublishOptions } from './publish-options';
import { publishTargetFor } from './publish-targets';

export function publish(topic: string, body: unknown, options: PublishOptions = {}): void {
  const context = findCurrentTransaction();
  if (context === undefined) {
    throw new TxError(
      TxErrorCodes.NO_TRANSACTION,
      `publish(${String(topic)}) outside a transaction: publish inside a @Transactional() method, an ` +
        '@OnMessage handler, or runInTransaction(), so the message commits with the database writes',
    );
  }
  const target = publishTargetFor(context.dataSource, String(topic));
  const message = outgoingMessageOf(topic, serializeBody(target.serializer, String(topic), body), options);
  target.enlist(context, String(topic));
  context.addOutgoing(message);
}
