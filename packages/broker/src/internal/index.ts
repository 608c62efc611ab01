// What Keel's own packages, benchmarks and tests may use but applications should not rely on.
export * from '../common/index';
export * from '../protocol/message/index';
export * from '../protocol/remoting/index';
export type { Disk, DiskFile } from '../store/disk/disk';
export { NodeDisk } from '../store/disk/node-disk';
export { MemoryDisk } from '../store/disk/memory-disk';
export {
  CommitLog,
  type CommitLogOptions,
  type FlushDiskType,
  type ScanOutcome,
} from '../store/commitlog/commit-log';
export {
  MessageStore,
  type MessageStoreOptions,
  type PutMessageRequest,
  type PutMessageResult,
  type PutMessageStatus,
} from '../store/message-store';
export { defaultStoreConfig, type MessageStoreConfig } from '../store/message-store-config';
export type { GetMessageResult, GetMessageStatus, GetMessageLimits } from '../store/get-message';
export type { RecoveryReport } from '../store/store-recovery';
export * from '../common/json/index';
export * from '../protocol/headers/index';
export * from '../protocol/bodies/index';
