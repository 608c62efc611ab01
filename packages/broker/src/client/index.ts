// Public entry of @keel/broker/client: what services embed to send and receive messages.
export { CLIENT_DEFAULTS, type ClientOptions, type ResolvedClientOptions } from './client-options';
export { buildClientId } from './client-id';
export {
  ClientInstance,
  type BrokerRequestHandler,
  type ClientInstanceEvents,
  type TopicRouteOptions,
} from './client-instance';
export { acquireClientInstance, releaseClientInstance } from './client-instance-registry';
export type { ConsumerDataProvider } from './client-registrations';
export {
  BrokerResponseError,
  ClientErrorCodes,
  InvalidMessageError,
  MessageDecodeError,
  MessageTooLargeError,
  NoRouteError,
  RETRIABLE_RESPONSE_CODES,
  UnsupportedCompressionError,
} from './client-errors';
export type { Message, MessageExt, MessageQueue } from './message';
export { decodeMessages } from './message-decoding';
export * from './producer/index';
export * from './transaction/index';
export * from './consumer/public';
export * from './admin/index';
