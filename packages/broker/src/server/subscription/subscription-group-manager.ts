// Consumer-group settings (RocketMQ's SubscriptionGroupManager) over config/subscriptionGroup.json.
// Like the topic table, changes happen synchronously in memory and the returned promise resolves
// once they are durable.

import type { Clock } from '../../common/clock';
import type { Disk } from '../../store/disk/disk';
import type { DataVersion } from '../../store/metadata/data-version';
import type { MetadataLoadResult } from '../../store/metadata/metadata-file';
import {
  SubscriptionGroupFile,
  type SubscriptionGroupConfig,
  type SubscriptionGroupConfigInput,
  type SubscriptionGroupWrapperJson,
} from '../../store/metadata/subscription-group-file';
import { isValidGroupName } from '../topic/system-topics';
import { SubscriptionGroupError, SubscriptionGroupErrorCodes } from './subscription-group-errors';
import { isSystemConsumerGroup, PRECREATED_SUBSCRIPTION_GROUPS } from './system-groups';

export interface SubscriptionGroupManagerOptions {
  readonly disk: Disk;
  /** `metadataFilePaths(storePathRootDir).subscriptionGroups`. */
  readonly path: string;
  readonly clock: Pick<Clock, 'now'>;
  /** BrokerConfig.autoCreateSubscriptionGroup (default true): unknown groups are created on first use. */
  readonly autoCreateSubscriptionGroup?: boolean;
}

export class SubscriptionGroupManager {
  readonly autoCreateSubscriptionGroup: boolean;
  readonly #file: SubscriptionGroupFile;

  private constructor(file: SubscriptionGroupFile, autoCreate: boolean) {
    this.#file = file;
    this.autoCreateSubscriptionGroup = autoCreate;
  }

  /** Loads the file and adds the groups RocketMQ pre-creates, unless the file already has them. */
  static async load(options: SubscriptionGroupManagerOptions): Promise<SubscriptionGroupManager> {
    const file = await SubscriptionGroupFile.load({
      disk: options.disk,
      path: options.path,
      clock: options.clock,
    });
    for (const groupName of PRECREATED_SUBSCRIPTION_GROUPS) {
      if (!file.has(groupName)) file.set({ groupName });
    }
    await file.persist();
    return new SubscriptionGroupManager(file, options.autoCreateSubscriptionGroup ?? true);
  }

  get loadResult(): MetadataLoadResult {
    return this.#file.loadResult;
  }

  get dataVersion(): DataVersion {
    return this.#file.dataVersion;
  }

  /** The group's settings, without creating it. */
  find(group: string): SubscriptionGroupConfig | undefined {
    return this.#file.get(group);
  }

  /**
   * The group's settings, created with the defaults when it is unknown and auto-creation is on
   * (or it is a `CID_RMQ_SYS_` group). Undefined means the caller answers
   * SUBSCRIPTION_GROUP_NOT_EXIST.
   */
  async findOrAutoCreate(group: string): Promise<SubscriptionGroupConfig | undefined> {
    const existing = this.#file.get(group);
    if (existing !== undefined) return existing;
    if (!this.autoCreateSubscriptionGroup && !isSystemConsumerGroup(group)) return undefined;
    return this.#store({ groupName: group });
  }

  /** UPDATE_AND_CREATE_SUBSCRIPTIONGROUP: fields not given take the defaults. */
  async createOrUpdate(input: SubscriptionGroupConfigInput): Promise<SubscriptionGroupConfig> {
    return this.#store(input);
  }

  /** DELETE_SUBSCRIPTIONGROUP; false if there was no such group. */
  async delete(group: string): Promise<boolean> {
    if (!this.#file.delete(group)) return false;
    await this.#file.persist();
    return true;
  }

  groups(): SubscriptionGroupConfig[] {
    return [...this.#file.groups()];
  }

  /** The GET_ALL_SUBSCRIPTIONGROUP_CONFIG body. */
  toRocketMqJson(): SubscriptionGroupWrapperJson {
    return this.#file.toRocketMqJson();
  }

  /** A slave's metadata sync: its master's whole table and DataVersion replace this one, durably. */
  async replaceAll(
    groups: ReadonlyMap<string, SubscriptionGroupConfig>,
    dataVersion: DataVersion,
  ): Promise<void> {
    this.#file.replaceAll(groups, dataVersion);
    await this.#file.persist();
  }

  async persist(): Promise<void> {
    await this.#file.persist();
  }

  async #store(input: SubscriptionGroupConfigInput): Promise<SubscriptionGroupConfig> {
    if (!isValidGroupName(input.groupName)) {
      throw new SubscriptionGroupError(
        SubscriptionGroupErrorCodes.NAME_INVALID,
        input.groupName,
        `consumer group ${JSON.stringify(input.groupName)} is not a valid group name: use 1 to 120 ` +
          'characters from a-z A-Z 0-9 _ - % | (its retry topic %RETRY%<group> must be a valid topic)',
      );
    }
    let stored: SubscriptionGroupConfig;
    try {
      stored = this.#file.set(input);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new SubscriptionGroupError(SubscriptionGroupErrorCodes.CONFIG_INVALID, input.groupName, message, {
        cause: error,
      });
    }
    await this.#file.persist();
    return stored;
  }
}
