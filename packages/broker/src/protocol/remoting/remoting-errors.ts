// Errors of the remoting codecs. Bad bytes from the network are never thrown: decoders return a
// RemotingDecodeError in their result and the connection that sent them must be closed, as Java's
// NettyDecoder does. Encoding errors are programming errors (a field that does not fit its wire
// type) and are thrown. None is retriable: the same bytes or command fail the same way again.

import { KeelError } from '../../common/errors';

export const RemotingErrorCodes = {
  DECODE: 'REMOTING_DECODE',
  FRAME_TOO_LARGE: 'REMOTING_FRAME_TOO_LARGE',
  ENCODE: 'REMOTING_ENCODE',
} as const;

/** What was wrong with the bytes, for code and tests; the message is for people. */
export type RemotingDecodeProblem =
  | 'frame-too-large'
  | 'frame-length-invalid' // shorter than the header-length word, or negative
  | 'header-length-invalid' // the 24-bit header length does not fit the frame
  | 'serialize-type-unknown'
  | 'header-truncated' // a binary header ends inside a field
  | 'header-malformed' // not parseable as a header of its type at all
  | 'field-invalid'; // parseable, but a field has the wrong type or range

export class RemotingDecodeError extends KeelError {
  readonly problem: RemotingDecodeProblem;

  constructor(
    problem: RemotingDecodeProblem,
    message: string,
    options: { readonly code?: string; readonly cause?: unknown } = {},
  ) {
    super(options.code ?? RemotingErrorCodes.DECODE, message, { retriable: false, cause: options.cause });
    this.problem = problem;
  }
}

/** The length prefix announces a frame over the limit; the stream cannot be resynchronised. */
export class FrameTooLargeError extends RemotingDecodeError {
  /** Announced frame size including the 4-byte length prefix, as Netty counts it. */
  readonly frameLengthBytes: number;
  readonly maxFrameLengthBytes: number;

  constructor(frameLengthBytes: number, maxFrameLengthBytes: number) {
    super(
      'frame-too-large',
      `remoting frame of ${frameLengthBytes} bytes exceeds the limit of ${maxFrameLengthBytes} bytes`,
      { code: RemotingErrorCodes.FRAME_TOO_LARGE },
    );
    this.frameLengthBytes = frameLengthBytes;
    this.maxFrameLengthBytes = maxFrameLengthBytes;
  }
}

/** A command field cannot be represented on the wire (e.g. a code outside a Java short). */
export class RemotingEncodeError extends KeelError {
  readonly field: string;

  constructor(field: string, reason: string) {
    super(RemotingErrorCodes.ENCODE, `cannot encode remoting command field ${field}: ${reason}`);
    this.field = field;
  }
}

/** The outcome of decoding untrusted bytes: a value or the reason there is none. */
export type DecodeResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: RemotingDecodeError };

export function decoded<T>(value: T): DecodeResult<T> {
  return { ok: true, value };
}

export function decodeFailed<T>(error: RemotingDecodeError): DecodeResult<T> {
  return { ok: false, error };
}
