// The transactional producer: half messages, the local transaction, and answers to checks.
export {
  TransactionProducer,
  type LocalTransactionContext,
  type LocalTransactionExecutor,
  type TransactionProducerStats,
  type TransactionSendResult,
} from './transaction-producer';
export {
  TRANSACTION_PRODUCER_DEFAULTS,
  type TransactionCheckListener,
  type TransactionProducerOptions,
  type TransactionSettings,
  type TransactionalMessage,
} from './transaction-producer-options';
export type { HalfMessage } from './half-message';
export { LocalTransactionState, isLocalTransactionState } from './local-transaction-state';
export { InvalidTransactionStateError, TransactionErrorCodes } from './transaction-errors';
