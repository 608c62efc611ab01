// Command to frame bytes: the header is measured first, then the length prefix, the type word and
// the header are written into one buffer; the body follows as its own buffer (or is appended).

import { prepareJsonHeader } from './json-header';
import {
  DEFAULT_MAX_FRAME_LENGTH_BYTES,
  HEADER_LENGTH_WORD_BYTES,
  LENGTH_PREFIX_BYTES,
  MAX_HEADER_LENGTH_BYTES,
} from './frame-layout';
import { RemotingCommand } from './remoting-command';
import { RemotingEncodeError } from './remoting-errors';
import { prepareRocketMqHeader } from './rocketmq-header';
import { SerializeType } from './serialize-type';

export interface FrameEncoderOptions {
  /** Refuse to produce frames the peer would refuse to read. Default 16 MiB, prefix included. */
  readonly maxFrameLengthBytes?: number;
}

/** The whole frame for `command`, in its `serializeType`. Throws RemotingEncodeError if it cannot. */
export function encodeFrame(command: RemotingCommand, options: FrameEncoderOptions = {}): Buffer {
  const [head, body] = encodeFrameParts(command, options);
  if (body.length === 0) return head;
  return Buffer.concat([head, body], head.length + body.length);
}

/**
 * The frame as two buffers to write back to back: the length prefix, type word and header, then
 * the body as it is (not copied). A socket write of both (corked, or writev) sends one frame
 * without copying a large body, such as a pull response's 32 records, a second time.
 */
export function encodeFrameParts(
  command: RemotingCommand,
  options: FrameEncoderOptions = {},
): readonly [head: Buffer, body: Buffer] {
  const header =
    command.serializeType === 'JSON' ? prepareJsonHeader(command) : prepareRocketMqHeader(command);
  if (header.byteLength > MAX_HEADER_LENGTH_BYTES) {
    throw new RemotingEncodeError(
      'header',
      `${header.byteLength} bytes do not fit the 24-bit header length (max ${MAX_HEADER_LENGTH_BYTES})`,
    );
  }
  const frameLength =
    LENGTH_PREFIX_BYTES + HEADER_LENGTH_WORD_BYTES + header.byteLength + command.body.length;
  const maxFrameLength = options.maxFrameLengthBytes ?? DEFAULT_MAX_FRAME_LENGTH_BYTES;
  if (frameLength > maxFrameLength) {
    throw new RemotingEncodeError(
      'body',
      `frame of ${frameLength} bytes exceeds the limit of ${maxFrameLength}`,
    );
  }
  const head = Buffer.allocUnsafe(LENGTH_PREFIX_BYTES + HEADER_LENGTH_WORD_BYTES + header.byteLength);
  let at = head.writeInt32BE(frameLength - LENGTH_PREFIX_BYTES, 0);
  at = head.writeUInt32BE(((SerializeType[command.serializeType] << 24) | header.byteLength) >>> 0, at);
  header.writeTo(head, at);
  return [head, command.body];
}
