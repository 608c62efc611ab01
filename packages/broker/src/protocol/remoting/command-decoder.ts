// One frame's content (everything after the length prefix) to a command. Java's NettyDecoder
// closes the connection on any failure here, so the caller treats every error as fatal.

import { decodeJsonHeader } from './json-header';
import { HEADER_LENGTH_WORD_BYTES, MAX_HEADER_LENGTH_BYTES } from './frame-layout';
import { RemotingCommand, RemotingHeader } from './remoting-command';
import { DecodeResult, RemotingDecodeError, decodeFailed, decoded } from './remoting-errors';
import { decodeRocketMqHeader } from './rocketmq-header';
import { serializeTypeFromCode } from './serialize-type';

/** Decodes `content` = header-length word + header + body. The body shares `content`'s memory. */
export function decodeCommand(content: Buffer): DecodeResult<RemotingCommand> {
  if (content.length < HEADER_LENGTH_WORD_BYTES) {
    return decodeFailed(
      new RemotingDecodeError(
        'frame-length-invalid',
        `remoting frame of ${content.length} bytes has no room for its ${HEADER_LENGTH_WORD_BYTES}-byte header-length word`,
      ),
    );
  }
  const word = content.readUInt32BE(0);
  const typeCode = word >>> 24;
  const headerLength = word & MAX_HEADER_LENGTH_BYTES;
  const serializeType = serializeTypeFromCode(typeCode);
  if (serializeType === undefined) {
    return decodeFailed(
      new RemotingDecodeError('serialize-type-unknown', `unknown header serialize type ${typeCode}`),
    );
  }
  const headerEnd = HEADER_LENGTH_WORD_BYTES + headerLength;
  if (headerEnd > content.length) {
    return decodeFailed(
      new RemotingDecodeError(
        'header-length-invalid',
        `header length ${headerLength} exceeds the ${content.length - HEADER_LENGTH_WORD_BYTES} bytes left in the frame`,
      ),
    );
  }
  const headerBytes = content.subarray(HEADER_LENGTH_WORD_BYTES, headerEnd);
  const header: DecodeResult<RemotingHeader> =
    serializeType === 'JSON' ? decodeJsonHeader(headerBytes) : decodeRocketMqHeader(headerBytes);
  if (!header.ok) return header;
  return decoded({ ...header.value, body: content.subarray(headerEnd), serializeType });
}
