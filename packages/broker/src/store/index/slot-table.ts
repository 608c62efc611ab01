import type { DiskFile } from '../disk/disk';
import { StoreCorruptionError } from '../store-errors';
import { HASH_SLOT_SIZE, INDEX_HEADER, SLOT_PAGE_SIZE, slotPosition } from './index-file-layout';

/** One positional write of a run of dirty pages, with the bytes copied at snapshot time. */
export interface SlotTableWrite {
  readonly position: number;
  readonly bytes: Buffer;
  readonly pages: readonly number[];
}

/** Largest single slot write: bounds the copy a flush holds per write. */
const MAX_RUN_BYTES = 1 << 20;
const READ_CHUNK_BYTES = 1 << 20;

/**
 * The slot table of the active index file, held in memory (20 MB at the default 5,000,000 slots)
 * because there is no mmap: every put reads and writes one slot, and a disk round trip per put
 * would cost more than the whole put. The buffer is the file's own big-endian image of bytes
 * [40, 40 + 4N), so a flush copies bytes without encoding.
 *
 * Dirty tracking is per 4 KiB page of the *file* (page p = file bytes [4096p, 4096p + 4096)),
 * clipped to the table: page 0 starts at byte 40, so a slot write never touches the header, whose
 * write is ordered after the slots'.
 */
export class SlotTable {
  readonly slotCount: number;
  readonly #bytes: Buffer;
  readonly #dirty: Uint8Array;
  #dirtyPages: number[] = [];

  constructor(slotCount: number, bytes: Buffer = Buffer.alloc(slotCount * HASH_SLOT_SIZE)) {
    if (bytes.length !== slotCount * HASH_SLOT_SIZE) {
      throw new RangeError(`slot table of ${slotCount} slots needs ${slotCount * HASH_SLOT_SIZE} bytes`);
    }
    this.slotCount = slotCount;
    this.#bytes = bytes;
    this.#dirty = new Uint8Array(pageOf(slotPosition(slotCount - 1)) + 1);
  }

  /** Reads the table of an index file with large positional reads. */
  static async read(file: DiskFile, slotCount: number): Promise<SlotTable> {
    const bytes = Buffer.alloc(slotCount * HASH_SLOT_SIZE);
    for (let at = 0; at < bytes.length; at += READ_CHUNK_BYTES) {
      const length = Math.min(READ_CHUNK_BYTES, bytes.length - at);
      const read = await file.read(bytes, at, length, INDEX_HEADER.SIZE + at);
      if (read !== length) {
        throw new StoreCorruptionError(
          `${file.path}: slot table ends early, at byte ${INDEX_HEADER.SIZE + at + read}`,
        );
      }
    }
    return new SlotTable(slotCount, bytes);
  }

  get(slot: number): number {
    return this.#bytes.readInt32BE(slot * HASH_SLOT_SIZE);
  }

  set(slot: number, value: number): void {
    this.#bytes.writeInt32BE(value, slot * HASH_SLOT_SIZE);
    this.#markDirty(pageOf(slotPosition(slot)));
  }

  get dirtyPageCount(): number {
    return this.#dirtyPages.length;
  }

  /**
   * Copies every dirty page, merging neighbours into one write, and clears the dirty marks. The copy
   * is what makes the flush consistent: it holds exactly the slot values of the moment it was taken,
   * while puts go on changing the live table.
   */
  takeDirty(): SlotTableWrite[] {
    const pages = this.#dirtyPages.sort((a, b) => a - b);
    this.#dirtyPages = [];
    const writes: SlotTableWrite[] = [];
    let run: number[] = [];
    const emit = (): void => {
      const first = run[0];
      const last = run[run.length - 1];
      if (first === undefined || last === undefined) return;
      const [start] = this.#pageRange(first);
      const [, end] = this.#pageRange(last);
      writes.push({
        position: INDEX_HEADER.SIZE + start,
        bytes: Buffer.from(this.#bytes.subarray(start, end)),
        pages: run,
      });
      run = [];
    };
    for (const page of pages) {
      this.#dirty[page] = 0;
      const previous = run[run.length - 1];
      if (previous !== undefined && (page !== previous + 1 || run.length * SLOT_PAGE_SIZE >= MAX_RUN_BYTES))
        emit();
      run.push(page);
    }
    emit();
    return writes;
  }

  /** Marks the pages of writes that did not complete dirty again, so a later flush redoes them. */
  restoreDirty(writes: readonly SlotTableWrite[]): void {
    for (const write of writes) for (const page of write.pages) this.#markDirty(page);
  }

  #markDirty(page: number): void {
    if (this.#dirty[page] === 1) return;
    this.#dirty[page] = 1;
    this.#dirtyPages.push(page);
  }

  /** Bytes of the table (not the file) that page `page` covers. */
  #pageRange(page: number): [number, number] {
    const start = Math.max(0, page * SLOT_PAGE_SIZE - INDEX_HEADER.SIZE);
    const end = Math.min(this.#bytes.length, (page + 1) * SLOT_PAGE_SIZE - INDEX_HEADER.SIZE);
    return [start, end];
  }
}

function pageOf(filePosition: number): number {
  return Math.floor(filePosition / SLOT_PAGE_SIZE);
}
