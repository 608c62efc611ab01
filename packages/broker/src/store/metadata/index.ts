// Broker metadata files under `storePathRootDir/config`, in RocketMQ 4.x's JSON shapes so an
// operator can copy them between Keel and RocketMQ:
//
//   topics.json             TopicConfigFile          {dataVersion, topicConfigTable}
//   subscriptionGroup.json  SubscriptionGroupFile    {dataVersion, subscriptionGroupTable}
//   consumerOffset.json     ConsumerOffsetFile       {offsetTable: {"topic@group": {queueId: offset}}}
//   delayOffset.json        DelayOffsetFile          {offsetTable: {level: offset}}
//
// each with a `.bak` copy of its previous version (atomic-json-file.ts draws the write protocol).
//
// Format decision: Keel *reads* fastjson's dialect (bare integer map keys) and standard JSON, and
// *writes* standard JSON: integer map keys quoted, tab-indented, keys in fastjson's order (bean
// fields alphabetical, table keys sorted). fastjson deserialises quoted keys into RocketMQ's
// Map<Integer, Long> (its Integer key codec accepts a string token), so the files still load in
// RocketMQ, and they stay readable by every JSON tool. Fields Keel does not model (RocketMQ 5's
// additions) are tolerated on load, reported in `loadResult.ignoredFields`, and not written back.

export {
  AtomicJsonFile,
  BACKUP_FILE_SUFFIX,
  readJsonFile,
  TEMP_FILE_SUFFIX,
  toJsonText,
  writeJsonAtomically,
  type JsonFileRead,
  type ReadJsonFileOptions,
} from './atomic-json-file';
export {
  ConsumerOffsetFile,
  TOPIC_GROUP_SEPARATOR,
  type ConsumerOffsetJson,
  type GroupTopicOffsets,
} from './consumer-offset-file';
export {
  dataVersionToJson,
  initialDataVersion,
  nextDataVersion,
  sameDataVersion,
  type DataVersion,
  type DataVersionJson,
} from './data-version';
export { DelayOffsetFile, type DelayOffsetJson } from './delay-offset-file';
export { MetadataErrorCodes, MetadataFormatError } from './metadata-errors';
export type { MetadataClock, MetadataFileOptions, MetadataLoadResult } from './metadata-file';
export { METADATA_FILE_NAMES, metadataFilePaths, type MetadataFileKind } from './metadata-paths';
export {
  resolveSubscriptionGroupConfig,
  SUBSCRIPTION_GROUP_DEFAULTS,
  SubscriptionGroupFile,
  type SubscriptionGroupConfig,
  type SubscriptionGroupConfigInput,
  type SubscriptionGroupConfigJson,
  type SubscriptionGroupWrapperJson,
} from './subscription-group-file';
export { parseTolerantJson, type JsonObject, type JsonValue } from './tolerant-json';
export {
  resolveTopicConfig,
  TOPIC_CONFIG_DEFAULTS,
  TOPIC_FILTER_TYPES,
  TopicConfigFile,
  type TopicConfig,
  type TopicConfigInput,
  type TopicConfigJson,
  type TopicConfigSerializeWrapperJson,
  type TopicFilterType,
} from './topic-config-file';
