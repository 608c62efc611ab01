// Crash-safe JSON files with a `.bak` copy of the previous version, as RocketMQ keeps them in
// `storePathRootDir/config` (MixAll.string2File), but with the fsyncs RocketMQ leaves out.
//
// One write of `topics.json` (every step through the Disk seam):
//
//   1. topics.json.tmp  ← new text        open, truncate(0), write, datasync, close
//   2. topics.json      → topics.json.bak rename; only when topics.json is known to parse, so a
//                                         damaged file never replaces a good backup
//   3. topics.json.tmp  → topics.json     rename (atomic replace)
//   4. config/                            syncDirectory: both renames are durable
//
// State on disk if power is lost before step…
//
//   1 (or during it)  topics.json = previous version (intact)  .bak = the one before   .tmp = junk
//   2                 topics.json = previous version           .bak = the one before   .tmp = new
//   3                 (no topics.json)                         .bak = previous version .tmp = new
//   4                 topics.json = new version (its data was synced in 1); the renames may or may
//                     not have reached the disk, and every subset of them leaves one of the
//                     states above
//
// so a reader always finds an intact previous or new version: the main file, or the `.bak` when the
// main file is missing or damaged (readJsonFile). `.tmp` is never read: a write that did not reach
// step 4 was never acknowledged to its caller.
//
// Writes of one file are serialised and coalesced: while one write runs, further requests share a
// single pending write that renders its text when it starts, so a burst of N updates costs at most
// two writes and the file ends with the last value.

import { dirname, normalize } from 'node:path';
import { StoreCorruptionError } from '../store-errors';
import type { Disk, DiskFile } from '../disk/disk';
import { MetadataFormatError } from './metadata-errors';
import { parseTolerantJson, type JsonValue } from './tolerant-json';

export const TEMP_FILE_SUFFIX = '.tmp';
export const BACKUP_FILE_SUFFIX = '.bak';

/** fastjson's PrettyFormat (what RocketMQ persists with) indents with tabs; we follow it for familiarity. */
const JSON_INDENT = '\t';

/** Which copy a read used. A `backup` read is worth a warning in the broker log. */
export type JsonFileRead<T> =
  | { readonly source: 'main'; readonly path: string; readonly value: T }
  | {
      readonly source: 'backup';
      readonly path: string;
      readonly value: T;
      /** Why the main file was not used. */
      readonly mainProblem: 'missing' | MetadataFormatError;
    };

export interface ReadJsonFileOptions<T> {
  /**
   * Turns the parsed JSON into the caller's type. A MetadataFormatError thrown here makes the copy
   * unusable, like a syntax error (RocketMQ's ConfigManager also falls back when decode fails).
   */
  readonly decode?: (json: JsonValue) => T;
  /** What the file holds, for the error message (e.g. "consumer offsets"). */
  readonly description?: string;
}

/**
 * Writes `value` as JSON to `path` crash-safely (see the top of this file). Resolves once a value
 * at least as new as this one is durable: concurrent calls for the same file are coalesced and the
 * last one wins. `value` is serialised at the call, so later mutation of it has no effect.
 */
export function writeJsonAtomically(disk: Disk, path: string, value: unknown): Promise<void> {
  let text: string;
  try {
    text = toJsonText(value);
  } catch (error) {
    return Promise.reject(error);
  }
  return AtomicJsonFile.of(disk, path).write(() => text);
}

/**
 * Reads `path`, or its `.bak` copy when the main file is missing or damaged. Resolves undefined
 * when neither exists (a fresh store); throws StoreCorruptionError when no copy is usable.
 */
export function readJsonFile<T = JsonValue>(
  disk: Disk,
  path: string,
  options: ReadJsonFileOptions<T> = {},
): Promise<JsonFileRead<T> | undefined> {
  return AtomicJsonFile.of(disk, path).read(options);
}

/** The text Keel writes: standard JSON (see the module index for why not fastjson's bare keys). */
export function toJsonText(value: unknown): string {
  const text = JSON.stringify(value, null, JSON_INDENT) as string | undefined;
  if (text === undefined) throw new TypeError(`cannot write ${typeof value} as JSON`);
  return text;
}

/**
 * What we know about the main file, to decide whether it may become the backup:
 * `intact` = we wrote it or read it successfully; `damaged` = a read found it unusable;
 * `absent` = a read or inspection found none; `unknown` = not looked at yet, or a write failed
 * half-way.
 */
