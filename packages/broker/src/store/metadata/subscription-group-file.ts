// config/subscriptionGroup.json: consumer-group settings, in the shape RocketMQ 4.x's
// SubscriptionGroupManager serialises itself (also the GET_ALL_SUBSCRIPTIONGROUP_CONFIG body):
//
//   {
//     "dataVersion": { "counter": 5, "timestamp": 1700000000000 },
//     "subscriptionGroupTable": {
//       "group-a": {
//         "brokerId": 0, "consumeBroadcastEnable": true, "consumeEnable": true,
//         "consumeFromMinEnable": true, "groupName": "group-a", "notifyConsumerIdsChangedEnable": true,
//         "retryMaxTimes": 16, "retryQueueNums": 1, "whichBrokerWhenConsumeSlowly": 1
//       }
//     }
//   }
//
// Fields missing from a file take SubscriptionGroupConfig's Java defaults (facts §5.2).

import { dataVersionToJson, type DataVersion, type DataVersionJson } from './data-version';
import { FieldReader, isJavaInt, isJavaLong, withoutUndefined } from './json-fields';
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

/** One consumer group's settings on this broker ([C]subscription/SubscriptionGroupConfig.java). */
export interface SubscriptionGroupConfig {
  readonly groupName: string;
  readonly consumeEnable: boolean;
  readonly consumeFromMinEnable: boolean;
  readonly consumeBroadcastEnable: boolean;
  /** Queues of `%RETRY%<group>`; 0 or less means failed messages are not retried. */
  readonly retryQueueNums: number;
  /** Deliveries before a message goes to `%DLQ%<group>`. */
  readonly retryMaxTimes: number;
  /** Java long. */
  readonly brokerId: number;
  /** Java long: the broker id suggested to slow consumers when slave reads are enabled. */
  readonly whichBrokerWhenConsumeSlowly: number;
  readonly notifyConsumerIdsChangedEnable: boolean;
}

export type SubscriptionGroupConfigInput = Pick<SubscriptionGroupConfig, 'groupName'> &
  Partial<Omit<SubscriptionGroupConfig, 'groupName'>>;

/** SubscriptionGroupConfig's Java field initialisers. */
export const SUBSCRIPTION_GROUP_DEFAULTS = {
  consumeEnable: true,
  consumeFromMinEnable: true,
  consumeBroadcastEnable: true,
  retryQueueNums: 1,
  retryMaxTimes: 16,
  brokerId: 0,
  whichBrokerWhenConsumeSlowly: 1,
  notifyConsumerIdsChangedEnable: true,
} as const satisfies Omit<SubscriptionGroupConfig, 'groupName'>;

/** One table entry as written, keys in fastjson's (alphabetical) order. */
export interface SubscriptionGroupConfigJson {
  readonly brokerId: number;
  readonly consumeBroadcastEnable: boolean;
  readonly consumeEnable: boolean;
  readonly consumeFromMinEnable: boolean;
  readonly groupName: string;
  readonly notifyConsumerIdsChangedEnable: boolean;
  readonly retryMaxTimes: number;
  readonly retryQueueNums: number;
  readonly whichBrokerWhenConsumeSlowly: number;
}

export interface SubscriptionGroupWrapperJson {
  readonly dataVersion: DataVersionJson;
  readonly subscriptionGroupTable: Readonly<Record<string, SubscriptionGroupConfigJson>>;
}

const BOOLEAN_FIELDS = [
  'consumeEnable',
  'consumeFromMinEnable',
  'consumeBroadcastEnable',
  'notifyConsumerIdsChangedEnable',
] as const;

const GROUPS_FORMAT: MetadataTableFormat<string, SubscriptionGroupConfig, SubscriptionGroupWrapperJson> = {
  description: 'subscription groups',
  tableField: 'subscriptionGroupTable',
  decodeEntry: (name, json, where, ignored) => [name, decodeGroup(json, name, where, ignored)],
};

/** The subscription-group table, loaded from and persisted to subscriptionGroup.json. */
export class SubscriptionGroupFile extends MetadataTableFile<
  string,
  SubscriptionGroupConfig,
  SubscriptionGroupWrapperJson
> {
  private constructor(loaded: LoadedMetadataTable<string, SubscriptionGroupConfig>) {
    super(loaded);
  }

  /** Reads the file (or its `.bak`); a missing file gives an empty table. */
  static async load(options: MetadataFileOptions): Promise<SubscriptionGroupFile> {
    return new SubscriptionGroupFile(await loadMetadataTable(options, GROUPS_FORMAT));
  }

  get size(): number {
    return this.table.size;
  }

  get(groupName: string): SubscriptionGroupConfig | undefined {
    return this.table.get(groupName);
  }

  has(groupName: string): boolean {
    return this.table.has(groupName);
  }

  groups(): IterableIterator<SubscriptionGroupConfig> {
    return this.table.values();
  }

  /**
   * Creates or replaces a group (fields not given take the defaults) and returns what is stored;
   * the DataVersion moves only on a real change.
   */
  set(input: SubscriptionGroupConfigInput): SubscriptionGroupConfig {
    const config = resolveSubscriptionGroupConfig(input);
    return this.put(config.groupName, config, sameGroupConfig);
  }

  delete(groupName: string): boolean {
    return this.remove(groupName);
  }

  /** Replaces every group, and the DataVersion when given (a slave adopting its master's table). */
  replaceAll(
    groups: ReadonlyMap<string, SubscriptionGroupConfig>,
    dataVersion: DataVersion | undefined,
  ): void {
    this.replaceTable(groups, dataVersion);
  }

  /** The table as RocketMQ serialises it (file content and GET_ALL_SUBSCRIPTIONGROUP_CONFIG body). */
  override toRocketMqJson(): SubscriptionGroupWrapperJson {
    return {
      dataVersion: dataVersionToJson(this.dataVersion),
      subscriptionGroupTable: this.tableJson(groupConfigToJson),
    };
  }
}

