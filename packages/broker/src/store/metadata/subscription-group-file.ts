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

import {
  dataVersionToJson,
  readDataVersionField,
  type DataVersion,
  type DataVersionJson,
} from './data-version';
import {
  childPath,
  emptyRecord,
  expectObject,
  FieldReader,
  isJavaInt,
  isJavaLong,
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

/** The subscription-group table, loaded from and persisted to subscriptionGroup.json. */
export class SubscriptionGroupFile {
  readonly loadResult: MetadataLoadResult;
  readonly #groups: Map<string, SubscriptionGroupConfig>;
  readonly #changes: MetadataChanges;

  private constructor(
    groups: Map<string, SubscriptionGroupConfig>,
    loadResult: MetadataLoadResult,
    changes: MetadataChanges,
  ) {
    this.#groups = groups;
    this.loadResult = loadResult;
    this.#changes = changes;
  }

  /** Reads the file (or its `.bak`); a missing file gives an empty table. */
  static async load(options: MetadataFileOptions): Promise<SubscriptionGroupFile> {
    const { decoded, result } = await loadMetadataFile(options, 'subscription groups', (json, ignored) =>
      decodeSubscriptionGroups(json, options.clock.now(), ignored),
    );
    const changes = new MetadataChanges(options, result, decoded?.dataVersion);
    return new SubscriptionGroupFile(decoded?.groups ?? new Map(), result, changes);
  }

  get dataVersion(): DataVersion {
    return this.#changes.dataVersion;
  }

  get size(): number {
    return this.#groups.size;
  }

  get(groupName: string): SubscriptionGroupConfig | undefined {
    return this.#groups.get(groupName);
  }

  has(groupName: string): boolean {
    return this.#groups.has(groupName);
  }

  groups(): IterableIterator<SubscriptionGroupConfig> {
    return this.#groups.values();
  }

  /**
   * Creates or replaces a group (fields not given take the defaults) and returns what is stored;
   * the DataVersion moves only on a real change.
   */
  set(input: SubscriptionGroupConfigInput): SubscriptionGroupConfig {
    const config = resolveSubscriptionGroupConfig(input);
    const old = this.#groups.get(config.groupName);
    if (old !== undefined && sameGroupConfig(old, config)) return old;
    this.#groups.set(config.groupName, config);
    this.#changes.changed();
    return config;
  }

  delete(groupName: string): boolean {
    if (!this.#groups.delete(groupName)) return false;
    this.#changes.changed();
    return true;
  }

  /** Writes the table if it changed since the last persist (crash-safe; concurrent calls coalesce). */
  persist(): Promise<void> {
    return this.#changes.persist(() => this.toRocketMqJson());
  }

  get unpersisted(): boolean {
    return this.#changes.unpersisted;
  }

  /** The table as RocketMQ serialises it (file content and GET_ALL_SUBSCRIPTIONGROUP_CONFIG body). */
  toRocketMqJson(): SubscriptionGroupWrapperJson {
    const table = emptyRecord<SubscriptionGroupConfigJson>();
    for (const [name, config] of sortedByKey(this.#groups)) table[name] = groupConfigToJson(config);
    return { dataVersion: dataVersionToJson(this.#changes.dataVersion), subscriptionGroupTable: table };
  }
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

function decodeSubscriptionGroups(
  json: JsonValue,
  nowMs: number,
  ignored: string[],
): { groups: Map<string, SubscriptionGroupConfig>; dataVersion: DataVersion | undefined } {
  const wrapper = new FieldReader(json, '');
  const dataVersion = readDataVersionField(wrapper, nowMs, ignored);
  const groups = new Map<string, SubscriptionGroupConfig>();
  const tableJson = wrapper.raw('subscriptionGroupTable');
  if (tableJson !== undefined) {
    const table = expectObject(tableJson, 'subscriptionGroupTable');
    for (const name of Object.keys(table)) {
      groups.set(name, decodeGroup(table[name], name, childPath('subscriptionGroupTable', name), ignored));
    }
  }
  ignored.push(...wrapper.unread());
  return { groups, dataVersion };
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
