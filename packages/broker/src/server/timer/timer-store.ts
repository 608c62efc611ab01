import type { MessageStore } from '../../store/message-store';

/**
 * What the timer service uses of the message store: reading the timer queue and parked records,
 * storing delivered copies, making them durable, and hearing of appends. A narrow seam, so tests
 * can slow or fail one call.
 */
export type TimerStore = Pick<
  MessageStore,
  | 'readQueueEntries'
  | 'maxOffsetInQueue'
  | 'minOffsetInQueue'
  | 'readMessageAt'
  | 'putMessages'
  | 'flush'
  | 'onDispatch'
  | 'onConfirmed'
>;
