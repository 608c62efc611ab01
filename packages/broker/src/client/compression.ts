// Message body compression as RocketMQ 4.9.x writes it: the COMPRESSED_FLAG bit of the sysFlag says
// the body is compressed; bits 8-10 say with what (0 or 3 = zlib, 1 = LZ4, 2 = ZSTD). zlib here is
// the zlib format (deflate with header and Adler-32), what Java's Deflater writes.

import { deflateSync, inflateSync } from 'node:zlib';

import { COMPRESSION_TYPE_MASK, MessageSysFlag } from '../protocol/message/message-sys-flag';
import { MessageDecodeError, UnsupportedCompressionError } from './client-errors';

/** Java's default `rocketmq.message.compressLevel`. */
export const ZLIB_COMPRESSION_LEVEL = 5;

/** The sysFlag bits a zlib-compressed body carries. */
export const ZLIB_COMPRESSED_SYS_FLAG = MessageSysFlag.COMPRESSED_FLAG | MessageSysFlag.COMPRESSION_ZLIB_TYPE;

export function compressBody(body: Buffer): Buffer {
  return deflateSync(body, { level: ZLIB_COMPRESSION_LEVEL });
}

/** The body as the producer gave it: inflated when the sysFlag says it was compressed. */
export function decompressBody(body: Buffer, sysFlag: number): Buffer {
  if ((sysFlag & MessageSysFlag.COMPRESSED_FLAG) === 0) return body;
  const type = sysFlag & COMPRESSION_TYPE_MASK;
  if (type === MessageSysFlag.COMPRESSION_LZ4_TYPE) throw new UnsupportedCompressionError('LZ4');
  if (type === MessageSysFlag.COMPRESSION_ZSTD_TYPE) throw new UnsupportedCompressionError('ZSTD');
  if (type !== 0 && type !== MessageSysFlag.COMPRESSION_ZLIB_TYPE) {
    throw new UnsupportedCompressionError(`unknown compression type bits 0x${type.toString(16)}`);
  }
  try {
    return inflateSync(body);
  } catch (error) {
    throw new MessageDecodeError('a body flagged as zlib-compressed does not inflate', { cause: error });
  }
}
