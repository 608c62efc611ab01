// config/consumerOffset.json: committed consumer offsets, in the shape of RocketMQ 4.x's
// ConsumerOffsetManager. fastjson writes the inner Map<Integer, Long> with bare queue-id keys:
//
//   {"offsetTable":{"TopicTest@group-a":{0:250,1:248},"%RETRY%group-a@group-a":{0:0}}}
//
// Keel reads that form and standard JSON, and writes standard JSON (`{"0":250}`), which fastjson
// reads back into the same Map<Integer, Long>. RocketMQ 4.x keeps no DataVersion in this file; ours
// lives in memory only (a RocketMQ 5 file's `dataVersion` is adopted on load, not written back).

import {
  emptyRecord,
  expectObject,
  childPath,
  isJavaInt,
  isJavaLong,
  parseIntKey,
  sortedByKey,
} from './json-fields';
import { MetadataFormatError } from './metadata-errors';
import {
  decodeMetadataText,
  loadMetadataTable,
  MetadataTableFile,
  type LoadedMetadataTable,
  type MetadataFileOptions,
  type MetadataTableFormat,
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

/** Keyed by `topic@group`, as in the file. */
const OFFSETS_FORMAT: MetadataTableFormat<string, TopicGroupTable, ConsumerOffsetJson> = {
  description: 'consumer offsets',
  tableField: 'offsetTable',
  decodeEntry: (key, json, where) => {
    const { topic, group } = splitTopicAtGroup(key, where);
    return [key, { topic, group, offsets: decodeQueueOffsets(json, where) }];
  },
};

/**
 * Committed offsets per (topic, group, queue), loaded from and persisted to consumerOffset.json. Its
 * DataVersion is kept in memory only (see the top of this file).
 */
export class ConsumerOffsetFile extends MetadataTableFile<string, TopicGroupTable, ConsumerOffsetJson> {
  private constructor(loaded: LoadedMetadataTable<string, TopicGroupTable>) {
    super(loaded);
  }

  /** Reads the file (or its `.bak`); a missing file gives an empty table. */
  static async load(options: MetadataFileOptions): Promise<ConsumerOffsetFile> {
    return new ConsumerOffsetFile(await loadMetadataTable(options, OFFSETS_FORMAT));
  }

  /** The committed offset, or undefined when the group never committed one for that queue. */
  get(topic: string, group: string, queueId: number): number | undefined {
    return this.table.get(readKey(topic, group))?.offsets.get(queueId);
  }

  /** A copy of the (topic, group)'s offsets by queue id; empty when there are none. */
  queueOffsets(topic: string, group: string): Map<number, number> {
    return new Map(this.table.get(readKey(topic, group))?.offsets);
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
    let entry = this.table.get(key);
    if (entry === undefined) {
      entry = { topic, group, offsets: new Map() };
      this.table.set(key, entry);
    } else if (entry.offsets.get(queueId) === offset) {
      return;
    }
    entry.offsets.set(queueId, offset);
    this.changed();
  }

  /** Forgets the offsets of one (topic, group); false if there were none. */
  delete(topic: string, group: string): boolean {
    return this.remove(readKey(topic, group));
  }

  /** Forgets a group's offsets on every topic (DELETE_SUBSCRIPTIONGROUP with removeOffset); returns how many topics. */
  deleteGroup(group: string): number {
    return this.#deleteWhere((entry) => entry.group === group);
  }

  /** Forgets every group's offsets on a topic (topic deletion); returns how many groups. */
  deleteTopic(topic: string): number {
    return this.#deleteWhere((entry) => entry.topic === topic);
  }

  /** Replaces every offset (a slave adopting its master's table, see server/ha). */
  replaceAll(entries: Iterable<GroupTopicOffsets>): void {
    const table = new Map<string, TopicGroupTable>();
    for (const { topic, group, offsets } of entries) {
      table.set(topicAtGroup(topic, group), { topic, group, offsets: new Map(offsets) });
    }
    this.replaceTable(table, undefined);
  }

  /** Every (topic, group) with its offsets; the maps are live views, do not keep them. */
  *entries(): IterableIterator<GroupTopicOffsets> {
    yield* this.table.values();
  }

  /** The table in RocketMQ's shape (file content; the body of GET_ALL_CONSUMER_OFFSET). */
  override toRocketMqJson(): ConsumerOffsetJson {
    return { offsetTable: this.tableJson((entry) => queueOffsetsToJson(entry.offsets)) };
  }

  #deleteWhere(matches: (entry: TopicGroupTable) => boolean): number {
    let removed = 0;
    for (const [key, entry] of this.table) {
      if (matches(entry)) {
        this.table.delete(key);
        removed++;
      }
    }
    if (removed > 0) this.changed();
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

function queueOffsetsToJson(offsets: ReadonlyMap<number, number>): Readonly<Record<string, number>> {
  const json = emptyRecord<number>();
  for (const [queueId, offset] of sortedByKey(offsets)) json[String(queueId)] = offset;
  return json;
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

/** A ConsumerOffsetSerializeWrapper received as text (GET_ALL_CONSUMER_OFFSET); throws MetadataFormatError. */
export function decodeConsumerOffsetWrapper(text: string): GroupTopicOffsets[] {
  return [...decodeMetadataText(text, OFFSETS_FORMAT, 0).table.values()];
}
