import { dirname, basename } from 'node:path';
import { IllegalStateError } from '../../common/errors';
import { indexKeyHash } from '../../protocol/message/java-string-hash';
import type { Disk, DiskFile } from '../disk/disk';
import { EntryBuffer, type EntryChunk } from './entry-buffer';
import {
  checkIndexFileGeometry,
  encodeIndexHeader,
  entryPosition,
  entryTimestampMs,
  FIRST_INDEX,
  INDEX_ENTRY,
  INDEX_HEADER,
  indexFileSize,
  type IndexFileGeometry,
  type IndexHeader,
  indexTimeDiffSeconds,
  INVALID_INDEX,
  slotOf,
  slotPosition,
} from './index-file-layout';
import { CREATING_SUFFIX } from './index-file-name';
import { healSlotTable, readCheckedHeader, readEntry, readInt32 } from './index-file-recovery';
import { SlotTable } from './slot-table';

export interface IndexFileOptions {
  readonly disk: Disk;
  readonly path: string;
  readonly geometry: IndexFileGeometry;
  /**
   * Awaited before a flush writes anything, with the end offset it is about to make durable. The
   * store resolves it once the commit log is durable through that record, so the index never
   * points past what commit-log recovery keeps (see IndexService for why that matters).
   */
  readonly ensureCommitLogDurable?: (endPhyOffset: number) => Promise<void>;
}

export interface CreateIndexFileOptions extends IndexFileOptions {
  /** End of the previous file; seeds begin and end as RocketMQ's IndexFile constructor does. */
  readonly seedEndPhyOffset: number;
  readonly seedEndTimestampMs: number;
}

interface ActiveState {
  readonly slots: SlotTable;
  readonly entries: EntryBuffer;
}

type MutableHeader = { -readonly [K in keyof IndexHeader]: IndexHeader[K] };

const INT32_MAX = 0x7fffffff;

/**
 * One index file. Two modes, because only the newest file takes puts:
 *
 *  - active: the slot table lives in memory (dirty pages tracked) and new entries are buffered,
 *    then written by `writeBack` (no sync) or `flush`. `flush` makes one consistent instant durable:
 *
 *        entries ─datasync─► dirty slot pages ─datasync─► header (counts, ends) ─datasync
 *
 *    Each barrier keeps a reference from becoming durable before what it refers to: a slot before
 *    its entry, a header (whose indexCount says which entries exist and whose endPhyOffset says
 *    which records re-dispatch may skip) before the slots that reach those entries. A crash between
 *    slots and header leaves slots ≥ indexCount, which loading heals (index-file-recovery.ts).
 *    We rely on a write within one 512-byte sector landing whole or not at all (as PostgreSQL does
 *    for pg_control): the header is one 40-byte write in sector 0, and no 4-byte-aligned slot int
 *    straddles a sector. Everything else may tear anywhere.
 *  - sealed (full, older files): nothing in memory but the header; a lookup reads one slot
 *    (4 bytes) and then one entry (20 bytes) per chain link with positional reads.
 *
 * Write-back, flush, seal and close run one at a time in call order; puts and queries run between
 * them and are never blocked by disk I/O.
 */
export class IndexFile {
  readonly path: string;
  /** The file name: creation time as yyyyMMddHHmmssSSS. */
  readonly name: string;
  readonly #file: DiskFile;
  readonly #geometry: IndexFileGeometry;
  readonly #ensureDurable: ((endPhyOffset: number) => Promise<void>) | undefined;
  readonly #header: MutableHeader;
  #durable: IndexHeader;
  #active: ActiveState | undefined;
  #io: Promise<void> = Promise.resolve();
  #closed = false;

  private constructor(
    options: IndexFileOptions,
    geometry: IndexFileGeometry,
    file: DiskFile,
    header: IndexHeader,
    active: ActiveState | undefined,
  ) {
    this.path = options.path;
    this.name = basename(options.path);
    this.#file = file;
    this.#geometry = geometry;
    this.#ensureDurable = options.ensureCommitLogDurable;
    this.#header = { ...header };
    this.#durable = header;
    this.#active = active;
  }

