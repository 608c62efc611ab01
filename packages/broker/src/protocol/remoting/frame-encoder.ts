// Command to frame bytes in one allocation: the header is measured first, then the length prefix,
// the type word, the header and the body are written into a single buffer.

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
  const frame = Buffer.allocUnsafe(frameLength);
  let at = frame.writeInt32BE(frameLength - LENGTH_PREFIX_BYTES, 0);
  at = frame.writeUInt32BE(((SerializeType[command.serializeType] << 24) | header.byteLength) >>> 0, at);
  header.writeTo(frame, at);
  command.body.copy(frame, at + header.byteLength);
  return frame;
}
