// What the four metadata stores share: loading with `.bak` fallback and a report of what happened,
// the DataVersion, and persisting only what changed since the last durable write.

import type { Clock } from '../../common/clock';
import type { Disk } from '../disk/disk';
import { AtomicJsonFile, toJsonText } from './atomic-json-file';
import { initialDataVersion, nextDataVersion, type DataVersion } from './data-version';
import type { MetadataFormatError } from './metadata-errors';
import type { JsonValue } from './tolerant-json';

/** Where the time for DataVersion comes from; a `Clock` will do. */
export type MetadataClock = Pick<Clock, 'now'>;

export interface MetadataFileOptions {
  readonly disk: Disk;
  /** Full path of the file, e.g. `metadataFilePaths(storePathRootDir).topics`. */
  readonly path: string;
  readonly clock: MetadataClock;
}

/** What `load` found; the broker logs it (a `backup` source or ignored fields deserve a warning). */
export interface MetadataLoadResult {
  /** `none`: neither the file nor its `.bak` exists, the table starts empty. */
  readonly source: 'main' | 'backup' | 'none';
  /** The file the table came from (the main path when `source` is `none`). */
  readonly path: string;
  /** Why the main file was not used, when `source` is `backup`. */
  readonly mainProblem?: 'missing' | MetadataFormatError;
  /**
   * JSON paths of fields Keel does not model (e.g. RocketMQ 5's `attributes`). They are not kept:
   * the next persist writes the RocketMQ 4.x shape without them.
   */
  readonly ignoredFields: readonly string[];
}

export interface LoadedMetadata<T> {
  /** The decoded file, or undefined for a fresh store. */
  readonly decoded: T | undefined;
  readonly result: MetadataLoadResult;
}

/**
 * Reads and decodes a metadata file. `decode` reports unknown fields by pushing their paths to
 * `ignored` and throws MetadataFormatError for a wrong shape (which makes the loader try `.bak`).
 */
export async function loadMetadataFile<T>(
  options: MetadataFileOptions,
  description: string,
  decode: (json: JsonValue, ignored: string[]) => T,
): Promise<LoadedMetadata<T>> {
  let ignored: string[] = [];
  const read = await AtomicJsonFile.of(options.disk, options.path).read({
    description,
    decode: (json) => {
      // Only the copy that decodes completely counts; forget what a damaged main file reported.
      ignored = [];
      return decode(json, ignored);
    },
  });
  if (read === undefined) {
    return { decoded: undefined, result: { source: 'none', path: options.path, ignoredFields: [] } };
  }
  const result: MetadataLoadResult =
    read.source === 'main'
      ? { source: 'main', path: read.path, ignoredFields: ignored }
      : { source: 'backup', path: read.path, mainProblem: read.mainProblem, ignoredFields: ignored };
  return { decoded: read.value, result };
}

/**
 * Tracks changes of one in-memory table: bumps its DataVersion and persists the table when it
 * differs from what is on disk. Changes are counted in generations so that a persist which raced
 * with a change cannot mark the newer state as written.
 */
export class MetadataChanges {
  readonly #file: AtomicJsonFile;
  readonly #clock: MetadataClock;
  #dataVersion: DataVersion;
  #generation = 0;
  #durableGeneration = 0;

  /**
   * @param loaded what load found; a table restored from `.bak` starts out unpersisted so that the
   *   first persist repairs the main file.
   * @param dataVersion the version read from the file, if it had one.
   */
  constructor(
    options: MetadataFileOptions,
    loaded: MetadataLoadResult,
    dataVersion: DataVersion | undefined,
  ) {
    this.#file = AtomicJsonFile.of(options.disk, options.path);
    this.#clock = options.clock;
    this.#dataVersion = dataVersion ?? initialDataVersion(options.clock.now());
    if (loaded.source === 'backup') this.#generation = 1;
  }

  get dataVersion(): DataVersion {
    return this.#dataVersion;
  }

  /** True when the table changed since the last completed persist. */
  get unpersisted(): boolean {
    return this.#generation !== this.#durableGeneration;
  }

  /** Call after every change of the table. */
  changed(): void {
    this.#dataVersion = nextDataVersion(this.#dataVersion, this.#clock.now());
    this.#generation++;
  }

  /**
   * Writes `render()` (the table's JSON) atomically if the table changed since the last persist.
   * Concurrent calls share writes; each resolves once its state (or a newer one) is durable.
   */
  async persist(render: () => unknown): Promise<void> {
    if (!this.unpersisted) return;
    let rendered: number | undefined;
    await this.#file.write(() => {
      rendered = this.#generation;
      return toJsonText(render());
    });
    if (rendered === undefined) {
      // The shared write rendered another caller's closure, which records its own generation.
      return;
    }
    if (rendered > this.#durableGeneration) this.#durableGeneration = rendered;
  }
}