  /**
   * Creates an empty active file at full size. It is built under a temporary name and renamed into
   * place once durable, so a file under an index name is always complete.
   */
  static async create(options: CreateIndexFileOptions): Promise<IndexFile> {
    const geometry = checkIndexFileGeometry(options.geometry);
    const { disk, path } = options;
    const header = seededHeader(options.seedEndPhyOffset, options.seedEndTimestampMs);
    const temporary = `${path}${CREATING_SUFFIX}`;
    // A leftover of a creation cut short may hold old bytes; start from nothing.
    await disk.remove(temporary);
    const building = await disk.open(temporary);
    await closeAfter(building, async () => {
      await building.truncate(indexFileSize(geometry));
      await building.write(encodeIndexHeader(header), 0, INDEX_HEADER.SIZE, 0);
      await building.datasync();
    });
    await disk.rename(temporary, path);
    await disk.syncDirectory(dirname(path));
    const file = await disk.openExisting(path);
    const active = {
      slots: new SlotTable(geometry.maxHashSlotNum),
      entries: new EntryBuffer(header.indexCount),
    };
    return new IndexFile(options, geometry, file, header, active);
  }

  /** Opens an existing file; the active one gets its slot table loaded (and healed if needed). */
  static async open(options: IndexFileOptions & { readonly active: boolean }): Promise<IndexFile> {
    const geometry = checkIndexFileGeometry(options.geometry);
    const file = await options.disk.openExisting(options.path);
    try {
      const header = await readCheckedHeader(file, geometry);
      if (!options.active) return new IndexFile(options, geometry, file, header, undefined);
      const slots = await SlotTable.read(file, geometry.maxHashSlotNum);
      await healSlotTable(file, geometry, slots, header.indexCount);
      return new IndexFile(options, geometry, file, header, {
        slots,
        entries: new EntryBuffer(header.indexCount),
      });
    } catch (error) {
      return closeAndRethrow(file, error);
    }
  }

