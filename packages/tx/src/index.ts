// Public entry of @keel/tx.
export * from './pglite/index';

// The runtime: publish(), handlers, check-back.
export { KeelRuntime, type KeelRuntimeState } from './runtime/keel-runtime';
export {
  KeelRuntimeConfigError,
  MIN_BARRIER_RETENTION_MS,
  RUNTIME_DEFAULTS,
  type ConsumerTuning,
  type KeelRuntimeOptions,
  type ProducerTuning,
  type ResolvedRuntimeOptions,
} from './runtime/runtime-options';
export type {
  DeliveryEvent,
  DeliveryOutcome,
  DeliveryStartEvent,
  KeelRuntimeEvents,
  PublishedEvent,
} from './runtime/runtime-events';
export { jsonSerializer, type Serializer } from './runtime/serializer';
export { publish } from './publish/publish';
export type { PublishOptions } from './publish/publish-options';
export { KEEL_TX_ID_PROPERTY } from './publish/keel-properties';
export type { Delivered } from './handlers/delivered';
export { DEAD_LETTER_GROUP_SUFFIX, deadLetterGroupOf } from './handlers/group-consumers';

// Errors and problems that cannot be thrown.
export {
  BarrierConflictError,
  NonRetriableError,
  TxError,
  TxErrorCodes,
  type BarrierClaimant,
  type TxErrorCode,
} from './errors';
export {
  describeProblem,
  stderrProblemReporter,
  type TxProblem,
  type TxProblemReporter,
  type UnknownCheckReason,
} from './problems';

// Keel's tables.
export {
  DEFAULT_KEEL_TABLES,
  DEFAULT_TABLE_PREFIX,
  keelTables,
  type KeelTables,
  type KeelTablesOptions,
} from './schema/keel-tables';
export { ensureKeelTables, type EnsureKeelTablesOptions } from './schema/ensure-keel-tables';
export {
  createKeelTablesMigration,
  KeelTablesMigration,
  type KeelTablesMigrationClass,
} from './schema/keel-tables-migration';
export { MAX_INBOX_FIELD_LENGTH, MAX_TRANSACTION_ID_LENGTH } from './schema/keel-tables-ddl';

// The transaction context.
export { runInTransaction } from './context/run-in-transaction';
export {
  currentManager,
  currentTransaction,
  findCurrentTransaction,
  repository,
} from './context/current-transaction';
export { TransactionContext } from './context/transaction-context';
export type {
  AfterCommitHook,
  AfterRollbackHook,
  BeforeCommitHook,
  OutgoingMessage,
} from './context/transaction-record';
export type { TransactionState } from './context/transaction-state';
export {
  ISOLATION_LEVELS,
  type IsolationLevel,
  type TransactionOptions,
} from './context/transaction-options';
export { rollbackErrorOf } from './context/rollback-error';
export { installTransactionGuard, isTransactionGuardInstalled } from './context/transaction-guard';

// Check-back and the inbox.
export {
  CheckResolutions,
  DEFAULT_CHECK_SLACK_MS,
  resolveTransactionCheck,
  type CheckResolution,
  type TransactionCheckOptions,
} from './barrier/resolve-transaction-check';
export { runOnce, type InboxKey, type RunOnceResult } from './inbox/run-once';
export { purgeInbox, type PurgeInboxOptions } from './inbox/purge-inbox';
export { purgeBarriers } from './barrier/purge-barriers';
export { DEFAULT_PURGE_BATCH_SIZE, type PurgeOptions } from './retention/purge-in-batches';

// Decorators and their metadata.
export { OnDeadLetter, OnMessage, Transactional } from './metadata/decorators';
export {
  HANDLER_DEFAULTS,
  MAX_RETRIES_LIMIT,
  type IdempotencyKeySource,
  type OnDeadLetterOptions,
  type OnMessageOptions,
  type TransactionalOptions,
} from './metadata/handler-options';
export {
  getKeelMetadataStorage,
  KeelMetadataStorage,
  withKeelMetadataStorage,
  type DeadLetterHandlerEntry,
  type DecoratedMember,
  type KeelMetadataEntry,
  type MessageHandlerEntry,
  type TransactionalEntry,
} from './metadata/metadata-storage';
export { bindTransactional, type RegisteredTransactionOptions } from './metadata/transactional-data-source';
export {
  KeelMetadataError,
  validateKeelMetadata,
  type MetadataProblem,
  type ResolvedDeadLetterHandler,
  type ResolvedMessageHandler,
  type ValidatedKeelMetadata,
  type ValidateOptions,
} from './metadata/validate-metadata';
