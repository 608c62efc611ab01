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
// The broker's context in process, for benchmarks of its services (bench/timer-bench.ts).
export { openBrokerContext } from '../server/open-broker-context';
export { resolveBrokerConfig, type BrokerConfigOverrides } from '../server/broker-config';
// In-process servers, for @keel/tx's test kit and the embedded example.
export { NameServer, type NameServerOptions } from '../namesrv/name-server';
export { Broker, type BrokerOptions } from '../server/broker';
export { routeSentMessage } from '../server/delivery/send-routing';
export { SystemTopic } from '../server/topic/system-topics';
