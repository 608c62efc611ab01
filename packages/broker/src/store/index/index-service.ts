import { join } from 'node:path';
import type { Clock } from '../../common/clock';
import { ConfigError, IllegalStateError, KeelError } from '../../common/errors';
import { indexKeyHash } from '../../protocol/message/java-string-hash';
import type { Disk } from '../disk/disk';
import { StoreErrorCodes } from '../store-errors';
import { checkIndexDispatchRequest, type IndexDispatchRequest, indexKeysOf } from './index-dispatch';
import { IndexFile } from './index-file';
import {
  checkIndexFileGeometry,
  DEFAULT_MAX_HASH_SLOT_NUM,
  DEFAULT_MAX_INDEX_NUM,
  type IndexFileGeometry,
} from './index-file-layout';
import { CREATING_SUFFIX, isIndexFileName, nextIndexFileName } from './index-file-name';

export interface IndexServiceOptions {
  readonly disk: Disk;
  /** Names new files by creation time. */
  readonly clock: Clock;
  /** Files live in `<storePathRootDir>/index`, unless `storePathIndex` names another directory. */
  readonly storePathRootDir: string;
  /** RocketMQ's storePathIndex. */
  readonly storePathIndex?: string;
  /** Hash slots per file (default 5,000,000); must match the existing files. */
  readonly maxHashSlotNum?: number;
  /** Entries per file, entry 0 included (default 20,000,000); must match the existing files. */
  readonly maxIndexNum?: number;
  /** Keel: buffered entry bytes at which buildIndex writes them to the file, unsynced (default 1 MiB). */
  readonly indexWriteBackBytes?: number;
  /** See IndexFileOptions.ensureCommitLogDurable. */
  readonly ensureCommitLogDurable?: (endPhyOffset: number) => Promise<void>;
}

/** RocketMQ's QueryOffsetResult: hash matches, newest first, and the index's current end. */
export interface QueryOffsetResult {
  readonly phyOffsets: number[];
  readonly indexLastUpdateTimestampMs: number;
  readonly indexLastUpdatePhyOffset: number;
}

/** What a completed flush made durable: the newest file's end (a checkpoint's indexMsgTimestamp). */
export interface IndexFlushPoint {
  readonly endTimestampMs: number;
  readonly endPhyOffset: number;
}

export const INDEX_DIR_NAME = 'index';
export const DEFAULT_INDEX_WRITE_BACK_BYTES = 1 << 20;
const RESOLVED: Promise<void> = Promise.resolve();

/**
 * The index files of a store (`index/`), oldest first; the newest is the active one.
 *
 * Why recovery never has to cut the index back (no truncateAbove): re-dispatch is idempotent.
 * buildIndex skips every record at or below the last indexed commit-log offset, which on load is
 * the newest file's durable endPhyOffset. That is exact, not approximate, because
 *  1. a flush never splits a record: buildIndex puts all of a record's keys synchronously and the
 *     flush snapshot is taken synchronously, so the snapshot lies between two records;
 *  2. a record never spans two files: when its keys do not fit, the file is rolled first;
 *  3. a file's header (endPhyOffset included) becomes durable only after every entry and slot it
 *     covers, and a full file is durable before its successor is created.
 * So after a crash every record at or below endPhyOffset is fully indexed and every record above it
 * not at all; replaying the commit log from any point at or before that offset (the checkpoint's
 * indexMsgTimestamp = flush().endTimestampMs) rebuilds exactly what was lost. The index never
 * points past what commit-log recovery keeps as long as `ensureCommitLogDurable` holds each flush
 * until the commit log is durable through the flushed end (derived data is never more durable
 * than its source), so there is nothing to truncate either. RocketMQ's rule of deleting index
 * files newer than the checkpoint after a crash is therefore not needed for Keel-written files.
 */