type MainFileState = 'unknown' | 'intact' | 'damaged' | 'absent';

interface PendingWrite {
  render: () => string;
  readonly done: Promise<void>;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

type CopyLoad<T> =
  | { readonly kind: 'ok'; readonly value: T }
  | { readonly kind: 'absent' }
  | { readonly kind: 'bad'; readonly error: MetadataFormatError };

/**
 * The writer and reader of one JSON file. There is one instance per (disk, path), shared by every
 * caller, so that all writes of a file are serialised no matter who issues them.
 */
export class AtomicJsonFile {
  static readonly #instances = new WeakMap<Disk, Map<string, AtomicJsonFile>>();

  readonly path: string;
  readonly tempPath: string;
  readonly backupPath: string;
  readonly #disk: Disk;
  readonly #dir: string;
  #main: MainFileState = 'unknown';
  #directoryReady = false;
  /** Tail of the queue of operations (reads and writes) on this file; it never rejects. */
  #queue: Promise<void> = Promise.resolve();
  /** The queued write that has not started yet; new requests join it. */
  #pending: PendingWrite | undefined;

  private constructor(disk: Disk, path: string) {
    this.#disk = disk;
    this.path = path;
    this.tempPath = path + TEMP_FILE_SUFFIX;
    this.backupPath = path + BACKUP_FILE_SUFFIX;
    this.#dir = dirname(path);
  }

  /** The shared instance for `path` on `disk`. */
  static of(disk: Disk, path: string): AtomicJsonFile {
    const normalized = normalize(path);
    let byPath = AtomicJsonFile.#instances.get(disk);
    if (byPath === undefined) {
      byPath = new Map();
      AtomicJsonFile.#instances.set(disk, byPath);
    }
    let file = byPath.get(normalized);
    if (file === undefined) {
      file = new AtomicJsonFile(disk, normalized);
      byPath.set(normalized, file);
    }
    return file;
  }

  /**
   * Queues a write of the text `render` returns. `render` runs when the write starts, so it should
   * read the latest state; if a write is already queued and not started, this request replaces its
   * `render` and shares its outcome.
   */
  write(render: () => string): Promise<void> {
    const queued = this.#pending;
    if (queued !== undefined) {
      queued.render = render;
      return queued.done;
    }
    const pending = newPendingWrite(render);
    this.#pending = pending;
    void this.#exclusive(async () => {
      // From here on this write's text is fixed; later requests queue a new write.
      this.#pending = undefined;
      try {
        await this.#writeNow(pending.render());
        pending.resolve();
      } catch (error) {
        pending.reject(error);
      }
    });
    return pending.done;
  }

  read<T = JsonValue>(options: ReadJsonFileOptions<T> = {}): Promise<JsonFileRead<T> | undefined> {
    return this.#exclusive(() => this.#readNow(options));
  }

  #exclusive<R>(operation: () => Promise<R>): Promise<R> {
    const result = this.#queue.then(operation);
    // The queue only orders operations; each outcome, failures included, reaches its own caller
    // through `result`, so the queue's copy is settled without being looked at.
    this.#queue = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  async #writeNow(text: string): Promise<void> {
    try {
      await this.#ensureDirectory();
      await writeFileDurably(this.#disk, this.tempPath, Buffer.from(text, 'utf8'));
      if (await this.#mainWorthKeeping()) await this.#disk.rename(this.path, this.backupPath);
      await this.#disk.rename(this.tempPath, this.path);
      await this.#disk.syncDirectory(this.#dir);
      this.#main = 'intact';
    } catch (error) {
      // We no longer know which of the renames happened; look again before the next rotation.
      this.#main = 'unknown';
      throw error;
    }
  }

  async #mainWorthKeeping(): Promise<boolean> {
    if (this.#main === 'unknown') {
      const found = await loadCopy(this.#disk, this.path, (json) => json);
      this.#main = found.kind === 'ok' ? 'intact' : found.kind === 'absent' ? 'absent' : 'damaged';
    }
    return this.#main === 'intact';
  }

  /** Once per instance: cheaper than asking whether the directory exists before every write. */
  async #ensureDirectory(): Promise<void> {
    if (this.#directoryReady) return;
    await this.#disk.mkdirp(this.#dir);
    // If mkdirp just created the directory, its own entry must survive a crash too, or the file
    // goes with it.
    await this.#disk.syncDirectory(dirname(this.#dir));
    this.#directoryReady = true;
  }

  async #readNow<T>(options: ReadJsonFileOptions<T>): Promise<JsonFileRead<T> | undefined> {
    const decode = options.decode ?? ((json: JsonValue) => json as T);
    const main = await loadCopy(this.#disk, this.path, decode);
    if (main.kind === 'ok') {
      this.#main = 'intact';
      return { source: 'main', path: this.path, value: main.value };
    }
    this.#main = main.kind === 'absent' ? 'absent' : 'damaged';
    const backup = await loadCopy(this.#disk, this.backupPath, decode);
    if (backup.kind === 'ok') {
      const mainProblem = main.kind === 'absent' ? 'missing' : main.error;
      return { source: 'backup', path: this.backupPath, value: backup.value, mainProblem };
    }
    if (main.kind === 'absent' && backup.kind === 'absent') return undefined;
    throw this.#unusable(main, backup, options.description);
  }

  #unusable(main: CopyLoad<unknown>, backup: CopyLoad<unknown>, description = 'data'): StoreCorruptionError {
    const problem = (copy: CopyLoad<unknown>): string =>
      copy.kind === 'bad' ? copy.error.message : 'missing';
    const causes = [main, backup].flatMap((copy) => (copy.kind === 'bad' ? [copy.error] : []));
    return new StoreCorruptionError(
      `${this.path}: no usable copy of the ${description}: ${this.path}: ${problem(main)}; ` +
        `${this.backupPath}: ${problem(backup)}. Fix: restore ${this.path} from a copy (for example ` +
        `the slave broker's), or delete both files to start with no ${description} (what they held is lost).`,
      { cause: causes.length === 1 ? causes[0] : new AggregateError(causes, 'both copies are damaged') },
    );
  }
}