/** A SubscriptionGroupWrapper received as text (GET_ALL_SUBSCRIPTIONGROUP_CONFIG); throws MetadataFormatError. */
export function decodeSubscriptionGroupWrapper(
  text: string,
  nowMs: number,
): { groups: Map<string, SubscriptionGroupConfig>; dataVersion: DataVersion | undefined } {
  const { table, dataVersion } = decodeMetadataText(text, GROUPS_FORMAT, nowMs);
  return { groups: table, dataVersion };
}

/** Fills defaults and checks the ranges Java's types impose; a RangeError names the bad field. */
export function resolveSubscriptionGroupConfig(input: SubscriptionGroupConfigInput): SubscriptionGroupConfig {
  const config: SubscriptionGroupConfig = { ...SUBSCRIPTION_GROUP_DEFAULTS, ...withoutUndefined(input) };
  const name = config.groupName;
  if (typeof name !== 'string' || name.length === 0)
    throw new RangeError('groupName must be a non-empty string');
  for (const field of ['retryQueueNums', 'retryMaxTimes'] as const) {
    if (!isJavaInt(config[field]))
      throw new RangeError(`${name}: ${field} must be a Java int, got ${config[field]}`);
  }
  for (const field of ['brokerId', 'whichBrokerWhenConsumeSlowly'] as const) {
    if (!isJavaLong(config[field]))
      throw new RangeError(`${name}: ${field} must be a safe integer, got ${config[field]}`);
  }
  for (const field of BOOLEAN_FIELDS) {
    if (typeof config[field] !== 'boolean') throw new RangeError(`${name}: ${field} must be a boolean`);
  }
  return config;
}

function sameGroupConfig(a: SubscriptionGroupConfig, b: SubscriptionGroupConfig): boolean {
  return (
    a.groupName === b.groupName &&
    a.retryQueueNums === b.retryQueueNums &&
    a.retryMaxTimes === b.retryMaxTimes &&
    a.brokerId === b.brokerId &&
    a.whichBrokerWhenConsumeSlowly === b.whichBrokerWhenConsumeSlowly &&
    BOOLEAN_FIELDS.every((field) => a[field] === b[field])
  );
}

function groupConfigToJson(config: SubscriptionGroupConfig): SubscriptionGroupConfigJson {
  return {
    brokerId: config.brokerId,
    consumeBroadcastEnable: config.consumeBroadcastEnable,
    consumeEnable: config.consumeEnable,
    consumeFromMinEnable: config.consumeFromMinEnable,
    groupName: config.groupName,
    notifyConsumerIdsChangedEnable: config.notifyConsumerIdsChangedEnable,
    retryMaxTimes: config.retryMaxTimes,
    retryQueueNums: config.retryQueueNums,
    whichBrokerWhenConsumeSlowly: config.whichBrokerWhenConsumeSlowly,
  };
}

function decodeGroup(
  json: JsonValue | undefined,
  key: string,
  where: string,
  ignored: string[],
): SubscriptionGroupConfig {
  const fields = new FieldReader(json, where);
  const groupName = fields.string('groupName') ?? key;
  // Same reasoning as for topics: the key is what lookups use, so a mismatch is a damaged file.
  if (groupName !== key) {
    throw new MetadataFormatError(
      `${where}.groupName: ${JSON.stringify(groupName)} differs from its table key`,
    );
  }
  const d = SUBSCRIPTION_GROUP_DEFAULTS;
  const config: SubscriptionGroupConfig = {
    groupName,
    consumeEnable: fields.bool('consumeEnable', d.consumeEnable),
    consumeFromMinEnable: fields.bool('consumeFromMinEnable', d.consumeFromMinEnable),
    consumeBroadcastEnable: fields.bool('consumeBroadcastEnable', d.consumeBroadcastEnable),
    retryQueueNums: fields.int('retryQueueNums', d.retryQueueNums),
    retryMaxTimes: fields.int('retryMaxTimes', d.retryMaxTimes),
    brokerId: fields.long('brokerId', d.brokerId),
    whichBrokerWhenConsumeSlowly: fields.long('whichBrokerWhenConsumeSlowly', d.whichBrokerWhenConsumeSlowly),
    notifyConsumerIdsChangedEnable: fields.bool(
      'notifyConsumerIdsChangedEnable',
      d.notifyConsumerIdsChangedEnable,
    ),
  };
  ignored.push(...fields.unread());
  return config;
}
