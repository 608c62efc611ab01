// The directory of bucket files (format in timer-bucket-layout.ts): appends, reads in chunks, cuts
// and deletions, through the Disk seam. A few files are kept open because a burst of timed messages
// lands in the same few buckets; each append goes to the known end of its file, and `syncDirty`
// makes every append so far durable (the timer checkpoint calls it before it records progress).
//
// One call at a time: opening a file may close the least recently used one, which a concurrent call
// could be about to write. The timer service runs every disk step of its own one after another.

import { join } from 'node:path';
import type { Disk, DiskFile } from '../../store/disk/disk';
import {
  bucketFileName,
  parseBucketFileName,
  readTimerEntry,
  TIMER_ENTRY_SIZE,
  type TimerEntry,
} from './timer-bucket-layout';

/** Open files kept; more buckets written between two checkpoints are synced and closed early. */
const MAX_OPEN_FILES = 32;
/** Entries read per chunk when a bucket is loaded: 80 KiB, a few hundred µs of work each. */
const READ_CHUNK_ENTRIES = 4096;

interface OpenBucket {
  readonly file: DiskFile;
  /** Bytes in the file, where the next append goes. */
  length: number;
  dirty: boolean;
}

export class TimerBucketFiles {
  readonly dir: string;
  readonly #disk: Disk;
  readonly #bucketMs: number;
  /** Insertion order is use order: the first entry is the least recently used. */
  readonly #open = new Map<number, OpenBucket>();
  /** A file was created or removed since the directory was last synced. */
  #directoryDirty = false;

  constructor(disk: Disk, dir: string, bucketMs: number) {
    this.#disk = disk;
    this.dir = dir;
    this.#bucketMs = bucketMs;
  }

  async ensureDirectory(): Promise<void> {
    await this.#disk.mkdirp(this.dir);
  }

  /** Bucket starts of the files present, oldest first, and names that are not bucket files. */
  async list(): Promise<{ starts: number[]; strangers: string[] }> {
    const starts: number[] = [];
    const strangers: string[] = [];
    for (const name of await this.#disk.list(this.dir)) {
      const start = parseBucketFileName(name, this.#bucketMs);
      if (start === undefined) strangers.push(name);
      else starts.push(start);
    }
    return { starts: starts.sort((a, b) => a - b), strangers };
  }

  pathOf(start: number): string {
    return join(this.dir, bucketFileName(start));
  }

  /** Appends whole entries (already encoded) at the end of the bucket's file, creating it if needed. */
  async append(start: number, entries: Buffer): Promise<void> {
    const bucket = await this.#openBucket(start);
    const at = bucket.length;
    // Counted before the write completes so a concurrent caller could never overlap it; a failed
    // write is fatal to the service (it stops filing), so the count never has to be taken back.
    bucket.length += entries.length;
    bucket.dirty = true;
    await bucket.file.write(entries, 0, entries.length, at);
  }

  /** Makes every append so far, and every file created or removed, durable. */
  async syncDirty(): Promise<void> {
    const dirty = [...this.#open.values()].filter((bucket) => bucket.dirty);
    await Promise.all(
      dirty.map(async (bucket) => {
        bucket.dirty = false;
        await bucket.file.datasync();
      }),
    );
    if (this.#directoryDirty) {
      this.#directoryDirty = false;
      await this.#disk.syncDirectory(this.dir);
    }
  }

  /** Bytes in the bucket's file, 0 when there is none. */
  async byteLength(start: number): Promise<number> {
    return (await this.#openExisting(start))?.length ?? 0;
  }

  /**
   * Calls `onChunk` with the bucket's entries, in file order, a chunk at a time; `onChunk` returns
   * false to stop early. Reads only what the file holds when the call starts.
   */
  async read(start: number, onChunk: (entries: TimerEntry[], firstIndex: number) => boolean): Promise<void> {
    const bucket = await this.#openExisting(start);
    if (bucket === undefined) return;
    const total = Math.floor(bucket.length / TIMER_ENTRY_SIZE);
    const buffer = Buffer.allocUnsafe(READ_CHUNK_ENTRIES * TIMER_ENTRY_SIZE);
    for (let index = 0; index < total; index += READ_CHUNK_ENTRIES) {
      const count = Math.min(READ_CHUNK_ENTRIES, total - index);
      const bytes = await bucket.file.read(buffer, 0, count * TIMER_ENTRY_SIZE, index * TIMER_ENTRY_SIZE);
      const whole = Math.floor(bytes / TIMER_ENTRY_SIZE);
      const entries: TimerEntry[] = new Array<TimerEntry>(whole);
      for (let i = 0; i < whole; i++) entries[i] = readTimerEntry(buffer, i * TIMER_ENTRY_SIZE);
      if (!onChunk(entries, index) || whole < count) return;
    }
  }

  /** Cuts the bucket's file to its first `entries` entries (dropping a torn tail too), durably. */
  async truncate(start: number, entries: number): Promise<void> {
    const bucket = await this.#openExisting(start);
    if (bucket === undefined) return;
    bucket.length = entries * TIMER_ENTRY_SIZE;
    await bucket.file.truncate(bucket.length);
    await bucket.file.datasync();
  }

  async remove(start: number): Promise<void> {
    const bucket = this.#open.get(start);
    this.#open.delete(start);
    await bucket?.file.close();
    await this.#disk.remove(this.pathOf(start));
    this.#directoryDirty = true;
  }

  /** Syncs what is dirty and closes every file. */
  async close(): Promise<void> {
    await this.syncDirty();
    const open = [...this.#open.values()];
    this.#open.clear();
    await Promise.all(open.map((bucket) => bucket.file.close()));
  }

  async #openExisting(start: number): Promise<OpenBucket | undefined> {
    if (!this.#open.has(start) && !(await this.#disk.exists(this.pathOf(start)))) return undefined;
    return this.#openBucket(start);
  }

  async #openBucket(start: number): Promise<OpenBucket> {
    const cached = this.#open.get(start);
    if (cached !== undefined) {
      // Re-insert: the map's order is the eviction order.
      this.#open.delete(start);
      this.#open.set(start, cached);
      return cached;
    }
    const path = this.pathOf(start);
    const created = !(await this.#disk.exists(path));
    const file = await this.#disk.open(path);
    if (created) this.#directoryDirty = true;
    const bucket: OpenBucket = { file, length: await file.size(), dirty: false };
    this.#open.set(start, bucket);
    await this.#evictBeyondLimit();
    return bucket;
  }

  async #evictBeyondLimit(): Promise<void> {
    while (this.#open.size > MAX_OPEN_FILES) {
      const [start, oldest] = this.#open.entries().next().value as [number, OpenBucket];
      this.#open.delete(start);
      // A closed file cannot be synced by syncDirty any more: its appends are made durable now.
      if (oldest.dirty) await oldest.file.datasync();
      await oldest.file.close();
    }
  }
}