export class IndexService {
  readonly #disk: Disk;
  readonly #clock: Clock;
  readonly #dir: string;
  readonly #geometry: IndexFileGeometry;
  readonly #writeBackBytes: number;
  readonly #ensureDurable: ((endPhyOffset: number) => Promise<void>) | undefined;
  #files: IndexFile[];
  /** Commit-log offset of the newest record indexed; -1 before the first. */
  #lastIndexedOffset: number;
  #buildTail: Promise<void> = RESOLVED;
  #queuedBuilds = 0;
  #writeBack: Promise<void> | undefined;
  readonly #queries = new Set<Promise<void>>();
  #closing: Promise<void> | undefined;

  private constructor(
    options: IndexServiceOptions,
    dir: string,
    geometry: IndexFileGeometry,
    files: IndexFile[],
  ) {
    this.#disk = options.disk;
    this.#clock = options.clock;
    this.#dir = dir;
    this.#geometry = geometry;
    this.#writeBackBytes = options.indexWriteBackBytes ?? DEFAULT_INDEX_WRITE_BACK_BYTES;
    this.#ensureDurable = options.ensureCommitLogDurable;
    this.#files = files;
    const newest = files[files.length - 1];
    // An empty newest file still carries its predecessor's end as its seed.
    const indexedAny =
      newest !== undefined && (!newest.isEmpty || files.length > 1 || newest.endPhyOffset > 0);
    this.#lastIndexedOffset = indexedAny ? newest.endPhyOffset : -1;
  }

  /** Loads the files in `<root>/index` sorted by name; the newest is opened as the active one. */
  static async open(options: IndexServiceOptions): Promise<IndexService> {
    const geometry = checkIndexFileGeometry({
      maxHashSlotNum: options.maxHashSlotNum ?? DEFAULT_MAX_HASH_SLOT_NUM,
      maxIndexNum: options.maxIndexNum ?? DEFAULT_MAX_INDEX_NUM,
    });
    const writeBack = options.indexWriteBackBytes;
    if (writeBack !== undefined && (!Number.isSafeInteger(writeBack) || writeBack < 1)) {
      throw new ConfigError([
        {
          kind: 'out-of-range',
          key: 'indexWriteBackBytes',
          message: `must be an integer ≥ 1, got ${writeBack}`,
        },
      ]);
    }
    const { disk } = options;
    const dir = options.storePathIndex ?? join(options.storePathRootDir, INDEX_DIR_NAME);
    await disk.mkdirp(dir);
    const names = await disk.list(dir);
    // Creation renames a complete file into place, so a leftover under the temporary name is junk.
    for (const name of names.filter((n) => n.endsWith(CREATING_SUFFIX))) await disk.remove(join(dir, name));
    const indexNames = names.filter(isIndexFileName).sort();
    const files: IndexFile[] = [];
    try {
      for (const [i, name] of indexNames.entries()) {
        const active = i === indexNames.length - 1;
        const path = join(dir, name);
        files.push(
          await IndexFile.open({
            disk,
            path,
            geometry,
            ensureCommitLogDurable: options.ensureCommitLogDurable,
            active,
          }),
        );
      }
    } catch (error) {
      return closeAllAndRethrow(files, error);
    }
    return new IndexService(options, dir, geometry, files);
  }

  /** Names of the files, oldest first. */
  get fileNames(): string[] {
    return this.#files.map((f) => f.name);
  }

