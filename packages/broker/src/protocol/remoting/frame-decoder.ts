// A frame decoder with no socket in it: the connection pushes whatever chunks the socket gives
// and gets back the commands they complete. Chunks are queued, not concatenated, so a frame fed
// one byte at a time costs one copy of the frame, not one per byte; a frame inside one chunk is
// not copied at all (its body is a view of the chunk).
//
// Modes: reading the 4-byte length prefix → reading `length` content bytes → back, until an error.
// Any error is fatal, as in Java's NettyDecoder: a bad length leaves no way to find the next frame,
// and a bad header closes the channel there too. After an error the decoder keeps returning it and
// ignores input; the owner must close the connection.

import { decodeCommand } from './command-decoder';
import {
  DEFAULT_MAX_FRAME_LENGTH_BYTES,
  HEADER_LENGTH_WORD_BYTES,
  LENGTH_PREFIX_BYTES,
} from './frame-layout';
import { RemotingCommand } from './remoting-command';
import { FrameTooLargeError, RemotingDecodeError } from './remoting-errors';
import { IllegalStateError } from '../../common/errors';

export interface FrameDecoderOptions {
  /** Largest frame accepted, counting its 4-byte length prefix (as Netty does). Default 16 MiB. */
  readonly maxFrameLengthBytes?: number;
}

export interface FrameDecodeResult {
  /** Commands completed by this chunk, in stream order (also those before an error). */
  readonly commands: readonly RemotingCommand[];
  /** Set once the stream is broken; the connection must be closed. */
  readonly error: RemotingDecodeError | undefined;
}

export class FrameDecoder {
  readonly maxFrameLengthBytes: number;
  readonly #chunks: Buffer[] = [];
  /** Index in #chunks of the first chunk with unread bytes. */
  #head = 0;
  /** Bytes already read from #chunks[#head]. */
  #headOffset = 0;
  #buffered = 0;
  /** Content length of the frame whose prefix has been read, or undefined while reading a prefix. */
  #contentLength: number | undefined;
  #error: RemotingDecodeError | undefined;

  constructor(options: FrameDecoderOptions = {}) {
    const max = options.maxFrameLengthBytes ?? DEFAULT_MAX_FRAME_LENGTH_BYTES;
    const min = LENGTH_PREFIX_BYTES + HEADER_LENGTH_WORD_BYTES;
    if (!Number.isSafeInteger(max) || max < min) {
      throw new IllegalStateError(
        `maxFrameLengthBytes must be an integer of at least ${min} (the smallest frame), got ${max}`,
      );
    }
    this.maxFrameLengthBytes = max;
  }

  /** Bytes received but not yet part of a returned command. */
  get bufferedBytes(): number {
    return this.#buffered;
  }

  /** The error that broke the stream, if one did. */
  get error(): RemotingDecodeError | undefined {
    return this.#error;
  }

  push(chunk: Buffer): FrameDecodeResult {
    if (this.#error !== undefined) return { commands: [], error: this.#error };
    if (chunk.length > 0) {
      this.#chunks.push(chunk);
      this.#buffered += chunk.length;
    }
    const commands: RemotingCommand[] = [];
    for (;;) {
      if (this.#contentLength === undefined) {
        if (this.#buffered < LENGTH_PREFIX_BYTES) break;
        const length = this.#take(LENGTH_PREFIX_BYTES).readInt32BE(0);
        const problem = this.#checkLength(length);
        if (problem !== undefined) return this.#fail(commands, problem);
        this.#contentLength = length;
      }
      if (this.#buffered < this.#contentLength) break;
      const content = this.#take(this.#contentLength);
      this.#contentLength = undefined;
      const command = decodeCommand(content);
      if (!command.ok) return this.#fail(commands, command.error);
      commands.push(command.value);
    }
    return { commands, error: undefined };
  }

  #checkLength(length: number): RemotingDecodeError | undefined {
    if (length < HEADER_LENGTH_WORD_BYTES) {
      return new RemotingDecodeError(
        'frame-length-invalid',
        `remoting frame length ${length} is less than its ${HEADER_LENGTH_WORD_BYTES}-byte header-length word`,
      );
    }
    const frameLength = length + LENGTH_PREFIX_BYTES;
    if (frameLength > this.maxFrameLengthBytes)
      return new FrameTooLargeError(frameLength, this.maxFrameLengthBytes);
    return undefined;
  }

  #fail(commands: RemotingCommand[], error: RemotingDecodeError): FrameDecodeResult {
    this.#error = error;
    this.#chunks.length = 0;
    this.#head = 0;
    this.#headOffset = 0;
    this.#buffered = 0;
    this.#contentLength = undefined;
    return { commands, error };
  }

  /** The next `n` buffered bytes (n ≤ #buffered): a view when they lie in one chunk, else a copy. */
  #take(n: number): Buffer {
    const first = this.#chunks[this.#head] as Buffer;
    let result: Buffer;
    if (first.length - this.#headOffset >= n) {
      result = first.subarray(this.#headOffset, this.#headOffset + n);
      this.#headOffset += n;
    } else {
      result = Buffer.allocUnsafe(n);
      let written = 0;
      while (written < n) {
        const chunk = this.#chunks[this.#head] as Buffer;
        const count = Math.min(chunk.length - this.#headOffset, n - written);
        chunk.copy(result, written, this.#headOffset, this.#headOffset + count);
        written += count;
        this.#headOffset += count;
        if (this.#headOffset === chunk.length) this.#advanceChunk();
      }
    }
    if (
      this.#head < this.#chunks.length &&
      this.#headOffset === (this.#chunks[this.#head] as Buffer).length
    ) {
      this.#advanceChunk();
    }
    this.#buffered -= n;
    return result;
  }

  #advanceChunk(): void {
    this.#head++;
    this.#headOffset = 0;
    if (this.#head === this.#chunks.length) {
      this.#chunks.length = 0;
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#chunks.length) {
      // Drop consumed chunks in bulk, so that shifting the array stays amortised O(1) per chunk.
      this.#chunks.splice(0, this.#head);
      this.#head = 0;
    }
  }
}
