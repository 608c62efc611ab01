// config/delayOffset.json: how far the schedule service has delivered each delay level's queue of
// SCHEDULE_TOPIC_XXXX, in the shape of RocketMQ 4.x's DelayOffsetSerializeWrapper. fastjson writes
// the Map<Integer, Long> with bare level keys:
//
//   {"offsetTable":{1:12,2:0,3:5}}
//
// Keel reads that form and standard JSON, and writes standard JSON (`{"1":12}`). As with consumer
// offsets, RocketMQ 4.x stores no DataVersion here; ours lives in memory only.

import { isJavaInt, isJavaLong, parseIntKey } from './json-fields';
import { MetadataFormatError } from './metadata-errors';
import {
  decodeMetadataText,
  loadMetadataTable,
  MetadataTableFile,
  type LoadedMetadataTable,
  type MetadataFileOptions,
  type MetadataTableFormat,
} from './metadata-file';

export interface DelayOffsetJson {
  /** Delay level (1-based) → consume-queue offset of the next message to deliver. */
  readonly offsetTable: Readonly<Record<string, number>>;
}

const DELAY_OFFSETS_FORMAT: MetadataTableFormat<number, number, DelayOffsetJson> = {
  description: 'delay offsets',
  tableField: 'offsetTable',
  decodeEntry: (key, json, where) => {
    if (!isJavaLong(json)) {
      throw new MetadataFormatError(
        `${where}: expected an offset (safe integer), found ${JSON.stringify(json)}`,
      );
    }
    return [parseIntKey(key, where, 1), json];
  },
};

/**
 * Delivery progress per delay level, loaded from and persisted to delayOffset.json. Its DataVersion
 * is kept in memory only (see the top of this file).
 */
export class DelayOffsetFile extends MetadataTableFile<number, number, DelayOffsetJson> {
  private constructor(loaded: LoadedMetadataTable<number, number>) {
    super(loaded);
  }

  /** Reads the file (or its `.bak`); a missing file gives an empty table. */
  static async load(options: MetadataFileOptions): Promise<DelayOffsetFile> {
    return new DelayOffsetFile(await loadMetadataTable(options, DELAY_OFFSETS_FORMAT));
  }

  /** The level's offset, or undefined when the level has never delivered anything. */
  get(level: number): number | undefined {
    return this.table.get(level);
  }

  set(level: number, offset: number): void {
    checkLevel(level);
    if (!isJavaLong(offset)) throw new RangeError(`offset must be a safe integer, got ${offset}`);
    this.put(level, offset, (stored, value) => stored === value);
  }

  delete(level: number): boolean {
    return this.remove(level);
  }

  /** Replaces every level's offset (a slave adopting its master's table). */
  replaceAll(offsets: ReadonlyMap<number, number>): void {
    this.replaceTable(offsets, undefined);
  }

  /** `[level, offset]` pairs, in no particular order. */
  entries(): IterableIterator<[number, number]> {
    return this.table.entries();
  }

  /** The table in RocketMQ's shape (file content; the body of GET_ALL_DELAY_OFFSET). */
  override toRocketMqJson(): DelayOffsetJson {
    return { offsetTable: this.tableJson((offset) => offset) };
  }
}

/** Levels are 1-based positions in `messageDelayLevel`; 0 means "not delayed" and is never stored. */
function checkLevel(level: number): void {
  if (!isJavaInt(level) || level < 1) throw new RangeError(`delay level must be an int >= 1, got ${level}`);
}

/** A delay-offset table received as text (GET_ALL_DELAY_OFFSET); throws MetadataFormatError. */
export function decodeDelayOffsetTable(text: string): Map<number, number> {
  return decodeMetadataText(text, DELAY_OFFSETS_FORMAT, 0).table;
}
