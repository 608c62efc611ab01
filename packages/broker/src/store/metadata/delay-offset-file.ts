// config/delayOffset.json: how far the schedule service has delivered each delay level's queue of
// SCHEDULE_TOPIC_XXXX, in the shape of RocketMQ 4.x's DelayOffsetSerializeWrapper. fastjson writes
// the Map<Integer, Long> with bare level keys:
//
//   {"offsetTable":{1:12,2:0,3:5}}
//
// Keel reads that form and standard JSON, and writes standard JSON (`{"1":12}`). As with consumer
// offsets, RocketMQ 4.x stores no DataVersion here; ours lives in memory only.

import { readDataVersionField, type DataVersion } from './data-version';
import {
  emptyRecord,
  expectObject,
  FieldReader,
  childPath,
  isJavaInt,
  isJavaLong,
  parseIntKey,
  sortedByKey,
} from './json-fields';
import { MetadataFormatError } from './metadata-errors';
import {
  loadMetadataFile,
  MetadataChanges,
  type MetadataFileOptions,
  type MetadataLoadResult,
} from './metadata-file';
import type { JsonValue } from './tolerant-json';

export interface DelayOffsetJson {
  /** Delay level (1-based) → consume-queue offset of the next message to deliver. */
  readonly offsetTable: Readonly<Record<string, number>>;
}

/** Delivery progress per delay level, loaded from and persisted to delayOffset.json. */
export class DelayOffsetFile {
  readonly loadResult: MetadataLoadResult;
  readonly #offsets: Map<number, number>;
  readonly #changes: MetadataChanges;

  private constructor(
    offsets: Map<number, number>,
    loadResult: MetadataLoadResult,
    changes: MetadataChanges,
  ) {
    this.#offsets = offsets;
    this.loadResult = loadResult;
    this.#changes = changes;
  }

  /** Reads the file (or its `.bak`); a missing file gives an empty table. */
  static async load(options: MetadataFileOptions): Promise<DelayOffsetFile> {
    const { decoded, result } = await loadMetadataFile(options, 'delay offsets', (json, ignored) =>
      decodeDelayOffsets(json, options.clock.now(), ignored),
    );
    const changes = new MetadataChanges(options, result, decoded?.dataVersion);
    return new DelayOffsetFile(decoded?.offsets ?? new Map(), result, changes);
  }

  /** Moves on every change; kept in memory only (see the top of this file). */
  get dataVersion(): DataVersion {
    return this.#changes.dataVersion;
  }

  /** The level's offset, or undefined when the level has never delivered anything. */
  get(level: number): number | undefined {
    return this.#offsets.get(level);
  }

  set(level: number, offset: number): void {
    checkLevel(level);
    if (!isJavaLong(offset)) throw new RangeError(`offset must be a safe integer, got ${offset}`);
    if (this.#offsets.get(level) === offset) return;
    this.#offsets.set(level, offset);
    this.#changes.changed();
  }

  delete(level: number): boolean {
    if (!this.#offsets.delete(level)) return false;
    this.#changes.changed();
    return true;
  }

  /** `[level, offset]` pairs, in no particular order. */
  entries(): IterableIterator<[number, number]> {
    return this.#offsets.entries();
  }

  /** Writes the table if it changed since the last persist (crash-safe; concurrent calls coalesce). */
  persist(): Promise<void> {
    return this.#changes.persist(() => this.toRocketMqJson());
  }

  get unpersisted(): boolean {
    return this.#changes.unpersisted;
  }

  /** The table in RocketMQ's shape (file content; the body of GET_ALL_DELAY_OFFSET). */
  toRocketMqJson(): DelayOffsetJson {
    const table = emptyRecord<number>();
    for (const [level, offset] of sortedByKey(this.#offsets)) table[String(level)] = offset;
    return { offsetTable: table };
  }
}

/** Levels are 1-based positions in `messageDelayLevel`; 0 means "not delayed" and is never stored. */
function checkLevel(level: number): void {
  if (!isJavaInt(level) || level < 1) throw new RangeError(`delay level must be an int >= 1, got ${level}`);
}

function decodeDelayOffsets(
  json: JsonValue,
  nowMs: number,
  ignored: string[],
): { offsets: Map<number, number>; dataVersion: DataVersion | undefined } {
  const wrapper = new FieldReader(json, '');
  const dataVersion = readDataVersionField(wrapper, nowMs, ignored);
  const offsets = new Map<number, number>();
  const tableJson = wrapper.raw('offsetTable');
  if (tableJson !== undefined) {
    const table = expectObject(tableJson, 'offsetTable');
    for (const key of Object.keys(table)) {
      const where = childPath('offsetTable', key);
      const offset = table[key];
      if (!isJavaLong(offset)) {
        throw new MetadataFormatError(
          `${where}: expected an offset (safe integer), found ${JSON.stringify(offset)}`,
        );
      }
      offsets.set(parseIntKey(key, where, 1), offset);
    }
  }
  ignored.push(...wrapper.unread());
  return { offsets, dataVersion };
}
