/**
 * The store's seam to the file system. Store logic talks only to these interfaces so that it can
 * run against the real disk (`NodeDisk`) or against `MemoryDisk`, which can also simulate a crash
 * that loses whatever was written but not yet made durable.
 *
 * Every operation is asynchronous: on the real disk each one runs on the libuv thread pool, so
 * the event loop never waits for the disk.
 */
export interface DiskFile {
  readonly path: string;
  /** Positional write of `length` bytes of `buffer` from `offset`, at file position `position`. */
  write(buffer: Uint8Array, offset: number, length: number, position: number): Promise<void>;
  /** Positional read; resolves with the number of bytes read (fewer at end of file). */
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<number>;
  /** Makes every completed write durable (fdatasync). */
  datasync(): Promise<void>;
  truncate(size: number): Promise<void>;
  size(): Promise<number>;
  close(): Promise<void>;
}

/** An exclusive hold on a path (the store's `lock` file); see Disk.lock. */
export interface DiskLock {
  release(): Promise<void>;
}

export interface Disk {
  /**
   * Takes the exclusive lock named by `path`, so two brokers never open the same store. Rejects
   * with code ELOCKED (and the holder, when known) while another live holder has it; a holder that
   * died (process gone, machine crashed) does not block.
   */
  lock(path: string): Promise<DiskLock>;
  /** Opens a file for reading and writing, creating it (empty) when absent. */
  open(path: string): Promise<DiskFile>;
  /** Opens an existing file; rejects with code ENOENT when absent. */
  openExisting(path: string): Promise<DiskFile>;
  mkdirp(path: string): Promise<void>;
  /** Names (not paths) of the entries of a directory; empty when the directory does not exist. */
  list(path: string): Promise<string[]>;
  exists(path: string): Promise<boolean>;
  remove(path: string): Promise<void>;
  /** Atomically replaces `to` by `from` (rename(2)). */
  rename(from: string, to: string): Promise<void>;
  /** Makes a directory's entries (new, renamed, removed files) durable. */
  syncDirectory(path: string): Promise<void>;
  /** Modification time of a file in ms since the epoch. */
  modifiedAtMs(path: string): Promise<number>;
  /** Fraction (0..1) of the file system holding `path` that is in use. */
  usedSpaceRatio(path: string): Promise<number>;
}

/** The error `Disk.lock` rejects with while another live holder has the lock. */
export function lockedError(path: string, holderPid: number | undefined): NodeJS.ErrnoException {
  const holder = holderPid === undefined ? 'another process' : `process ${holderPid}`;
  const error: NodeJS.ErrnoException = new Error(
    `${path} is held by ${holder}: another broker is using this store. Stop it, or give this broker its own storePathRootDir`,
  );
  error.code = 'ELOCKED';
  return error;
}