  /**
   * Indexes a dispatched record (`IndexService.buildIndex`). Calls take effect in call order. The
   * common case does no I/O; the promise then is already settled.
   */
  buildIndex(request: IndexDispatchRequest): Promise<void> {
    if (this.#closing !== undefined) return Promise.reject(closedError());
    try {
      checkIndexDispatchRequest(request);
      if (this.#queuedBuilds === 0 && this.#tryBuildNow(request)) return this.#afterPut();
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#enqueue(() => this.#buildWithIo(request));
  }

  /**
   * Offsets of records indexed under `topic#key` stored within [beginMs, endMs], newest first, at
   * most `maxNum` (the caller applies maxMsgsNumBatch). Files are searched newest first, only those
   * whose time range overlaps, stopping at the first file that begins before `beginMs`.
   */
  queryOffsets(
    topic: string,
    key: string,
    maxNum: number,
    beginMs: number,
    endMs: number,
  ): Promise<QueryOffsetResult> {
    if (this.#closing !== undefined) return Promise.reject(closedError());
    const run = this.#query(indexKeyHash(`${topic}#${key}`), maxNum, beginMs, endMs);
    // Deletion and close wait for the queries in flight, which may be reading the files they close.
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.#queries.add(settled);
    void settled.then(() => this.#queries.delete(settled));
    return run;
  }

  /** Makes everything indexed so far durable; returns the durable end of the newest file. */
  async flush(): Promise<IndexFlushPoint> {
    if (this.#closing !== undefined) throw closedError();
    const newest = this.#files[this.#files.length - 1];
    if (newest === undefined) return { endTimestampMs: 0, endPhyOffset: 0 };
    await newest.flush();
    const { endTimestampMs, endPhyOffset } = newest.durableHeader;
    return { endTimestampMs, endPhyOffset };
  }

  /**
   * Retention: deletes the oldest files whose endPhyOffset is below the commit log's new minimum,
   * stopping at the first that is not, and never the newest. Returns how many were deleted.
   */
  async deleteFilesBelow(commitLogMinOffset: number): Promise<number> {
    if (this.#closing !== undefined) throw closedError();
    const doomed: IndexFile[] = [];
    for (const file of this.#files.slice(0, -1)) {
      if (file.isActive || file.endPhyOffset >= commitLogMinOffset) break;
      doomed.push(file);
    }
    if (doomed.length === 0) return 0;
    // Out of the list first, so no new query reaches them; then wait for those already reading.
    this.#files = this.#files.filter((f) => !doomed.includes(f));
    await Promise.all([...this.#queries]);
    for (const file of doomed) {
      await file.close();
      await this.#disk.remove(file.path);
    }
    await this.#disk.syncDirectory(this.#dir);
    return doomed.length;
  }

  /** Waits for pending work, flushes the active file and closes every file. */
  close(): Promise<void> {
    this.#closing ??= this.#closeNow();
    return this.#closing;
  }

  async #closeNow(): Promise<void> {
    await this.#buildTail;
    await this.#writeBack?.then(
      () => undefined,
      () => undefined,
    );
    await Promise.all([...this.#queries]);
    const errors = await closeAll(this.#files);
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1)
      throw new AggregateError(errors, 'closing index files failed', { cause: errors[0] });
  }

  get #active(): IndexFile | undefined {
    const newest = this.#files[this.#files.length - 1];
    return newest?.isActive === true ? newest : undefined;
  }

  /** Does the whole build if it needs no I/O (no file to create or roll); false otherwise. */
  #tryBuildNow(request: IndexDispatchRequest): boolean {
    const keys = this.#keysToIndex(request);
    if (keys === undefined) return true;
    const file = this.#active;
    if (file === undefined || file.remainingCapacity < keys.length) return false;
    for (const key of keys) file.put(key, request.commitLogOffset, request.storeTimestampMs);
    this.#lastIndexedOffset = request.commitLogOffset;
    return true;
  }

  async #buildWithIo(request: IndexDispatchRequest): Promise<void> {
    const keys = this.#keysToIndex(request);
    if (keys === undefined) return;
    let file = this.#active ?? (await this.#createFile());
    // Roll before the first key, so that a record's keys all land in one file (see the class doc).
    if (file.remainingCapacity < keys.length && !file.isEmpty) file = await this.#roll(file);
    for (const key of keys) {
      if (file.put(key, request.commitLogOffset, request.storeTimestampMs)) continue;
      // Only a record with more keys than a whole file holds gets here.
      file = await this.#roll(file);
      if (!file.put(key, request.commitLogOffset, request.storeTimestampMs)) {
        throw new IllegalStateError(`new index file ${file.path} refused its first put`);
      }
    }
    this.#lastIndexedOffset = request.commitLogOffset;
    await this.#afterPut();
  }

  #keysToIndex(request: IndexDispatchRequest): string[] | undefined {
    if (request.transactionType === 'ROLLBACK') return undefined;
    if (request.commitLogOffset <= this.#lastIndexedOffset) return undefined;
    const keys = indexKeysOf(request);
    return keys.length === 0 ? undefined : keys;
  }

  /** Starts a write-back when enough entries are buffered; one at a time. */
  #afterPut(): Promise<void> {
    const file = this.#active;
    if (file === undefined || file.bufferedEntryBytes < this.#writeBackBytes) return RESOLVED;
    if (this.#writeBack === undefined) {
      const run = file.writeBack();
      const clear = (): void => {
        if (this.#writeBack === run) this.#writeBack = undefined;
      };
      this.#writeBack = run;
      void run.then(clear, clear);
    }
    return this.#writeBack;
  }

  async #roll(full: IndexFile): Promise<IndexFile> {
    // Durable before its successor exists: on disk, every file but the newest is complete.
    await full.seal();
    return this.#createFile();
  }

  async #createFile(): Promise<IndexFile> {
    const previous = this.#files[this.#files.length - 1];
    const file = await IndexFile.create({
      disk: this.#disk,
      path: join(this.#dir, nextIndexFileName(this.#clock.now(), previous?.name)),
      geometry: this.#geometry,
      ensureCommitLogDurable: this.#ensureDurable,
      seedEndPhyOffset: previous?.endPhyOffset ?? 0,
      seedEndTimestampMs: previous?.endTimestampMs ?? 0,
    });
    this.#files.push(file);
    return file;
  }

  async #query(keyHash: number, maxNum: number, beginMs: number, endMs: number): Promise<QueryOffsetResult> {
    const files = this.#files.slice();
    const newest = files[files.length - 1];
    const phyOffsets: number[] = [];
    for (let i = files.length - 1; i >= 0 && phyOffsets.length < maxNum; i--) {
      const file = files[i];
      if (file === undefined) break;
      if (file.isTimeMatched(beginMs, endMs)) {
        phyOffsets.push(...(await file.queryHash(keyHash, beginMs, endMs, maxNum - phyOffsets.length)));
      }
      if (file.beginTimestampMs < beginMs) break;
    }
    return {
      phyOffsets,
      indexLastUpdateTimestampMs: newest?.endTimestampMs ?? 0,
      indexLastUpdatePhyOffset: newest?.endPhyOffset ?? 0,
    };
  }

  #enqueue(task: () => Promise<void>): Promise<void> {
    this.#queuedBuilds++;
    const run = this.#buildTail.then(task);
    // The caller of this build gets its failure through `run`; later builds must still run.
    const done = (): void => {
      this.#queuedBuilds--;
    };
    this.#buildTail = run.then(done, done);
    return run;
  }
}

function closedError(): KeelError {
  return new KeelError(StoreErrorCodes.CLOSED, 'index service is closed');
}

/** Closes every file even if some fail; returns what closing threw. */
async function closeAll(files: readonly IndexFile[]): Promise<unknown[]> {
  const errors: unknown[] = [];
  for (const file of files) {
    try {
      await file.close();
    } catch (error) {
      errors.push(error);
    }
  }
  return errors;
}

/** After a failed load: closes what was opened and rethrows, keeping any close failure as well. */
async function closeAllAndRethrow(files: readonly IndexFile[], error: unknown): Promise<never> {
  const closeErrors = await closeAll(files);
  if (closeErrors.length === 0) throw error;
  throw new AggregateError([error, ...closeErrors], 'loading index files failed', { cause: error });
}
