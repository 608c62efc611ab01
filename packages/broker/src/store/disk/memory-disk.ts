import { posix } from 'node:path';
import { lockedError, type Disk, type DiskFile, type DiskLock } from './disk';

/**
 * An in-memory disk for unit tests of store logic. It remembers, per file, what was made durable
 * by the last `datasync` and which writes came after it, so `crash()` can model a machine that
 * loses power: every file falls back to its durable state, plus (optionally) a prefix of the later
 * writes with the last one torn, which is what a real page cache may have written back on its own.
 *
 * Namespace changes (create, rename, remove) are durable at once; the store's own protocol makes
 * them safe regardless (atomic rename of metadata, segments created before they are referenced).
 */
export class MemoryDisk implements Disk {
  readonly #files = new Map<string, MemoryFileState>();
  readonly #dirs = new Set<string>(['/']);
  #usedSpaceRatio = 0.1;
  /** Locks held by live "processes"; a crash ends them all, as it ends the processes. */
  readonly #locks = new Set<string>();

  async lock(path: string): Promise<DiskLock> {
    const normalized = posix.normalize(path);
    if (this.#locks.has(normalized)) throw lockedError(normalized, undefined);
    this.#locks.add(normalized);
    return {
      release: async () => {
        this.#locks.delete(normalized);
      },
    };
  }

  async open(path: string): Promise<DiskFile> {
    const normalized = posix.normalize(path);
    let state = this.#files.get(normalized);
    if (state === undefined) {
      this.#requireParent(normalized);
      state = new MemoryFileState();
      this.#files.set(normalized, state);
    }
    return new MemoryDiskFile(normalized, state);
  }

  async openExisting(path: string): Promise<DiskFile> {
    const normalized = posix.normalize(path);
    const state = this.#files.get(normalized);
    if (state === undefined) throw noEntry(normalized);
    return new MemoryDiskFile(normalized, state);
  }

  async mkdirp(path: string): Promise<void> {
    let current = posix.normalize(path);
    while (!this.#dirs.has(current)) {
      this.#dirs.add(current);
      current = posix.dirname(current);
    }
  }

  async list(path: string): Promise<string[]> {
    const dir = posix.normalize(path);
    const names = new Set<string>();
    for (const entry of [...this.#files.keys(), ...this.#dirs]) {
      if (entry !== dir && posix.dirname(entry) === dir) names.add(posix.basename(entry));
    }
    return [...names].sort();
  }

  async exists(path: string): Promise<boolean> {
    const normalized = posix.normalize(path);
    return this.#files.has(normalized) || this.#dirs.has(normalized);
  }

  async remove(path: string): Promise<void> {
    const normalized = posix.normalize(path);
    for (const key of [...this.#files.keys()]) {
      if (key === normalized || key.startsWith(`${normalized}/`)) this.#files.delete(key);
    }
    for (const dir of [...this.#dirs]) {
      if (dir === normalized || dir.startsWith(`${normalized}/`)) this.#dirs.delete(dir);
    }
  }

  async rename(from: string, to: string): Promise<void> {
    const source = posix.normalize(from);
    const state = this.#files.get(source);
    if (state === undefined) throw noEntry(source);
    this.#requireParent(posix.normalize(to));
    this.#files.delete(source);
    this.#files.set(posix.normalize(to), state);
  }

  async syncDirectory(path: string): Promise<void> {
    if (!this.#dirs.has(posix.normalize(path))) throw noEntry(path);
  }

  async modifiedAtMs(path: string): Promise<number> {
    const state = this.#files.get(posix.normalize(path));
    if (state === undefined) throw noEntry(path);
    return state.modifiedAtMs;
  }

  async usedSpaceRatio(_path: string): Promise<number> {
    return this.#usedSpaceRatio;
  }

  /** Test control: what `usedSpaceRatio` reports. */
  setUsedSpaceRatio(ratio: number): void {
    this.#usedSpaceRatio = ratio;
  }

  /** Test control: sets a file's modification time (retention tests). */
  setModifiedAtMs(path: string, ms: number): void {
    const state = this.#files.get(posix.normalize(path));
    if (state === undefined) throw noEntry(path);
    state.modifiedAtMs = ms;
  }

  /**
   * Simulates power loss. With `keepUnsynced` (called once per file with the number of writes made
   * since its last datasync) a test chooses how many of those writes survive and, with `tornBytes`,
   * how much of the last surviving one did.
   */
  crash(
    keepUnsynced?: (path: string, pendingWrites: number) => { writes: number; tornBytes?: number },
  ): void {
    this.#locks.clear();
    for (const [path, state] of this.#files) {
      const choice = keepUnsynced?.(path, state.pending.length) ?? { writes: 0 };
      state.crash(choice.writes, choice.tornBytes);
    }
  }

  #requireParent(path: string): void {
    if (!this.#dirs.has(posix.dirname(path))) throw noEntry(posix.dirname(path));
  }
}

interface PendingWrite {
  readonly position: number;
  readonly bytes: Uint8Array;
  readonly truncateTo?: number;
}

class MemoryFileState {
  content: Uint8Array = new Uint8Array(0);
  durable: Uint8Array = new Uint8Array(0);
  pending: PendingWrite[] = [];
  modifiedAtMs = 0;

  write(bytes: Uint8Array, position: number): void {
    this.content = applyWrite(this.content, bytes, position);
    // A copy: on a Buffer, slice() is a view, and writers reuse their buffers after the write.
    this.pending.push({ position, bytes: new Uint8Array(bytes) });
  }

  truncate(size: number): void {
    this.content = resize(this.content, size);
    this.pending.push({ position: 0, bytes: new Uint8Array(0), truncateTo: size });
  }

  datasync(): void {
    this.durable = this.content.slice();
    this.pending = [];
  }

  crash(keepWrites: number, tornBytes?: number): void {
    let restored: Uint8Array = this.durable.slice();
    const kept = this.pending.slice(0, Math.max(0, Math.min(keepWrites, this.pending.length)));
    kept.forEach((write, index) => {
      if (write.truncateTo !== undefined) {
        restored = resize(restored, write.truncateTo);
        return;
      }
      const isLast = index === kept.length - 1;
      const bytes = isLast && tornBytes !== undefined ? write.bytes.subarray(0, tornBytes) : write.bytes;
      restored = applyWrite(restored, bytes, write.position);
    });
    this.content = restored;
    this.durable = restored.slice();
    this.pending = [];
  }
}

class MemoryDiskFile implements DiskFile {
  #closed = false;
  constructor(
    readonly path: string,
    private readonly state: MemoryFileState,
  ) {}

  async write(buffer: Uint8Array, offset: number, length: number, position: number): Promise<void> {
    this.#checkOpen();
    this.state.write(buffer.subarray(offset, offset + length), position);
  }

  async read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<number> {
    this.#checkOpen();
    const available = Math.max(0, Math.min(length, this.state.content.length - position));
    buffer.set(this.state.content.subarray(position, position + available), offset);
    return available;
  }

  async datasync(): Promise<void> {
    this.#checkOpen();
    this.state.datasync();
  }

  async truncate(size: number): Promise<void> {
    this.#checkOpen();
    this.state.truncate(size);
  }

  async size(): Promise<number> {
    this.#checkOpen();
    return this.state.content.length;
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  #checkOpen(): void {
    if (this.#closed) throw new Error(`${this.path}: file is closed`);
  }
}

function applyWrite(content: Uint8Array, bytes: Uint8Array, position: number): Uint8Array {
  const target =
    content.length >= position + bytes.length ? content : resize(content, position + bytes.length);
  target.set(bytes, position);
  return target;
}

function resize(content: Uint8Array, size: number): Uint8Array {
  const next = new Uint8Array(size);
  next.set(content.subarray(0, Math.min(size, content.length)));
  return next;
}

function noEntry(path: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`ENOENT: no such file or directory, '${path}'`);
  error.code = 'ENOENT';
  return error;
}
