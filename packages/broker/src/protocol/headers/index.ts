// Codecs of RocketMQ 4.x's custom headers (a command's extFields), one module per request family.
export { HeaderErrorCodes, HeaderFieldError } from './header-errors';
export { defineHeader, type HeaderCodec, type HeaderOf } from './header-codec';
export * as HeaderFields from './header-fields';
export type { FieldKind, HeaderField, HeaderSchema, HeaderValue } from './header-fields';
export * from './namesrv-headers';
export * from './send-headers';
export * from './pull-headers';
export * from './offset-headers';
export * from './client-headers';
export * from './query-headers';
export * from './admin-headers';
export * from './transaction-headers';
export * from './send-back-headers';
