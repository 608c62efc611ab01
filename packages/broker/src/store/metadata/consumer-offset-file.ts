// config/consumerOffset.json: committed consumer offsets, in the shape of RocketMQ 4.x's
// ConsumerOffsetManager. fastjson writes the inner Map<Integer, Long> with bare queue-id keys:
//
//   {"offsetTable":{"TopicTest@group-a":{0:250,1:248},"%RETRY%group-a@group-a":{0:0}}}
//
// Keel reads that form and standard JSON, and writes standard JSON (`{"0":250}`), which fastjson
// reads back into the same Map<Integer, Long>. RocketMQ 4.x keeps no DataVersion in this file; ours
// lives in memory only (a RocketMQ 5 file's `dataVersion` is adopted on load, not written back).

import { readDataVersionField, type DataVersion } from './data-version';
import {
  childPath,
  emptyRecord,
  expectObject,
  FieldReader,
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

/** RocketMQ's TOPIC_GROUP_SEPARATOR; topic and group names cannot contain it (their validators forbid '@'). */
export const TOPIC_GROUP_SEPARATOR = '@';

export interface ConsumerOffsetJson {
  /** `"<topic>@<group>"` → queue id → next offset to consume. */
  readonly offsetTable: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** The offsets of one (topic, group), as `entries()` lists them. */
export interface GroupTopicOffsets {
  readonly topic: string;
  readonly group: string;
  readonly offsets: ReadonlyMap<number, number>;
}

interface TopicGroupTable {
  readonly topic: string;
  readonly group: string;
  readonly offsets: Map<number, number>;
}

/** Committed offsets per (topic, group, queue), loaded from and persisted to consumerOffset.json. */
export class ConsumerOffsetFile {
  readonly loadResult: MetadataLoadResult;
  /** Keyed by `topic@group`, as in the file. */
  readonly #table: Map<string, TopicGroupTable>;
  readonly #changes: MetadataChanges;

  private constructor(
    table: Map<string, TopicGroupTable>,
    loadResult: MetadataLoadResult,
    changes: MetadataChanges,
  ) {
    this.#table = table;
    this.loadResult = loadResult;
    this.#changes = changes;
  }

  /** Reads the file (or its `.bak`); a missing file gives an empty table. */
  static async load(options: MetadataFileOptions): Promise<ConsumerOffsetFile> {
    const { decoded, result } = await loadMetadataFile(options, 'consumer offsets', (json, ignored) =>
      decodeConsumerOffsets(json, options.clock.now(), ignored),
    );
    const changes = new MetadataChanges(options, result, decoded?.dataVersion);
    return new ConsumerOffsetFile(decoded?.table ?? new Map(), result, changes);
  }

  /** Moves on every change; kept in memory only (see the top of this file). */
  get dataVersion(): DataVersion {
    return this.#changes.dataVersion;
  }

  /** The committed offset, or undefined when the group never committed one for that queue. */
  get(topic: string, group: string, queueId: number): number | undefined {
    return this.#table.get(readKey(topic, group))?.offsets.get(queueId);
  }

  /** A copy of the (topic, group)'s offsets by queue id; empty when there are none. */
  queueOffsets(topic: string, group: string): Map<number, number> {
    return new Map(this.#table.get(readKey(topic, group))?.offsets);
  }

  /**
   * Records a commit. A lower offset than the stored one is accepted, as in RocketMQ: consumers
   * rewind on purpose (reset offset, re-consume).
   */
  set(topic: string, group: string, queueId: number, offset: number): void {
    const key = topicAtGroup(topic, group);
    if (!isJavaInt(queueId) || queueId < 0)
      throw new RangeError(`queueId must be an int >= 0, got ${queueId}`);
    if (!isJavaLong(offset)) throw new RangeError(`offset must be a safe integer, got ${offset}`);
    let entry = this.#table.get(key);
    if (entry === undefined) {
      entry = { topic, group, offsets: new Map() };
      this.#table.set(key, entry);
    } else if (entry.offsets.get(queueId) === offset) {
      return;
    }
    entry.offsets.set(queueId, offset);
    this.#changes.changed();
  }

  /** Forgets the offsets of one (topic, group); false if there were none. */
  delete(topic: string, group: string): boolean {
    if (!this.#table.delete(readKey(topic, group))) return false;
    this.#changes.changed();
    return true;
  }

  /** Forgets a group's offsets on every topic (DELETE_SUBSCRIPTIONGROUP with removeOffset); returns how many topics. */
  deleteGroup(group: string): number {
    return this.#deleteWhere((entry) => entry.group === group);
  }

  /** Forgets every group's offsets on a topic (topic deletion); returns how many groups. */
  deleteTopic(topic: string): number {
    return this.#deleteWhere((entry) => entry.topic === topic);
  }

  /** Every (topic, group) with its offsets; the maps are live views, do not keep them. */
  *entries(): IterableIterator<GroupTopicOffsets> {
    yield* this.#table.values();
  }

  /** Writes the table if it changed since the last persist (crash-safe; concurrent calls coalesce). */
  persist(): Promise<void> {
    return this.#changes.persist(() => this.toRocketMqJson());
  }

  get unpersisted(): boolean {
    return this.#changes.unpersisted;
  }

  /** The table in RocketMQ's shape (file content; the body of GET_ALL_CONSUMER_OFFSET). */
  toRocketMqJson(): ConsumerOffsetJson {
    const table = emptyRecord<Readonly<Record<string, number>>>();
    for (const [key, entry] of sortedByKey(this.#table)) {
      const offsets = emptyRecord<number>();
      for (const [queueId, offset] of sortedByKey(entry.offsets)) offsets[String(queueId)] = offset;
      table[key] = offsets;
    }
    return { offsetTable: table };
  }

  #deleteWhere(matches: (entry: TopicGroupTable) => boolean): number {
    let removed = 0;
    for (const [key, entry] of this.#table) {
      if (matches(entry)) {
        this.#table.delete(key);
        removed++;
      }
    }
    if (removed > 0) this.#changes.changed();
    return removed;
  }
}

/** The table key for lookups: names that could never be stored (containing '@') simply find nothing. */
function readKey(topic: string, group: string): string {
  return topic.includes(TOPIC_GROUP_SEPARATOR) ? '' : topic + TOPIC_GROUP_SEPARATOR + group;
}

/** The table key for a write; names that would make the key ambiguous are refused. */
function topicAtGroup(topic: string, group: string): string {
  for (const [what, name] of [
    ['topic', topic],
    ['group', group],
  ] as const) {
    if (name.length === 0 || name.includes(TOPIC_GROUP_SEPARATOR)) {
      throw new RangeError(
        `${what} must be non-empty and must not contain '${TOPIC_GROUP_SEPARATOR}': ${name}`,
      );
    }
  }
  return topic + TOPIC_GROUP_SEPARATOR + group;
}

/** Splits a file key; RocketMQ also requires exactly one separator (`split("@").length == 2`). */
function splitTopicAtGroup(key: string, where: string): { topic: string; group: string } {
  const parts = key.split(TOPIC_GROUP_SEPARATOR);
  const [topic, group] = parts;
  if (parts.length !== 2 || topic === undefined || group === undefined || topic === '' || group === '') {
    throw new MetadataFormatError(`${where}: key ${JSON.stringify(key)} is not "<topic>@<group>"`);
  }
  return { topic, group };
}

function decodeConsumerOffsets(
  json: JsonValue,
  nowMs: number,
  ignored: string[],
): { table: Map<string, TopicGroupTable>; dataVersion: DataVersion | undefined } {
  const wrapper = new FieldReader(json, '');
  const dataVersion = readDataVersionField(wrapper, nowMs, ignored);
  const table = new Map<string, TopicGroupTable>();
  const tableJson = wrapper.raw('offsetTable');
  if (tableJson !== undefined) {
    const offsetTable = expectObject(tableJson, 'offsetTable');
    for (const key of Object.keys(offsetTable)) {
      const where = childPath('offsetTable', key);
      const { topic, group } = splitTopicAtGroup(key, where);
      table.set(key, { topic, group, offsets: decodeQueueOffsets(offsetTable[key], where) });
    }
  }
  ignored.push(...wrapper.unread());
  return { table, dataVersion };
}

function decodeQueueOffsets(json: JsonValue | undefined, where: string): Map<number, number> {
  const object = expectObject(json, where);
  const offsets = new Map<number, number>();
  for (const key of Object.keys(object)) {
    const queueWhere = childPath(where, key);
    const offset = object[key];
    if (!isJavaLong(offset)) {
      throw new MetadataFormatError(
        `${queueWhere}: expected an offset (safe integer), found ${JSON.stringify(offset)}`,
      );
    }
    offsets.set(parseIntKey(key, queueWhere, 0), offset);
  }
  return offsets;
}
