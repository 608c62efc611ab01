// config/topics.json: the broker's topic table, in the shape of RocketMQ 4.x's
// TopicConfigSerializeWrapper (TopicConfigManager.encode), which is also the body of
// GET_ALL_TOPIC_CONFIG and part of REGISTER_BROKER:
//
//   {
//     "dataVersion": { "counter": 3, "timestamp": 1700000000000 },
//     "topicConfigTable": {
//       "TopicTest": {
//         "order": false, "perm": 6, "readQueueNums": 4, "topicFilterType": "SINGLE_TAG",
//         "topicName": "TopicTest", "topicSysFlag": 0, "writeQueueNums": 4
//       }
//     }
//   }
//
// Fields missing from a file take TopicConfig's Java defaults (facts §12).

import type { DataVersion } from './data-version';
import { dataVersionToJson, readDataVersionField, type DataVersionJson } from './data-version';
import {
  childPath,
  emptyRecord,
  FieldReader,
  expectObject,
  isJavaInt,
  sortedByKey,
  withoutUndefined,
} from './json-fields';
import { MetadataFormatError } from './metadata-errors';
import {
  loadMetadataFile,
  MetadataChanges,
  type MetadataFileOptions,
  type MetadataLoadResult,
} from './metadata-file';
import type { JsonValue } from './tolerant-json';

export const TOPIC_FILTER_TYPES = ['SINGLE_TAG', 'MULTI_TAG'] as const;
export type TopicFilterType = (typeof TOPIC_FILTER_TYPES)[number];

/** One topic's configuration on this broker ([C]TopicConfig.java). */
export interface TopicConfig {
  readonly topicName: string;
  readonly readQueueNums: number;
  readonly writeQueueNums: number;
  /** PermName bits: PRIORITY 8, READ 4, WRITE 2, INHERIT 1. */
  readonly perm: number;
  readonly topicFilterType: TopicFilterType;
  readonly topicSysFlag: number;
  readonly order: boolean;
}

/** A topic to store: the name plus any fields that differ from the defaults. */
export type TopicConfigInput = Pick<TopicConfig, 'topicName'> & Partial<Omit<TopicConfig, 'topicName'>>;

/** TopicConfig's Java field initialisers. */
export const TOPIC_CONFIG_DEFAULTS = {
  readQueueNums: 16,
  writeQueueNums: 16,
  perm: 6,
  topicFilterType: 'SINGLE_TAG',
  topicSysFlag: 0,
  order: false,
} as const satisfies Omit<TopicConfig, 'topicName'>;

/** One table entry as written, keys in fastjson's (alphabetical) order. */
export interface TopicConfigJson {
  readonly order: boolean;
  readonly perm: number;
  readonly readQueueNums: number;
  readonly topicFilterType: TopicFilterType;
  readonly topicName: string;
  readonly topicSysFlag: number;
  readonly writeQueueNums: number;
}

export interface TopicConfigSerializeWrapperJson {
  readonly dataVersion: DataVersionJson;
  readonly topicConfigTable: Readonly<Record<string, TopicConfigJson>>;
}

interface DecodedTopics {
  readonly topics: Map<string, TopicConfig>;
  readonly dataVersion: DataVersion | undefined;
}

/** The topic table, loaded from and persisted to topics.json. Create it with `load`. */
export class TopicConfigFile {
  /** What load found, for the broker's log. */
  readonly loadResult: MetadataLoadResult;
  readonly #topics: Map<string, TopicConfig>;
  readonly #changes: MetadataChanges;

  private constructor(
    topics: Map<string, TopicConfig>,
    loadResult: MetadataLoadResult,
    changes: MetadataChanges,
  ) {
    this.#topics = topics;
    this.loadResult = loadResult;
    this.#changes = changes;
  }

  /** Reads the file (or its `.bak`); a missing file gives an empty table. */
  static async load(options: MetadataFileOptions): Promise<TopicConfigFile> {
    const { decoded, result } = await loadMetadataFile(options, 'topic configs', (json, ignored) =>
      decodeTopicConfigs(json, options.clock.now(), ignored),
    );
    const changes = new MetadataChanges(options, result, decoded?.dataVersion);
    return new TopicConfigFile(decoded?.topics ?? new Map(), result, changes);
  }

  get dataVersion(): DataVersion {
    return this.#changes.dataVersion;
  }

  get size(): number {
    return this.#topics.size;
  }

  get(topicName: string): TopicConfig | undefined {
    return this.#topics.get(topicName);
  }

  has(topicName: string): boolean {
    return this.#topics.has(topicName);
  }

  /** Every topic, in no particular order. */
  topics(): IterableIterator<TopicConfig> {
    return this.#topics.values();
  }

  /**
   * Creates or replaces a topic (fields not given take the defaults, not the old values) and
   * returns what is stored. The DataVersion moves only when the config really changes, so
   * re-applying the same config does not make the name server rebuild routes.
   */
  set(input: TopicConfigInput): TopicConfig {
    const config = resolveTopicConfig(input);
    const old = this.#topics.get(config.topicName);
    if (old !== undefined && sameTopicConfig(old, config)) return old;
    this.#topics.set(config.topicName, config);
    this.#changes.changed();
    return config;
  }