function newPendingWrite(render: () => string): PendingWrite {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const done = new Promise<void>((onResolve, onReject) => {
    resolve = onResolve;
    reject = onReject;
  });
  return { render, done, resolve, reject };
}

async function loadCopy<T>(disk: Disk, path: string, decode: (json: JsonValue) => T): Promise<CopyLoad<T>> {
  const bytes = await readWholeFile(disk, path);
  if (bytes === undefined) return { kind: 'absent' };
  try {
    return { kind: 'ok', value: decode(parseTolerantJson(decodeUtf8(bytes))) };
  } catch (error) {
    // Only format problems mean "this copy is damaged"; anything else (a bug, an I/O error) must
    // not be mistaken for corruption and silently replaced by the backup.
    if (error instanceof MetadataFormatError) return { kind: 'bad', error };
    throw error;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch (error) {
    throw new MetadataFormatError('the file is not valid UTF-8', { cause: error });
  }
}

/**
 * By `code` only: errors from Node's fs are not `instanceof Error` inside a Jest sandbox (another
 * realm), so disk/node-disk's `isNoEntry` misses them there.
 */
function isNoSuchFile(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ENOENT';
}

/** The file's bytes, or undefined when it does not exist. */
async function readWholeFile(disk: Disk, path: string): Promise<Uint8Array | undefined> {
  let file: DiskFile;
  try {
    file = await disk.openExisting(path);
  } catch (error) {
    if (isNoSuchFile(error)) return undefined;
    throw error;
  }
  return usingFile(file, async () => {
    const size = await file.size();
    const bytes = new Uint8Array(size);
    const read = await file.read(bytes, 0, size, 0);
    return bytes.subarray(0, read);
  });
}

async function writeFileDurably(disk: Disk, path: string, bytes: Uint8Array): Promise<void> {
  const file = await disk.open(path);
  await usingFile(file, async () => {
    // A .tmp left by a crash may be longer than the new text.
    await file.truncate(0);
    await file.write(bytes, 0, bytes.length, 0);
    await file.datasync();
  });
}

/** Runs `body`, then closes `file`; a failed close is reported, together with a failed body. */
async function usingFile<R>(file: DiskFile, body: () => Promise<R>): Promise<R> {
  let result: R;
  try {
    result = await body();
  } catch (error) {
    try {
      await file.close();
    } catch (closeError) {
      throw new AggregateError([error, closeError], `${file.path}: operation and close both failed`);
    }
    throw error;
  }
  await file.close();
  return result;
}
