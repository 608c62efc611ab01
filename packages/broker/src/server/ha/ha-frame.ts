// The HA replication wire (facts §7.3): raw TCP on haListenPort, not the remoting protocol. All
// integers big-endian.
//
//   slave → master, repeated:   | slaveMaxOffset int64 |                      8 bytes each
//
//   master → slave, repeated:   | masterPhyOffset int64 | size int32 | size bytes of commit log |
//                                 0                       8            12
//
// A report is the end of the slave's commit log (the first one tells the master where to start).
// A frame carries the master's log from masterPhyOffset on, cut at any byte; size 0 is a
// heartbeat. The decoders below take byte chunks as the socket delivers them (split anywhere,
// several frames at once) and hold no socket.

import { HaError, HaErrorCodes } from './ha-errors';

export const HA_REPORT_SIZE = 8;
export const HA_FRAME_HEADER_SIZE = 8 + 4;
/** A frame larger than this is a broken stream, not data: haTransferBatchSize is at most 16 MiB. */
export const HA_MAX_FRAME_BODY_BYTES = 16 * 1024 * 1024;

export interface TransferFrame {
  /** Commit-log offset of data[0] on the master. */
  readonly masterOffset: number;
  /** Empty for a heartbeat. */
  readonly data: Buffer;
}

export function encodeOffsetReport(offset: number): Buffer {
  const report = Buffer.allocUnsafe(HA_REPORT_SIZE);
  report.writeBigInt64BE(BigInt(checkOffset(offset)), 0);
  return report;
}

/** The 12-byte header of a frame; the data is written after it as is (no copy). */
export function encodeTransferHeader(masterOffset: number, size: number): Buffer {
  if (!Number.isInteger(size) || size < 0 || size > HA_MAX_FRAME_BODY_BYTES) {
    throw new RangeError(`an HA frame carries 0 to ${HA_MAX_FRAME_BODY_BYTES} bytes, not ${size}`);
  }
  const header = Buffer.allocUnsafe(HA_FRAME_HEADER_SIZE);
  header.writeBigInt64BE(BigInt(checkOffset(masterOffset)), 0);
  header.writeInt32BE(size, 8);
  return header;
}

/** The master's side: the slave's offset reports out of a byte stream. */
export class OffsetReportDecoder {
  #partial: Buffer = Buffer.alloc(0);

  /** The reports completed by `chunk`, oldest first; throws HaError on a negative offset. */
  push(chunk: Buffer): number[] {
    const bytes = this.#partial.length === 0 ? chunk : Buffer.concat([this.#partial, chunk]);
    const reports: number[] = [];
    let at = 0;
    for (; at + HA_REPORT_SIZE <= bytes.length; at += HA_REPORT_SIZE) {
      reports.push(readOffset(bytes, at, 'slave offset report'));
    }
    this.#partial = Buffer.from(bytes.subarray(at));
    return reports;
  }
}

/** The slave's side: transfer frames out of a byte stream. */
export class TransferFrameDecoder {
  readonly #chunks: Buffer[] = [];
  #buffered = 0;

  /** The frames completed by `chunk`, in order; throws HaError when the stream is not frames. */
  push(chunk: Buffer): TransferFrame[] {
    if (chunk.length > 0) {
      this.#chunks.push(chunk);
      this.#buffered += chunk.length;
    }
    const frames: TransferFrame[] = [];
    for (;;) {
      if (this.#buffered < HA_FRAME_HEADER_SIZE) return frames;
      const header = this.#peek(HA_FRAME_HEADER_SIZE);
      const masterOffset = readOffset(header, 0, 'transfer frame offset');
      const size = header.readInt32BE(8);
      if (size < 0 || size > HA_MAX_FRAME_BODY_BYTES) {
        throw new HaError(
          HaErrorCodes.PROTOCOL,
          `transfer frame of ${size} bytes at master offset ${masterOffset}: not an HA stream (is haMasterAddress the master's listenPort + 1?)`,
        );
      }
      if (this.#buffered < HA_FRAME_HEADER_SIZE + size) return frames;
      this.#take(HA_FRAME_HEADER_SIZE);
      frames.push({ masterOffset, data: size === 0 ? Buffer.alloc(0) : this.#take(size) });
    }
  }

  /** The first `length` buffered bytes, joined only when they span chunks. */
  #peek(length: number): Buffer {
    const first = this.#chunks[0]!;
    if (first.length >= length) return first.subarray(0, length);
    const joined = Buffer.concat(this.#chunks);
    this.#chunks.length = 0;
    this.#chunks.push(joined);
    return joined.subarray(0, length);
  }

  #take(length: number): Buffer {
    const bytes = this.#peek(length);
    const first = this.#chunks[0]!;
    if (first.length === length) this.#chunks.shift();
    else this.#chunks[0] = first.subarray(length);
    this.#buffered -= length;
    return bytes;
  }
}

function readOffset(bytes: Buffer, at: number, what: string): number {
  const value = bytes.readBigInt64BE(at);
  if (value < 0n || value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new HaError(
      HaErrorCodes.PROTOCOL,
      `${what} ${value} is not a commit-log offset: not an HA stream (is the address the HA port, listenPort + 1?)`,
    );
  }
  return Number(value);
}

function checkOffset(offset: number): number {
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new RangeError(`a commit-log offset is a non-negative safe integer, not ${offset}`);
  }
  return offset;
}
