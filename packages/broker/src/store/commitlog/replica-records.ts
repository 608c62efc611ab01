// What a slave does with the commit-log bytes its master streams (HA replication, facts §7.3): the
// stream is the master's log cut into chunks at arbitrary byte positions, so a chunk may end inside
// a record. This splits data into the whole records it holds from a given offset on, verifying
// each as recovery does (magic, sizes, CRC, text) and that it lies at its own PHYSICALOFFSET and
// fits its segment; the caller keeps the incomplete tail for the next chunk.
//
//   segment k                                                    segment k+1
//   |record|record|record|...|record|BLANK 8 B|zeros ... zeros|   |record|...
//                                   ^ blank: TOTALSIZE = bytes left in the segment
//
// After a blank record the master streams the zeros up to the segment end too (RocketMQ does);
// they carry nothing, so the split ends after the blank at the segment end and the caller skips
// whatever bytes it is sent below that.

import {
  decodeStoredMessage,
  type DecodedStoredMessage,
} from '../../protocol/message/stored-message-decoder';
import { BLANK_RECORD_SIZE } from '../../protocol/message/stored-message-layout';
import { KeelError } from '../../common/errors';
import { StoreErrorCodes } from '../store-errors';

export type ReplicaPiece =
  | {
      readonly kind: 'record';
      readonly offset: number;
      /** The record as stored, a view into the caller's data. */
      readonly bytes: Buffer;
      /** Decoded without its body: what dispatch needs. */
      readonly message: DecodedStoredMessage;
    }
  | { readonly kind: 'blank'; readonly offset: number; readonly bytes: Buffer };

export interface ReplicaSplit {
  readonly pieces: readonly ReplicaPiece[];
  /** Offset after the last whole piece; after a blank record, the end of its segment. */
  readonly end: number;
  /** Bytes the record at `end` needs in all, when the data stops inside it; 0 otherwise. */
  readonly needed: number;
}

/**
 * The whole records of `data` (which starts at log offset `dataOffset`) from offset `from` on.
 * Throws a KeelError (REPLICA_DATA_INVALID) naming the offset and the problem when the bytes are
 * not what a master's log holds there: replication must stop rather than store them.
 */
export function splitReplicatedRecords(
  data: Buffer,
  dataOffset: number,
  from: number,
  segmentSizeBytes: number,
): ReplicaSplit {
  if (from < dataOffset) {
    throw new RangeError(`cannot split from ${from}: the data starts at ${dataOffset}`);
  }
  const pieces: ReplicaPiece[] = [];
  const dataEnd = dataOffset + data.length;
  let position = from;
  while (position < dataEnd) {
    const at = position - dataOffset;
    const leftInSegment = segmentSizeBytes - (position % segmentSizeBytes);
    const result = decodeStoredMessage(data, at, {
      withBody: false,
      checkCrc: true,
      checkText: true,
      maxTotalSize: leftInSegment - BLANK_RECORD_SIZE,
    });
    if (result.kind === 'incomplete') return { pieces, end: position, needed: result.needed };
    if (result.kind === 'corrupt') {
      throw invalid(position, `${result.reason} (${result.detail})`);
    }
    if (result.kind === 'blank') {
      if (result.size !== leftInSegment) {
        throw invalid(
          position,
          `a blank record of ${result.size} bytes where ${leftInSegment} are left in the segment: ` +
            `the master's mappedFileSizeCommitLog differs from this slave's ${segmentSizeBytes}; set them equal`,
        );
      }
      pieces.push({ kind: 'blank', offset: position, bytes: data.subarray(at, at + BLANK_RECORD_SIZE) });
      position += leftInSegment;
      continue;
    }
    const { message } = result;
    if (message.physicalOffset !== position) {
      throw invalid(
        position,
        `the record says it lies at ${message.physicalOffset}: this slave's log and its master's differ ` +
          '(was the slave copied from another master, or the master restored from an older backup?)',
      );
    }
    pieces.push({ kind: 'record', offset: position, bytes: data.subarray(at, at + result.size), message });
    position += result.size;
  }
  return { pieces, end: position, needed: 0 };
}

function invalid(offset: number, problem: string): KeelError {
  return new KeelError(
    StoreErrorCodes.REPLICA_DATA_INVALID,
    `replicated commit-log data at offset ${offset} is not a valid record: ${problem}`,
  );
}
