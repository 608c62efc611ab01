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

import { dataVersionToJson, type DataVersion, type DataVersionJson } from './data-version';
import { FieldReader, isJavaInt, withoutUndefined } from './json-fields';
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

const TOPICS_FORMAT: MetadataTableFormat<string, TopicConfig, TopicConfigSerializeWrapperJson> = {
  description: 'topic configs',
  tableField: 'topicConfigTable',
  decodeEntry: (name, json, where, ignored) => [name, decodeTopicConfig(json, name, where, ignored)],
};

/** The topic table, loaded from and persisted to topics.json. Create it with `load`. */
export class TopicConfigFile extends MetadataTableFile<string, TopicConfig, TopicConfigSerializeWrapperJson> {
  private constructor(loaded: LoadedMetadataTable<string, TopicConfig>) {
    super(loaded);
  }

  /** Reads the file (or its `.bak`); a missing file gives an empty table. */
  static async load(options: MetadataFileOptions): Promise<TopicConfigFile> {
    return new TopicConfigFile(await loadMetadataTable(options, TOPICS_FORMAT));
  }

  get size(): number {
    return this.table.size;
  }

  get(topicName: string): TopicConfig | undefined {
    return this.table.get(topicName);
  }

  has(topicName: string): boolean {
    return this.table.has(topicName);
  }

  /** Every topic, in no particular order. */
  topics(): IterableIterator<TopicConfig> {
    return this.table.values();
  }

  /**
   * Creates or replaces a topic (fields not given take the defaults, not the old values) and
   * returns what is stored. The DataVersion moves only when the config really changes, so
   * re-applying the same config does not make the name server rebuild routes.
   */
  set(input: TopicConfigInput): TopicConfig {
    const config = resolveTopicConfig(input);
    return this.put(config.topicName, config, sameTopicConfig);
  }

  /** Removes a topic; false if there was none. */
  delete(topicName: string): boolean {
    return this.remove(topicName);
  }

  /** Replaces every topic, and the DataVersion when given (a slave adopting its master's table). */
  replaceAll(topics: ReadonlyMap<string, TopicConfig>, dataVersion: DataVersion | undefined): void {
    this.replaceTable(topics, dataVersion);
  }

  /** The table as RocketMQ serialises it (file content and GET_ALL_TOPIC_CONFIG body). */
  override toRocketMqJson(): TopicConfigSerializeWrapperJson {
    return {
      dataVersion: dataVersionToJson(this.dataVersion),
      topicConfigTable: this.tableJson(topicConfigToJson),
    };
  }
}

/** A TopicConfigSerializeWrapper received as text (GET_ALL_TOPIC_CONFIG); throws MetadataFormatError. */
export function decodeTopicConfigWrapper(
  text: string,
  nowMs: number,
): { topics: Map<string, TopicConfig>; dataVersion: DataVersion | undefined } {
  const { table, dataVersion } = decodeMetadataText(text, TOPICS_FORMAT, nowMs);
  return { topics: table, dataVersion };
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

/** One topic as RocketMQ writes it (topics.json, GET_ALL_TOPIC_CONFIG, REGISTER_BROKER). */
export function topicConfigToJson(config: TopicConfig): TopicConfigJson {
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
