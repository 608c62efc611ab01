import type { DiskFile } from '../disk/disk';
import { StoreCorruptionError } from '../store-errors';
import {
  decodeIndexHeader,
  entryPosition,
  FIRST_INDEX,
  INDEX_ENTRY,
  INDEX_HEADER,
  indexFileSize,
  type IndexEntry,
  type IndexFileGeometry,
  type IndexHeader,
  readIndexEntry,
  slotOf,
} from './index-file-layout';
import type { SlotTable } from './slot-table';

/** Marks a slot being healed; no sound slot value is negative. */
const STALE = -1;
/** Entries read at a time while healing (1 MiB). */
const HEAL_READ_ENTRIES = 52_428;

/**
 * Reads and checks the header of an index file. The size must be what the configured geometry
 * gives (RocketMQ has the same requirement: slot and entry positions depend on it), and the last
 * entry the header counts must be the record the header names as its end: the header is written
 * only after every entry it counts is durable, so a mismatch is damage, not a crash.
 */
export async function readCheckedHeader(file: DiskFile, geometry: IndexFileGeometry): Promise<IndexHeader> {
  const size = await file.size();
  const expected = indexFileSize(geometry);
  if (size !== expected) {
    throw new StoreCorruptionError(
      `${file.path}: ${size} bytes, but maxHashSlotNum=${geometry.maxHashSlotNum} and ` +
        `maxIndexNum=${geometry.maxIndexNum} make ${expected}; was it written with other settings?`,
    );
  }
  const bytes = Buffer.alloc(INDEX_HEADER.SIZE);
  await readFully(file, bytes, 0);
  const stored = decodeIndexHeader(bytes);
  // RocketMQ's IndexHeader.load: a file never flushed has a zero header and no entries.
  const header = stored.indexCount <= 0 ? { ...stored, indexCount: FIRST_INDEX } : stored;
  if (header.indexCount > geometry.maxIndexNum) {
    throw new StoreCorruptionError(
      `${file.path}: header counts ${header.indexCount} entries, more than maxIndexNum=${geometry.maxIndexNum}`,
    );
  }
  if (header.indexCount > FIRST_INDEX) {
    const last = await readEntry(file, geometry, header.indexCount - 1);
    if (last.commitLogOffset !== header.endPhyOffset) {
      throw new StoreCorruptionError(
        `${file.path}: header ends at commit-log offset ${header.endPhyOffset} but its last entry ` +
          `(#${header.indexCount - 1}) points at ${last.commitLogOffset}`,
      );
    }
  }
  return header;
}

/**
 * Repairs the slot table of the active file after a flush that stopped between its slot writes
 * and its header write. Such slots hold entry numbers ≥ indexCount: entries that exist and are
 * durable (entries are synced before any slot is written) but that the header does not count and
 * that new puts will overwrite. Each must go back to the slot's head as of indexCount, which is the
 * prev link of the slot's *oldest* entry at or above indexCount: when that entry was put, the head
 * was below indexCount. One forward pass over the uncounted entries finds every such link.
 *
 * The healed pages are written and synced before the function returns, so no slot on disk points
 * at an entry that a later put may overwrite. Returns the number of slots healed.
 */
export async function healSlotTable(
  file: DiskFile,
  geometry: IndexFileGeometry,
  slots: SlotTable,
  indexCount: number,
): Promise<number> {
  let stale = 0;
  let highest = 0;
  for (let slot = 0; slot < slots.slotCount; slot++) {
    const value = slots.get(slot);
    if (value < 0) throw new StoreCorruptionError(`${file.path}: slot ${slot} holds ${value}`);
    if (value < indexCount) continue;
    slots.set(slot, STALE);
    stale++;
    highest = Math.max(highest, value);
  }
  if (stale === 0) return 0;
  if (highest >= geometry.maxIndexNum) {
    throw new StoreCorruptionError(`${file.path}: a slot points at entry ${highest}, past maxIndexNum`);
  }
  const healed = stale;
  const buffer = Buffer.allocUnsafe(HEAL_READ_ENTRIES * INDEX_ENTRY.SIZE);
  for (let first = indexCount; first <= highest && stale > 0; first += HEAL_READ_ENTRIES) {
    const count = Math.min(HEAL_READ_ENTRIES, highest + 1 - first);
    await readFully(file, buffer.subarray(0, count * INDEX_ENTRY.SIZE), entryPosition(geometry, first));
    for (let i = 0; i < count && stale > 0; i++) {
      const entry = readIndexEntry(buffer, i * INDEX_ENTRY.SIZE);
      if (entry.keyHash < 0)
        throw new StoreCorruptionError(`${file.path}: entry ${first + i} has a negative key hash`);
      const slot = slotOf(geometry, entry.keyHash);
      if (slots.get(slot) !== STALE) continue;
      if (entry.prevIndex < 0 || entry.prevIndex >= indexCount) {
        throw new StoreCorruptionError(
          `${file.path}: entry ${first + i}, the oldest uncounted one of slot ${slot}, links to ${entry.prevIndex}`,
        );
      }
      slots.set(slot, entry.prevIndex);
      stale--;
    }
  }
  if (stale > 0) {
    throw new StoreCorruptionError(
      `${file.path}: ${stale} slots point past indexCount at entries of other slots`,
    );
  }
  for (const write of slots.takeDirty()) await file.write(write.bytes, 0, write.bytes.length, write.position);
  await file.datasync();
  return healed;
}

export async function readEntry(
  file: DiskFile,
  geometry: IndexFileGeometry,
  indexNo: number,
): Promise<IndexEntry> {
  const bytes = Buffer.allocUnsafe(INDEX_ENTRY.SIZE);
  await readFully(file, bytes, entryPosition(geometry, indexNo));
  return readIndexEntry(bytes, 0);
}

export async function readInt32(file: DiskFile, position: number): Promise<number> {
  const bytes = Buffer.allocUnsafe(4);
  await readFully(file, bytes, position);
  return bytes.readInt32BE(0);
}

async function readFully(file: DiskFile, target: Buffer, position: number): Promise<void> {
  const read = await file.read(target, 0, target.length, position);
  if (read !== target.length) {
    throw new StoreCorruptionError(`${file.path}: ends at byte ${position + read}, inside the index file`);
  }
}
