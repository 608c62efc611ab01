// The remoting protocol of RocketMQ 4.x: command model, code tables, header codecs and framing.
export * from './request-code';
export * from './response-code';
export * from './language-code';
export * from './serialize-type';
export * from './remoting-errors';
export * from './remoting-command';
export type { HeaderEncoding } from './header-encoding';
export { decodeJsonHeader, encodeJsonHeader, jsonHeaderText, prepareJsonHeader } from './json-header';
export {
  ROCKETMQ_HEADER_FIXED_BYTES,
  decodeRocketMqHeader,
  encodeRocketMqHeader,
  prepareRocketMqHeader,
} from './rocketmq-header';
export * from './frame-layout';
export { decodeCommand } from './command-decoder';
export { encodeFrame, encodeFrameParts, type FrameEncoderOptions } from './frame-encoder';
export { FrameDecoder, type FrameDecodeResult, type FrameDecoderOptions } from './frame-decoder';
