// What the four metadata stores share: loading with `.bak` fallback and a report of what happened,
// the DataVersion, and persisting only what changed since the last durable write. Every file is a
// wrapper object around one table:
//
//   { "dataVersion": { "counter": N, "timestamp": ms },   optional; only some files write it
//     "<tableField>": { "<key>": <entry>, ... } }          entries in the table's own shape
//
// A store describes its file with a MetadataTableFormat (how one entry decodes), renders its
// wrapper in `toRocketMqJson`, and adds its table operations; MetadataTableFile does the rest.

import type { Clock } from '../../common/clock';
import type { Disk } from '../disk/disk';
import { AtomicJsonFile, toJsonText } from './atomic-json-file';
import { initialDataVersion, nextDataVersion, readDataVersionField, type DataVersion } from './data-version';
import { childPath, emptyRecord, expectObject, FieldReader, sortedByKey } from './json-fields';
import type { MetadataFormatError } from './metadata-errors';
import { parseTolerantJson, type JsonValue } from './tolerant-json';

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

/** How one store's file reads: `Json` is the wrapper `toRocketMqJson` returns. */
export interface MetadataTableFormat<K, V, Json> {
  /** What the file holds, for the error message when no copy loads (e.g. "topic configs"). */
  readonly description: string;
  /** The wrapper field that holds the table. */
  readonly tableField: Exclude<keyof Json, 'dataVersion'> & string;
  /**
   * Decodes the table entry under `key` (found at JSON path `where`). Reports unknown fields by
   * pushing their paths to `ignored`; throws MetadataFormatError for a wrong shape, which makes the
   * loader try `.bak`.
   */
  decodeEntry(key: string, json: JsonValue | undefined, where: string, ignored: string[]): readonly [K, V];
}

/** What `loadMetadataTable` hands to a store's constructor. */
export interface LoadedMetadataTable<K, V> {
  readonly options: MetadataFileOptions;
  readonly result: MetadataLoadResult;
  readonly table: Map<K, V>;
  /** The version read from the file, if it had one. */
  readonly dataVersion: DataVersion | undefined;
}

/** Reads and decodes a metadata file (or its `.bak`); a missing file gives an empty table. */
export async function loadMetadataTable<K, V, Json>(
  options: MetadataFileOptions,
  format: MetadataTableFormat<K, V, Json>,
): Promise<LoadedMetadataTable<K, V>> {
  let ignored: string[] = [];
  const read = await AtomicJsonFile.of(options.disk, options.path).read({
    description: format.description,
    decode: (json) => {
      // Only the copy that decodes completely counts; forget what a damaged main file reported.
      ignored = [];
      return decodeWrapper(json, format, options.clock.now(), ignored);
    },
  });
  if (read === undefined) {
    const result: MetadataLoadResult = { source: 'none', path: options.path, ignoredFields: [] };
    return { options, result, table: new Map(), dataVersion: undefined };
  }
  const result: MetadataLoadResult =
    read.source === 'main'
      ? { source: 'main', path: read.path, ignoredFields: ignored }
      : { source: 'backup', path: read.path, mainProblem: read.mainProblem, ignoredFields: ignored };
  return { options, result, ...read.value };
}

/**
 * Decodes a table received in its file's shape rather than read from the file: the body of
 * GET_ALL_TOPIC_CONFIG, GET_ALL_CONSUMER_OFFSET, ..., which a slave reads from its master. Throws
 * MetadataFormatError as a damaged file would.
 */
export function decodeMetadataText<K, V, Json>(
  text: string,
  format: MetadataTableFormat<K, V, Json>,
  nowMs: number,
): { table: Map<K, V>; dataVersion: DataVersion | undefined } {
  return decodeWrapper(parseTolerantJson(text), format, nowMs, []);
}

