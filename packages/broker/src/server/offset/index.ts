export {
  ConsumerOffsetManager,
  DEFAULT_FLUSH_CONSUMER_OFFSET_INTERVAL_MS,
  type ConsumerOffsetManagerOptions,
} from './consumer-offset-manager';
export { ConsumerOffsetError, OffsetErrorCodes } from './offset-errors';
export {
  resolveQueryConsumerOffset,
  type QueryConsumerOffsetInput,
  type QueryConsumerOffsetResult,
} from './query-consumer-offset';