  /** Removes a topic; false if there was none. */
  delete(topicName: string): boolean {
    if (!this.#topics.delete(topicName)) return false;
    this.#changes.changed();
    return true;
  }

  /** Writes the table if it changed since the last persist (crash-safe; concurrent calls coalesce). */
  persist(): Promise<void> {
    return this.#changes.persist(() => this.toRocketMqJson());
  }

  /** True when there are changes that `persist` has not yet made durable. */
  get unpersisted(): boolean {
    return this.#changes.unpersisted;
  }

  /** The table as RocketMQ serialises it (file content and GET_ALL_TOPIC_CONFIG body). */
  toRocketMqJson(): TopicConfigSerializeWrapperJson {
    const table = emptyRecord<TopicConfigJson>();
    for (const [name, config] of sortedByKey(this.#topics)) table[name] = topicConfigToJson(config);
    return { dataVersion: dataVersionToJson(this.#changes.dataVersion), topicConfigTable: table };
  }
}

/** Fills defaults and checks the ranges Java's types impose; a RangeError names the bad field. */
export function resolveTopicConfig(input: TopicConfigInput): TopicConfig {
  const config: TopicConfig = { ...TOPIC_CONFIG_DEFAULTS, ...withoutUndefined(input) };
  if (typeof config.topicName !== 'string' || config.topicName.length === 0) {
    throw new RangeError('topicName must be a non-empty string');
  }
  for (const field of ['readQueueNums', 'writeQueueNums', 'perm', 'topicSysFlag'] as const) {
    const value = config[field];
    if (!isJavaInt(value) || value < 0) {
      throw new RangeError(
        `${config.topicName}: ${field} must be an integer from 0 to 2^31 - 1, got ${value}`,
      );
    }
  }
  if (!TOPIC_FILTER_TYPES.includes(config.topicFilterType)) {
    throw new RangeError(`${config.topicName}: topicFilterType must be SINGLE_TAG or MULTI_TAG`);
  }
  if (typeof config.order !== 'boolean') throw new RangeError(`${config.topicName}: order must be a boolean`);
  return config;
}

function sameTopicConfig(a: TopicConfig, b: TopicConfig): boolean {
  return (
    a.topicName === b.topicName &&
    a.readQueueNums === b.readQueueNums &&
    a.writeQueueNums === b.writeQueueNums &&
    a.perm === b.perm &&
    a.topicFilterType === b.topicFilterType &&
    a.topicSysFlag === b.topicSysFlag &&
    a.order === b.order
  );
}

function topicConfigToJson(config: TopicConfig): TopicConfigJson {
  return {
    order: config.order,
    perm: config.perm,
    readQueueNums: config.readQueueNums,
    topicFilterType: config.topicFilterType,
    topicName: config.topicName,
    topicSysFlag: config.topicSysFlag,
    writeQueueNums: config.writeQueueNums,
  };
}

function decodeTopicConfigs(json: JsonValue, nowMs: number, ignored: string[]): DecodedTopics {
  const wrapper = new FieldReader(json, '');
  const dataVersion = readDataVersionField(wrapper, nowMs, ignored);
  const tableJson = wrapper.raw('topicConfigTable');
  const topics = new Map<string, TopicConfig>();
  if (tableJson !== undefined) {
    const table = expectObject(tableJson, 'topicConfigTable');
    for (const name of Object.keys(table)) {
      topics.set(name, decodeTopicConfig(table[name], name, childPath('topicConfigTable', name), ignored));
    }
  }
  ignored.push(...wrapper.unread());
  return { topics, dataVersion };
}

function decodeTopicConfig(
  json: JsonValue | undefined,
  key: string,
  where: string,
  ignored: string[],
): TopicConfig {
  const fields = new FieldReader(json, where);
  const topicName = fields.string('topicName') ?? key;
  // The table key is what RocketMQ looks topics up by; a different inner name means a hand edit
  // went wrong, and guessing which one is meant could expose a topic under the wrong name.
  if (topicName !== key) {
    throw new MetadataFormatError(
      `${where}.topicName: ${JSON.stringify(topicName)} differs from its table key`,
    );
  }
  const defaults = TOPIC_CONFIG_DEFAULTS;
  const config: TopicConfig = {
    topicName,
    readQueueNums: fields.int('readQueueNums', defaults.readQueueNums, 0),
    writeQueueNums: fields.int('writeQueueNums', defaults.writeQueueNums, 0),
    perm: fields.int('perm', defaults.perm, 0),
    topicFilterType: fields.oneOf('topicFilterType', TOPIC_FILTER_TYPES, defaults.topicFilterType),
    topicSysFlag: fields.int('topicSysFlag', defaults.topicSysFlag, 0),
    order: fields.bool('order', defaults.order),
  };
  ignored.push(...fields.unread());
  return config;
}