  get beginTimestampMs(): number {
    return this.#header.beginTimestampMs;
  }
  get endTimestampMs(): number {
    return this.#header.endTimestampMs;
  }
  get beginPhyOffset(): number {
    return this.#header.beginPhyOffset;
  }
  get endPhyOffset(): number {
    return this.#header.endPhyOffset;
  }
  get hashSlotCount(): number {
    return this.#header.hashSlotCount;
  }
  /** Number of the next entry; entries 1 .. indexCount − 1 exist. */
  get indexCount(): number {
    return this.#header.indexCount;
  }
  /** The header as of the last completed flush. */
  get durableHeader(): IndexHeader {
    return this.#durable;
  }
  get isActive(): boolean {
    return this.#active !== undefined;
  }
  get isEmpty(): boolean {
    return this.#header.indexCount <= FIRST_INDEX;
  }
  /** RocketMQ's isWriteFull. */
  get isFull(): boolean {
    return this.#header.indexCount >= this.#geometry.maxIndexNum;
  }
  get remainingCapacity(): number {
    return Math.max(0, this.#geometry.maxIndexNum - this.#header.indexCount);
  }
  /** Bytes of entries put but not yet handed to the file. */
  get bufferedEntryBytes(): number {
    return this.#active?.entries.bufferedBytes ?? 0;
  }

  /** Indexes `key` (already `topic#key`); false when the file is full. */
  put(key: string, commitLogOffset: number, storeTimestampMs: number): boolean {
    return this.putHash(indexKeyHash(key), commitLogOffset, storeTimestampMs);
  }

  putHash(keyHash: number, commitLogOffset: number, storeTimestampMs: number): boolean {
    const active = this.#requireActive('put into');
    checkPut(keyHash, commitLogOffset, storeTimestampMs);
    const header = this.#header;
    if (header.indexCount >= this.#geometry.maxIndexNum) return false;
    const slot = slotOf(this.#geometry, keyHash);
    const prevIndex = active.slots.get(slot);
    // RocketMQ sets begin after computing the first entry's timeDiff, against the seed (the previous
    // file's end); setting it first makes that timeDiff 0, which is the entry's real offset in time.
    if (header.indexCount <= FIRST_INDEX) {
      header.beginPhyOffset = commitLogOffset;
      header.beginTimestampMs = storeTimestampMs;
    }
    const timeDiffSeconds = indexTimeDiffSeconds(storeTimestampMs, header.beginTimestampMs);
    active.entries.append({ keyHash, commitLogOffset, timeDiffSeconds, prevIndex });
    active.slots.set(slot, header.indexCount);
    if (prevIndex === INVALID_INDEX) header.hashSlotCount++;
    header.indexCount++;
    header.endPhyOffset = commitLogOffset;
    header.endTimestampMs = storeTimestampMs;
    return true;
  }

  query(key: string, beginMs: number, endMs: number, maxNum: number): Promise<number[]> {
    return this.queryHash(indexKeyHash(key), beginMs, endMs, maxNum);
  }

  /**
   * Commit-log offsets of entries with this key hash stored within [beginMs, endMs], newest first,
   * at most `maxNum` (`IndexFile.selectPhyOffset`). Hash matches only: callers compare real keys.
   * The walk stops at the chain's end or at the first entry older than beginMs, whatever its key.
   * Unlike RocketMQ, a record is returned once even when several of its keys share the hash.
   */
  async queryHash(keyHash: number, beginMs: number, endMs: number, maxNum: number): Promise<number[]> {
    if (this.#closed) throw new IllegalStateError(`${this.path}: index file is closed`);
    const found: number[] = [];
    const count = this.#header.indexCount;
    const beginTimestampMs = this.#header.beginTimestampMs;
    if (maxNum <= 0 || count <= FIRST_INDEX) return found;
    const entries = this.#active?.entries;
    const slot = slotOf(this.#geometry, keyHash);
    const head = this.#active?.slots.get(slot) ?? (await readInt32(this.#file, slotPosition(slot)));
    if (head <= INVALID_INDEX || head >= count) return found;
    for (let next = head; found.length < maxNum;) {
      const entry = entries?.read(next) ?? (await readEntry(this.#file, this.#geometry, next));
      if (entry.timeDiffSeconds < 0) break;
      const time = entryTimestampMs(beginTimestampMs, entry.timeDiffSeconds);
      const matches = entry.keyHash === keyHash && time >= beginMs && time <= endMs;
      // Keys of one record sharing a hash have adjacent entries in the chain; reporting the record
      // once spares the caller reading it twice (RocketMQ reports it once per key).
      if (matches && found[found.length - 1] !== entry.commitLogOffset) found.push(entry.commitLogOffset);
      // Links strictly decrease in a sound file; anything else ends the walk rather than looping.
      if (entry.prevIndex <= INVALID_INDEX || entry.prevIndex >= next || time < beginMs) break;
      next = entry.prevIndex;
    }
    return found;
  }

  /** Whether [beginMs, endMs] overlaps the file's time range (RocketMQ's isTimeMatched). */
  isTimeMatched(beginMs: number, endMs: number): boolean {
    const { beginTimestampMs: begin, endTimestampMs: end } = this.#header;
    return (
      (beginMs < begin && endMs > end) ||
      (beginMs >= begin && beginMs <= end) ||
      (endMs >= begin && endMs <= end)
    );
  }

  /** Hands buffered entries to the file without syncing, bounding the memory they take. */
  writeBack(): Promise<void> {
    return this.#serialize(() => this.#writeBufferedEntries());
  }

  /** Makes every put made before this call's turn durable, in the crash-safe order above. */
  flush(): Promise<void> {
    return this.#serialize(() => this.#flushNow());
  }

  /** Flushes and drops the in-memory state: the file is full and a newer one takes the puts. */
  seal(): Promise<void> {
    return this.#serialize(async () => {
      await this.#flushNow();
      this.#active = undefined;
    });
  }

  /** Flushes (if active) and closes the file; closing a closed file does nothing. */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return this.#serialize(async () => {
      if (this.#closed) return;
      await this.#flushNow();
      this.#closed = true;
      this.#active = undefined;
      await this.#file.close();
    });
  }

  async #flushNow(): Promise<void> {
    const active = this.#active;
    if (active === undefined) return;
    // The snapshot is taken synchronously, so it is one instant: the slot copies hold exactly the
    // values of the entries below header.indexCount, whatever puts happen during the writes.
    const header: IndexHeader = { ...this.#header };
    if (sameHeader(header, this.#durable) && active.slots.dirtyPageCount === 0) return;
    const chunks = active.entries.sealAll();
    const slotWrites = active.slots.takeDirty();
    try {
      await this.#ensureDurable?.(header.endPhyOffset);
      for (const chunk of chunks) await this.#writeChunk(active, chunk);
      await this.#file.datasync();
      for (const write of slotWrites)
        await this.#file.write(write.bytes, 0, write.bytes.length, write.position);
      await this.#file.datasync();
      await this.#file.write(encodeIndexHeader(header), 0, INDEX_HEADER.SIZE, 0);
      await this.#file.datasync();
      this.#durable = header;
    } catch (error) {
      // The pages' new values may not have reached the disk; the next flush writes them again.
      active.slots.restoreDirty(slotWrites);
      throw error;
    }
  }

  async #writeBufferedEntries(): Promise<void> {
    const active = this.#active;
    if (active === undefined) return;
    for (const chunk of active.entries.sealAll()) await this.#writeChunk(active, chunk);
  }

  async #writeChunk(active: ActiveState, chunk: EntryChunk): Promise<void> {
    const position = entryPosition(this.#geometry, chunk.firstIndex);
    await this.#file.write(chunk.bytes, 0, chunk.count * INDEX_ENTRY.SIZE, position);
    active.entries.dropWritten(chunk);
  }

  #serialize(operation: () => Promise<void>): Promise<void> {
    if (this.#closed) return Promise.reject(new IllegalStateError(`${this.path}: index file is closed`));
    const run = this.#io.then(operation);
    // A failure reaches the caller of that operation through `run`; the queue must go on.
    this.#io = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  #requireActive(action: string): ActiveState {
    if (this.#closed) throw new IllegalStateError(`${this.path}: index file is closed`);
    if (this.#active === undefined)
      throw new IllegalStateError(`cannot ${action} sealed index file ${this.path}`);
    return this.#active;
  }
}

function seededHeader(endPhyOffset: number, endTimestampMs: number): IndexHeader {
  return {
    beginTimestampMs: Math.max(0, endTimestampMs),
    endTimestampMs: Math.max(0, endTimestampMs),
    beginPhyOffset: Math.max(0, endPhyOffset),
    endPhyOffset: Math.max(0, endPhyOffset),
    hashSlotCount: 0,
    indexCount: FIRST_INDEX,
  };
}

function sameHeader(a: IndexHeader, b: IndexHeader): boolean {
  return (
    a.indexCount === b.indexCount &&
    a.hashSlotCount === b.hashSlotCount &&
    a.beginTimestampMs === b.beginTimestampMs &&
    a.endTimestampMs === b.endTimestampMs &&
    a.beginPhyOffset === b.beginPhyOffset &&
    a.endPhyOffset === b.endPhyOffset
  );
}

function checkPut(keyHash: number, commitLogOffset: number, storeTimestampMs: number): void {
  if (!Number.isInteger(keyHash) || keyHash < 0 || keyHash > INT32_MAX) {
    throw new RangeError(`key hash must be an int from 0 to ${INT32_MAX}, got ${keyHash}`);
  }
  if (!Number.isSafeInteger(commitLogOffset) || commitLogOffset < 0) {
    throw new RangeError(`commit-log offset must be a non-negative safe integer, got ${commitLogOffset}`);
  }
  if (!Number.isSafeInteger(storeTimestampMs) || storeTimestampMs < 0) {
    throw new RangeError(`store timestamp must be a non-negative safe integer, got ${storeTimestampMs}`);
  }
}

/** Runs `body`, then closes `file`; a failure to close after a failure does not hide the first. */
async function closeAfter(file: DiskFile, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    return closeAndRethrow(file, error);
  }
  await file.close();
}

async function closeAndRethrow(file: DiskFile, error: unknown): Promise<never> {
  try {
    await file.close();
  } catch (closeError) {
    throw new AggregateError([error, closeError], `${file.path}: closing after a failure failed too`, {
      cause: error,
    });
  }
  throw error;
}
