// Tools for damaging a store on a MemoryDisk the way a disk or a power loss does, and for building
// the exact bytes a record must have, so a test can say "identical" without trusting the store.
import { posix } from 'node:path';
import { isNoEntry } from '../../src/store/disk';
import type { Disk, DiskFile, DiskLock } from '../../src/store/disk/disk';
import { MemoryDisk } from '../../src/store/disk/memory-disk';
import { encodeStoredMessage, prepareStoredMessage } from '../../src/protocol/message/stored-message';
import type { PutMessageRequest, PutMessageResult } from '../../src/store/message-store';
import { segmentFileName } from '../../src/store/segment/segment-name';

/** Every file of a disk under a root, by path: what a damaged copy is rebuilt from. */
export type DiskImage = ReadonlyMap<string, Buffer>;

export async function imageOf(disk: Disk, root: string): Promise<DiskImage> {
  const files = new Map<string, Buffer>();
  const walk = async (dir: string): Promise<void> => {
    for (const name of await disk.list(dir)) {
      const path = posix.join(dir, name);
      let file: DiskFile;
      try {
        file = await disk.openExisting(path);
      } catch (error) {
        // MemoryDisk keeps directories apart from files: a directory is not an existing file.
        if (!isNoEntry(error)) throw error;
        await walk(path);
        continue;
      }
      const bytes = Buffer.alloc(await file.size());
      await file.read(bytes, 0, bytes.length, 0);
      await file.close();
      files.set(path, bytes);
    }
  };
  await walk(root);
  return files;
}

/** A fresh disk holding exactly the image, all of it durable. */
export async function diskFromImage(image: DiskImage): Promise<MemoryDisk> {
  const disk = new MemoryDisk();
  for (const [path, bytes] of image) {
    await disk.mkdirp(posix.dirname(path));
    const file = await disk.open(path);
    await file.write(bytes, 0, bytes.length, 0);
    await file.datasync();
    await file.close();
  }
  return disk;
}

/** Rewrites `length` bytes of a file at `position` through `edit`, durably. */
export async function editBytes(
  disk: Disk,
  path: string,
  position: number,
  length: number,
  edit: (bytes: Buffer) => void,
): Promise<void> {
  const file = await disk.openExisting(path);
  const bytes = Buffer.alloc(length);
  const read = await file.read(bytes, 0, length, position);
  if (read !== length) throw new Error(`${path}: only ${read} of ${length} bytes at ${position}`);
  edit(bytes);
  await file.write(bytes, 0, length, position);
  await file.datasync();
  await file.close();
}

/** The segment file holding a commit-log offset, and the offset's position in it. */
export function segmentPosition(
  commitLogDir: string,
  segmentSizeBytes: number,
  offset: number,
): { path: string; position: number } {
  const start = offset - (offset % segmentSizeBytes);
  return { path: posix.join(commitLogDir, segmentFileName(start)), position: offset - start };
}

/** The record a put must have stored, byte for byte, built by the codec and not read back. */
export function expectedRecord(
  request: PutMessageRequest,
  result: Pick<PutMessageResult, 'queueOffset' | 'physicalOffset' | 'storeTimestamp'>,
): Buffer {
  const prepared = prepareStoredMessage(request.fields);
  const bytes = Buffer.alloc(prepared.totalSize);
  encodeStoredMessage(prepared, bytes, 0, result);
  return bytes;
}

/** Deterministic pseudo-random numbers (mulberry32): a failing seed replays the same run. */
export function seededRandom(seed: number): (below: number) => number {
  let state = seed >>> 0;
  return (below) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4_294_967_296) * below);
  };
}

/** What `MemoryDisk.crash` asks of each file: how many unsynced writes survive, the last torn where. */
export type KeepUnsynced = NonNullable<Parameters<MemoryDisk['crash']>[0]>;

/**
 * A disk whose power can be cut, at once or at the N-th operation: afterwards no operation of the
 * disk or of files opened through it runs or completes, as in a process that died with the machine.
 * The inner MemoryDisk then plays the disk after the reboot, untouched by the dead store.
 */
export class PowerSwitchDisk implements Disk {
  readonly inner: MemoryDisk;
  #on = true;
  #operations = 0;
  #cut: { readonly atOperation: number; readonly keepUnsynced: KeepUnsynced } | undefined;

  constructor(inner: MemoryDisk) {
    this.inner = inner;
  }

  get powered(): boolean {
    return this.#on;
  }

  /** Cuts the power, then drops what was not durable per `MemoryDisk.crash`. */
  powerOff(keepUnsynced?: KeepUnsynced): void {
    if (!this.#on) return;
    this.#on = false;
    this.inner.crash(keepUnsynced);
  }

  /**
   * Cuts the power just before operation number `operations` (counted from now): counting
   * operations rather than time puts the cut between any two steps of the store's I/O.
   */
  cutPowerAt(operations: number, keepUnsynced: KeepUnsynced): void {
    this.#cut = { atOperation: this.#operations + operations, keepUnsynced };
  }

  #run<T>(operation: () => Promise<T>): Promise<T> {
    if (this.#on && this.#cut !== undefined && this.#operations >= this.#cut.atOperation) {
      this.powerOff(this.#cut.keepUnsynced);
    }
    if (!this.#on) return new Promise<T>(() => undefined);
    this.#operations++;
    return operation().then((value) => (this.#on ? value : new Promise<T>(() => undefined)));
  }

  #wrap(file: DiskFile): DiskFile {
    return {
      path: file.path,
      write: (buffer, offset, length, position) =>
        this.#run(() => file.write(buffer, offset, length, position)),
      read: (buffer, offset, length, position) =>
        this.#run(() => file.read(buffer, offset, length, position)),
      datasync: () => this.#run(() => file.datasync()),
      truncate: (size) => this.#run(() => file.truncate(size)),
      size: () => this.#run(() => file.size()),
      close: () => this.#run(() => file.close()),
    };
  }

  open(path: string): Promise<DiskFile> {
    return this.#run(async () => this.#wrap(await this.inner.open(path)));
  }
  openExisting(path: string): Promise<DiskFile> {
    return this.#run(async () => this.#wrap(await this.inner.openExisting(path)));
  }
  lock(path: string): Promise<DiskLock> {
    return this.#run(() => this.inner.lock(path));
  }
  mkdirp(path: string): Promise<void> {
    return this.#run(() => this.inner.mkdirp(path));
  }
  list(path: string): Promise<string[]> {
    return this.#run(() => this.inner.list(path));
  }
  exists(path: string): Promise<boolean> {
    return this.#run(() => this.inner.exists(path));
  }
  remove(path: string): Promise<void> {
    return this.#run(() => this.inner.remove(path));
  }
  rename(from: string, to: string): Promise<void> {
    return this.#run(() => this.inner.rename(from, to));
  }
  syncDirectory(path: string): Promise<void> {
    return this.#run(() => this.inner.syncDirectory(path));
  }
  modifiedAtMs(path: string): Promise<number> {
    return this.#run(() => this.inner.modifiedAtMs(path));
  }
  usedSpaceRatio(path: string): Promise<number> {
    return this.#run(() => this.inner.usedSpaceRatio(path));
  }
}
