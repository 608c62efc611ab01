import { join } from 'node:path';

/** File names under `storePathRootDir/config`, as RocketMQ 4.x names them (BrokerPathConfigHelper). */
export const METADATA_FILE_NAMES = {
  topics: 'topics.json',
  subscriptionGroups: 'subscriptionGroup.json',
  consumerOffsets: 'consumerOffset.json',
  delayOffsets: 'delayOffset.json',
} as const;

export type MetadataFileKind = keyof typeof METADATA_FILE_NAMES;

/** Full paths of the metadata files of a store rooted at `storePathRootDir`. */
export function metadataFilePaths(storePathRootDir: string): Record<MetadataFileKind, string> {
  const dir = join(storePathRootDir, 'config');
  return {
    topics: join(dir, METADATA_FILE_NAMES.topics),
    subscriptionGroups: join(dir, METADATA_FILE_NAMES.subscriptionGroups),
    consumerOffsets: join(dir, METADATA_FILE_NAMES.consumerOffsets),
    delayOffsets: join(dir, METADATA_FILE_NAMES.delayOffsets),
  };
}
