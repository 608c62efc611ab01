// A half message sent on its own (TransactionProducer.sendHalf), for callers that run the local
// transaction themselves and end it later with TransactionProducer.endTransaction: @keel/tx sends
// the halves of a database transaction before its COMMIT and ends them after it, which
// sendMessageInTransaction's callback shape cannot express.

import type { SendResult } from '../producer/send-result';
import type { HalfMessageRef } from './end-transaction';

export interface HalfMessage {
  /** The half message's UNIQ_KEY; the broker's checks of it carry this as `transactionId`. */
  readonly transactionId: string;
  /**
   * The broker's answer. Anything but SEND_OK (a flush or slave timeout) means the half message is
   * stored less durably than asked: end it with ROLLBACK_MESSAGE, as sendMessageInTransaction does.
   */
  readonly sendResult: SendResult;
  /** @internal Which record END_TRANSACTION names. */
  readonly ref: HalfMessageRef;
}
