import { posix } from 'node:path';
import { FakeClock } from '../../../src/common/fake-clock';
import { indexKeyHash } from '../../../src/protocol/message/java-string-hash';
import type { Disk, DiskFile, DiskLock } from '../../../src/store/disk/disk';
import { MemoryDisk } from '../../../src/store/disk/memory-disk';
import type { IndexFileGeometry } from '../../../src/store/index/index-file-layout';
import { type IndexDispatchRequest, indexKeysOf } from '../../../src/store/index/index-dispatch';
import { IndexService } from '../../../src/store/index/index-service';

export const ROOT = '/store';
export const INDEX_DIR = `${ROOT}/index`;
export const ALL_TIME = Number.MAX_SAFE_INTEGER;

/** Thrown by CrashingDisk for the operation at which the machine "loses power" and after it. */
export class SimulatedCrash extends Error {
  constructor() {
    super('simulated power loss');
    this.name = new.target.name;
  }
}

export interface LoggedWrite {
  readonly position: number;
  readonly length: number;
  /** Set for a truncate, which has no bytes; `length` is then the new size. */
  readonly truncate: boolean;
  readonly bytes: Uint8Array;
}

/**
 * A MemoryDisk whose mutating operations (file writes, datasyncs, truncates, creates, renames,
 * removes) can be cut off at the N-th one after `crashAfter(N)`: that operation and everything
 * after it fails, as if the process died there. It logs each file's writes since its last datasync
 * (mirroring MemoryDisk's own list) so a test can choose which of them survive and where to tear.
 */
export class CrashingDisk implements Disk {
  readonly memory = new MemoryDisk();
  readonly pending = new Map<string, LoggedWrite[]>();
  #budget = Infinity;
  #crashed = false;
  #epoch = 0;
  /** Mutating operations since the last `crashAfter`. */
  operations = 0;

  crashAfter(operations: number): void {
    this.#budget = operations;
    this.operations = 0;
  }

  get crashed(): boolean {
    return this.#crashed;
  }

  /**
   * Power loss: files fall back to their durable bytes plus, for each file, the first `writes` of
   * its unsynced writes, the last of them cut to `tornBytes`. Handles opened before stay dead.
   */
  crash(choose: (path: string, log: readonly LoggedWrite[]) => { writes: number; tornBytes?: number }): void {
    this.memory.crash((path, count) => {
      const log = this.pending.get(path) ?? [];
      if (log.length !== count)
        throw new Error(`write log of ${path} (${log.length}) disagrees with MemoryDisk (${count})`);
      return choose(path, log);
    });
    this.pending.clear();
    this.#epoch++;
    this.#crashed = false;
    this.#budget = Infinity;
  }

  /**
   * Power loss on a disk that reorders writes between syncs: of `path`'s unsynced writes exactly
   * those numbered in `kept` survive (whole); every other file falls back to its durable bytes.
   */
  async crashKeepingSubset(path: string, kept: readonly number[]): Promise<void> {
    const log = this.pending.get(path) ?? [];
    this.crash(() => ({ writes: 0 }));
    const file = await this.memory.openExisting(path);
    for (const index of kept) {
      const write = log[index];
      if (write === undefined) throw new Error(`no unsynced write #${index} of ${path}`);
      if (write.truncate) await file.truncate(write.length);
      else await file.write(write.bytes, 0, write.length, write.position);
    }
    await file.datasync();
    await file.close();
  }

