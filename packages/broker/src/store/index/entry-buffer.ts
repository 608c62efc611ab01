import { IllegalStateError } from '../../common/errors';
import { INDEX_ENTRY, type IndexEntry, readIndexEntry, writeIndexEntry } from './index-file-layout';

/** Entries per chunk: 80 KiB, a write large enough to be cheap and small enough to be quick. */
const CHUNK_ENTRIES = 4096;

/** A run of consecutive entries not yet in the file. Sealed chunks never change again. */
export interface EntryChunk {
  readonly firstIndex: number;
  readonly bytes: Buffer;
  count: number;
  sealed: boolean;
}

/**
 * New entries of the active index file, held until they are written to the file. Entries are
 * append-only and numbered consecutively, so the chunks cover [firstIndex, nextIndex) with no gap:
 * an entry below the first chunk is in the file, one at or above it is here.
 *
 * A writer seals the chunks it is about to write (later puts open a new chunk) and drops each one
 * only after its write completed, so a reader always finds an entry in one place or the other.
 */
export class EntryBuffer {
  #chunks: EntryChunk[] = [];
  #nextIndex: number;

  constructor(nextIndex: number) {
    this.#nextIndex = nextIndex;
  }

  get nextIndex(): number {
    return this.#nextIndex;
  }

  /** Number of the oldest entry held here (equals nextIndex when empty). */
  get firstIndex(): number {
    return this.#chunks[0]?.firstIndex ?? this.#nextIndex;
  }

  get bufferedBytes(): number {
    return (this.#nextIndex - this.firstIndex) * INDEX_ENTRY.SIZE;
  }

  append(entry: IndexEntry): void {
    let chunk = this.#chunks[this.#chunks.length - 1];
    if (chunk === undefined || chunk.sealed || chunk.count === CHUNK_ENTRIES) {
      chunk = {
        firstIndex: this.#nextIndex,
        bytes: Buffer.allocUnsafe(CHUNK_ENTRIES * INDEX_ENTRY.SIZE),
        count: 0,
        sealed: false,
      };
      this.#chunks.push(chunk);
    }
    writeIndexEntry(chunk.bytes, chunk.count * INDEX_ENTRY.SIZE, entry);
    chunk.count++;
    this.#nextIndex++;
  }

  /** Entry `indexNo` if it is still held here. */
  read(indexNo: number): IndexEntry | undefined {
    if (indexNo < this.firstIndex || indexNo >= this.#nextIndex) return undefined;
    // Few chunks are held at a time and lookups favour recent entries: scan from the newest.
    for (let i = this.#chunks.length - 1; i >= 0; i--) {
      const chunk = this.#chunks[i];
      if (chunk !== undefined && indexNo >= chunk.firstIndex) {
        return readIndexEntry(chunk.bytes, (indexNo - chunk.firstIndex) * INDEX_ENTRY.SIZE);
      }
    }
    return undefined;
  }

  /** Seals every chunk and returns them, oldest first, for writing. */
  sealAll(): EntryChunk[] {
    for (const chunk of this.#chunks) chunk.sealed = true;
    return [...this.#chunks];
  }

  /** Forgets a chunk whose write completed; writes happen in order, so it is the oldest. */
  dropWritten(chunk: EntryChunk): void {
    if (this.#chunks[0] !== chunk) throw new IllegalStateError('entry chunks must be dropped oldest first');
    this.#chunks.shift();
  }
}
