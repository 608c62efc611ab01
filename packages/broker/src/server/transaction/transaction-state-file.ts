// config/transactionState.json: a snapshot of the half-message table and how far it had read the
// three transaction queues, so a restart reads only what was written after it (Keel's own file;
// RocketMQ keeps check counts in re-appended half messages instead, see docs/transactions.md).
//
//   {
//     "version": 1,
//     "halfQueueOffset": 120,   every half message below this offset is in "open" or resolved
//     "opQueueOffset": 97,      every op record below this offset is applied
//     "parkQueueOffset": 3,     every parked copy below this offset is applied
//     "open": [                 the unresolved half messages below halfQueueOffset:
//       [17, 5242, 15, 1700000900000, "PARKED"],
//       [118, 90112, 1, 1700001060000, "PREPARED"]
//     ]                         [halfOffset, commitLogOffset, checks, lastCheckAt|null, state]
//   }
//
// Written atomically (temp file, fsync, rename) after every check round and at shutdown. After a
// crash the snapshot is at most one round old: the rebuild reads the queues from its offsets, so no
// resolution is lost; only checks sent since it was written are counted again.

import type { Disk } from '../../store/disk/disk';
import { readJsonFile, writeJsonAtomically } from '../../store/metadata/atomic-json-file';
import { MetadataFormatError } from '../../store/metadata/metadata-errors';
import type { JsonValue } from '../../store/metadata/tolerant-json';
import { HalfMessageState } from './half-message-state';

export const TRANSACTION_STATE_FILE_NAME = 'transactionState.json';
const FORMAT_VERSION = 1;

export interface SnapshotEntry {
  readonly halfOffset: number;
  readonly commitLogOffset: number;
  readonly checks: number;
  readonly lastCheckAt: number | undefined;
  readonly state: typeof HalfMessageState.PREPARED | typeof HalfMessageState.PARKED;
}

export interface TransactionSnapshot {
  readonly halfQueueOffset: number;
  readonly opQueueOffset: number;
  readonly parkQueueOffset: number;
  readonly open: readonly SnapshotEntry[];
}

export async function readTransactionSnapshot(
  disk: Disk,
  path: string,
): Promise<{ readonly snapshot: TransactionSnapshot; readonly fromBackup: boolean } | undefined> {
  const read = await readJsonFile(disk, path, {
    description: 'transaction check state',
    decode: decodeSnapshot,
  });
  return read === undefined ? undefined : { snapshot: read.value, fromBackup: read.source === 'backup' };
}

export function writeTransactionSnapshot(
  disk: Disk,
  path: string,
  snapshot: TransactionSnapshot,
): Promise<void> {
  return writeJsonAtomically(disk, path, {
    version: FORMAT_VERSION,
    halfQueueOffset: snapshot.halfQueueOffset,
    opQueueOffset: snapshot.opQueueOffset,
    parkQueueOffset: snapshot.parkQueueOffset,
    open: snapshot.open.map((entry) => [
      entry.halfOffset,
      entry.commitLogOffset,
      entry.checks,
      entry.lastCheckAt ?? null,
      entry.state,
    ]),
  });
}

function decodeSnapshot(json: JsonValue): TransactionSnapshot {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new MetadataFormatError(
      'expected an object with halfQueueOffset, opQueueOffset, parkQueueOffset, open',
    );
  }
  const root = json as { readonly [key: string]: JsonValue | undefined };
  if (root['version'] !== FORMAT_VERSION) {
    throw new MetadataFormatError(
      `version ${JSON.stringify(root['version'])} is not ${FORMAT_VERSION}, the only version this broker reads`,
    );
  }
  const open = root['open'];
  if (!Array.isArray(open)) throw new MetadataFormatError('open: expected an array');
  return {
    halfQueueOffset: offsetAt(root['halfQueueOffset'], 'halfQueueOffset'),
    opQueueOffset: offsetAt(root['opQueueOffset'], 'opQueueOffset'),
    parkQueueOffset: offsetAt(root['parkQueueOffset'], 'parkQueueOffset'),
    open: open.map((item, i) => decodeEntry(item, `open[${i}]`)),
  };
}

function decodeEntry(json: JsonValue, where: string): SnapshotEntry {
  if (!Array.isArray(json) || json.length !== 5) {
    throw new MetadataFormatError(
      `${where}: expected [halfOffset, commitLogOffset, checks, lastCheckAt, state]`,
    );
  }
  const [halfOffset, commitLogOffset, checks, lastCheckAt, state] = json as readonly JsonValue[];
  if (state !== HalfMessageState.PREPARED && state !== HalfMessageState.PARKED) {
    throw new MetadataFormatError(
      `${where}[4]: expected "PREPARED" or "PARKED", found ${JSON.stringify(state)}`,
    );
  }
  return {
    halfOffset: offsetAt(halfOffset, `${where}[0]`),
    commitLogOffset: offsetAt(commitLogOffset, `${where}[1]`),
    checks: offsetAt(checks, `${where}[2]`),
    lastCheckAt:
      lastCheckAt === null || lastCheckAt === undefined ? undefined : offsetAt(lastCheckAt, `${where}[3]`),
    state,
  };
}

function offsetAt(json: JsonValue | undefined, where: string): number {
  if (typeof json !== 'number' || !Number.isSafeInteger(json) || json < 0) {
    throw new MetadataFormatError(
      `${where}: expected a whole number of at least 0, found ${JSON.stringify(json)}`,
    );
  }
  return json;
}
