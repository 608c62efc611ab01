import { constants, promises as fsp } from 'node:fs';
import { lockedError, type Disk, type DiskFile, type DiskLock } from './disk';

class NodeDiskFile implements DiskFile {
  readonly #handle: fsp.FileHandle;
  constructor(
    readonly path: string,
    handle: fsp.FileHandle,
  ) {
    this.#handle = handle;
  }

  async write(buffer: Uint8Array, offset: number, length: number, position: number): Promise<void> {
    let written = 0;
    // pwrite may write fewer bytes than asked (signals, quotas); finish the job or fail.
    while (written < length) {
      const { bytesWritten } = await this.#handle.write(
        buffer,
        offset + written,
        length - written,
        position + written,
      );
      if (bytesWritten === 0)
        throw new Error(`write to ${this.path} made no progress at ${position + written}`);
      written += bytesWritten;
    }
  }

  async read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<number> {
    let total = 0;
    while (total < length) {
      const { bytesRead } = await this.#handle.read(buffer, offset + total, length - total, position + total);
      if (bytesRead === 0) break;
      total += bytesRead;
    }
    return total;
  }

  datasync(): Promise<void> {
    return this.#handle.datasync();
  }

  truncate(size: number): Promise<void> {
    return this.#handle.truncate(size);
  }

  async size(): Promise<number> {
    return (await this.#handle.stat()).size;
  }

  close(): Promise<void> {
    return this.#handle.close();
  }
}

/** The real file system. */
export class NodeDisk implements Disk {
  /**
   * A pid file created with O_EXCL. Node has no flock(2), so a lock left by a process that died is
   * recognised by its pid no longer running (kill(pid, 0) answers ESRCH), and taken over.
   */
  async lock(path: string): Promise<DiskLock> {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const handle = await fsp.open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
        await handle.writeFile(`${process.pid}\n`);
        await handle.datasync();
        await handle.close();
        return { release: () => fsp.rm(path, { force: true }) };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      // The file may vanish (its holder released it) between the failed create and this read.
      const content = await fsp.readFile(path, 'utf8').catch((error: unknown) => {
        if (isNoEntry(error)) return '';
        throw error;
      });
      const holder = Number.parseInt(content, 10);
      if (Number.isInteger(holder) && holder > 0 && isProcessAlive(holder)) throw lockedError(path, holder);
      // The holder is gone: its lock is stale.
      await fsp.rm(path, { force: true });
    }
    throw lockedError(path, undefined);
  }

  async open(path: string): Promise<DiskFile> {
    return new NodeDiskFile(path, await fsp.open(path, constants.O_RDWR | constants.O_CREAT, 0o644));
  }

  async openExisting(path: string): Promise<DiskFile> {
    return new NodeDiskFile(path, await fsp.open(path, constants.O_RDWR));
  }

  async mkdirp(path: string): Promise<void> {
    await fsp.mkdir(path, { recursive: true });
  }

  async list(path: string): Promise<string[]> {
    try {
      return await fsp.readdir(path);
    } catch (error) {
      if (isNoEntry(error)) return [];
      throw error;
    }
  }

  async exists(path: string): Promise<boolean> {
    try {
      await fsp.access(path);
      return true;
    } catch (error) {
      if (isNoEntry(error)) return false;
      throw error;
    }
  }

  async remove(path: string): Promise<void> {
    await fsp.rm(path, { force: true, recursive: true });
  }

  rename(from: string, to: string): Promise<void> {
    return fsp.rename(from, to);
  }

  async syncDirectory(path: string): Promise<void> {
    const handle = await fsp.open(path, constants.O_RDONLY);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  async modifiedAtMs(path: string): Promise<number> {
    return (await fsp.stat(path)).mtimeMs;
  }

  async usedSpaceRatio(path: string): Promise<number> {
    const stats = await fsp.statfs(path);
    const total = stats.blocks;
    if (total === 0) return 0;
    return (total - stats.bavail) / total;
  }
}

/** Checks the code rather than `instanceof Error`: fs errors may come from another realm (Jest's VM). */
export function isNoEntry(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as NodeJS.ErrnoException).code === 'ENOENT';
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else; only ESRCH means it is gone.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