  async open(path: string): Promise<DiskFile> {
    await this.#mutate(async () => undefined);
    return this.#wrap(await this.memory.open(path));
  }
  async openExisting(path: string): Promise<DiskFile> {
    this.#checkAlive(this.#epoch);
    return this.#wrap(await this.memory.openExisting(path));
  }
  lock(path: string): Promise<DiskLock> {
    return this.memory.lock(path);
  }
  mkdirp(path: string): Promise<void> {
    return this.#mutate(() => this.memory.mkdirp(path));
  }
  list(path: string): Promise<string[]> {
    return this.memory.list(path);
  }
  exists(path: string): Promise<boolean> {
    return this.memory.exists(path);
  }
  remove(path: string): Promise<void> {
    return this.#mutate(async () => {
      await this.memory.remove(path);
      for (const key of [...this.pending.keys()])
        if (key === path || key.startsWith(`${path}/`)) this.pending.delete(key);
    });
  }
  rename(from: string, to: string): Promise<void> {
    return this.#mutate(async () => {
      await this.memory.rename(from, to);
      const log = this.pending.get(posix.normalize(from));
      this.pending.delete(posix.normalize(from));
      if (log !== undefined) this.pending.set(posix.normalize(to), log);
    });
  }
  syncDirectory(path: string): Promise<void> {
    return this.#mutate(() => this.memory.syncDirectory(path));
  }
  modifiedAtMs(path: string): Promise<number> {
    return this.memory.modifiedAtMs(path);
  }
  usedSpaceRatio(path: string): Promise<number> {
    return this.memory.usedSpaceRatio(path);
  }

  #checkAlive(epoch: number): void {
    if (this.#crashed || epoch !== this.#epoch) throw new SimulatedCrash();
  }

  async #mutate<T>(operation: () => Promise<T>, epoch = this.#epoch): Promise<T> {
    this.#checkAlive(epoch);
    if (this.#budget <= 0) {
      this.#crashed = true;
      throw new SimulatedCrash();
    }
    this.#budget--;
    this.operations++;
    return operation();
  }

  #log(path: string): LoggedWrite[] {
    let log = this.pending.get(path);
    if (log === undefined) {
      log = [];
      this.pending.set(path, log);
    }
    return log;
  }

  #wrap(file: DiskFile): DiskFile {
    const epoch = this.#epoch;
    const path = posix.normalize(file.path);
    return {
      path: file.path,
      write: (buffer, offset, length, position) =>
        this.#mutate(async () => {
          await file.write(buffer, offset, length, position);
          const bytes = buffer.slice(offset, offset + length);
          this.#log(path).push({ position, length, truncate: false, bytes });
        }, epoch),
      read: async (buffer, offset, length, position) => {
        this.#checkAlive(epoch);
        return file.read(buffer, offset, length, position);
      },
      datasync: () =>
        this.#mutate(async () => {
          await file.datasync();
          this.pending.delete(path);
        }, epoch),
      truncate: (size) =>
        this.#mutate(async () => {
          await file.truncate(size);
          this.#log(path).push({ position: 0, length: size, truncate: true, bytes: new Uint8Array(0) });
        }, epoch),
      size: async () => {
        this.#checkAlive(epoch);
        return file.size();
      },
      close: () => file.close(),
    };
  }
}

export async function openService(
  disk: Disk,
  geometry: IndexFileGeometry,
  clock = new FakeClock(),
  indexWriteBackBytes?: number,
): Promise<IndexService> {
  return IndexService.open({
    disk,
    clock,
    storePathRootDir: ROOT,
    maxHashSlotNum: geometry.maxHashSlotNum,
    maxIndexNum: geometry.maxIndexNum,
    indexWriteBackBytes,
  });
}

/** `count` keys `<prefix>N` whose `topic#key` falls in a slot within [fromSlot, toSlot]. */
export function keysInSlots(
  topic: string,
  prefix: string,
  slotNum: number,
  fromSlot: number,
  toSlot: number,
  count: number,
): string[] {
  const keys: string[] = [];
  for (let i = 0; keys.length < count; i++) {
    const slot = indexKeyHash(`${topic}#${prefix}${i}`) % slotNum;
    if (slot >= fromSlot && slot <= toSlot) keys.push(`${prefix}${i}`);
  }
  return keys;
}

/** A second key of `topic` with the same slot as `key` but a different hash. */
export function slotMate(topic: string, key: string, slotNum: number, prefix = 'mate'): string {
  const hash = indexKeyHash(`${topic}#${key}`);
  for (let i = 0; ; i++) {
    const candidate = `${prefix}${i}`;
    const h = indexKeyHash(`${topic}#${candidate}`);
    if (h !== hash && h % slotNum === hash % slotNum) return candidate;
  }
}

/** The offsets a sound index may return for a key: every record indexed under any equal-hash key. */
export class OffsetModel {
  readonly #byHash = new Map<number, Set<number>>();

  add(requests: readonly IndexDispatchRequest[]): void {
    for (const request of requests) {
      if (request.transactionType === 'ROLLBACK') continue;
      for (const key of indexKeysOf(request)) {
        const hash = indexKeyHash(key);
        const set = this.#byHash.get(hash) ?? new Set<number>();
        set.add(request.commitLogOffset);
        this.#byHash.set(hash, set);
      }
    }
  }

  allowed(topic: string, key: string): Set<number> {
    return this.#byHash.get(indexKeyHash(`${topic}#${key}`)) ?? new Set<number>();
  }
}

export function message(
  commitLogOffset: number,
  storeTimestampMs: number,
  keys: string,
  extra: Partial<IndexDispatchRequest> = {},
): IndexDispatchRequest {
  return { topic: 'T', commitLogOffset, storeTimestampMs, keys, transactionType: 'NOT_TYPE', ...extra };
}