function decodeWrapper<K, V, Json>(
  json: JsonValue,
  format: MetadataTableFormat<K, V, Json>,
  nowMs: number,
  ignored: string[],
): { table: Map<K, V>; dataVersion: DataVersion | undefined } {
  const wrapper = new FieldReader(json, '');
  const dataVersion = readDataVersionField(wrapper, nowMs, ignored);
  const table = new Map<K, V>();
  const tableJson = wrapper.raw(format.tableField);
  if (tableJson !== undefined) {
    const entries = expectObject(tableJson, format.tableField);
    for (const key of Object.keys(entries)) {
      const where = childPath(format.tableField, key);
      const [tableKey, value] = format.decodeEntry(key, entries[key], where, ignored);
      table.set(tableKey, value);
    }
  }
  ignored.push(...wrapper.unread());
  return { table, dataVersion };
}

/**
 * One in-memory table with its file: tracks changes, bumps the DataVersion and persists the table
 * when it differs from what is on disk. Changes are counted in generations so that a persist which
 * raced with a change cannot mark the newer state as written.
 */
export abstract class MetadataTableFile<K extends string | number, V, Json> {
  /** What load found, for the broker's log. */
  readonly loadResult: MetadataLoadResult;
  /** The table; subclasses call `changed()` after every change they make to it. */
  protected readonly table: Map<K, V>;
  readonly #file: AtomicJsonFile;
  readonly #clock: MetadataClock;
  #dataVersion: DataVersion;
  #generation = 0;
  #durableGeneration = 0;

  protected constructor(loaded: LoadedMetadataTable<K, V>) {
    const { options } = loaded;
    this.loadResult = loaded.result;
    this.table = loaded.table;
    this.#file = AtomicJsonFile.of(options.disk, options.path);
    this.#clock = options.clock;
    this.#dataVersion = loaded.dataVersion ?? initialDataVersion(options.clock.now());
    // A table restored from `.bak` starts out unpersisted so that the first persist repairs the main file.
    if (loaded.result.source === 'backup') this.#generation = 1;
  }

  /** Moves on every change of the table. */
  get dataVersion(): DataVersion {
    return this.#dataVersion;
  }

  /** True when there are changes that `persist` has not yet made durable. */
  get unpersisted(): boolean {
    return this.#generation !== this.#durableGeneration;
  }

  /** The table in RocketMQ's shape: the file content, and the body of the matching GET_ALL_* request. */
  abstract toRocketMqJson(): Json;

  /**
   * Writes the table if it changed since the last persist (crash-safe; concurrent calls coalesce).
   * Each call resolves once its state (or a newer one) is durable.
   */
  async persist(): Promise<void> {
    if (!this.unpersisted) return;
    let rendered: number | undefined;
    await this.#file.write(() => {
      rendered = this.#generation;
      return toJsonText(this.toRocketMqJson());
    });
    if (rendered === undefined) {
      // The shared write rendered another caller's closure, which records its own generation.
      return;
    }
    if (rendered > this.#durableGeneration) this.#durableGeneration = rendered;
  }

  /** Call after every change of the table. */
  protected changed(): void {
    this.#dataVersion = nextDataVersion(this.#dataVersion, this.#clock.now());
    this.#generation++;
  }

  /** Stores `value` under `key` unless `same` finds it equal to what is there; returns what is stored. */
  protected put(key: K, value: V, same: (stored: V, value: V) => boolean): V {
    const old = this.table.get(key);
    if (old !== undefined && same(old, value)) return old;
    this.table.set(key, value);
    this.changed();
    return value;
  }

  /**
   * Replaces the whole table (a slave adopting its master's); `dataVersion`, when given, becomes
   * this table's, so the next comparison with the master's finds them equal.
   */
  protected replaceTable(table: ReadonlyMap<K, V>, dataVersion: DataVersion | undefined): void {
    this.table.clear();
    for (const [key, value] of table) this.table.set(key, value);
    this.changed();
    if (dataVersion !== undefined) this.#dataVersion = dataVersion;
  }

  /** Removes `key`; false if it was not there. */
  protected remove(key: K): boolean {
    if (!this.table.delete(key)) return false;
    this.changed();
    return true;
  }

  /**
   * The table as a JSON object ordered by key, so the files are stable and diffable. It has no
   * prototype, so that a key like `__proto__` (a valid topic or group name) stays an entry.
   */
  protected tableJson<E>(encode: (value: V) => E): Record<string, E> {
    const json = emptyRecord<E>();
    for (const [key, value] of sortedByKey(this.table)) json[String(key)] = encode(value);
    return json;
  }
}
