// The message index (`index/`): RocketMQ-compatible index files and the service that keeps them.
export {
  DEFAULT_INDEX_FILE_GEOMETRY,
  DEFAULT_INDEX_FILE_SIZE,
  DEFAULT_MAX_HASH_SLOT_NUM,
  DEFAULT_MAX_INDEX_NUM,
  indexFileSize,
  type IndexFileGeometry,
  type IndexHeader,
} from './index-file-layout';
export { IndexFile, type CreateIndexFileOptions, type IndexFileOptions } from './index-file';
export { indexFileNameAt, isIndexFileName, nextIndexFileName } from './index-file-name';
export {
  DEFAULT_INDEX_WRITE_BACK_BYTES,
  INDEX_DIR_NAME,
  IndexService,
  type IndexFlushPoint,
  type IndexServiceOptions,
  type QueryOffsetResult,
} from './index-service';
export {
  checkIndexDispatchRequest,
  indexKeysOf,
  type IndexDispatchRequest,
  type IndexTransactionType,
} from './index-dispatch';
