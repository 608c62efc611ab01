// The broker's topic table (RocketMQ's TopicConfigManager) over config/topics.json.
//
// Every change happens synchronously in memory, fires `onChange` (the broker re-registers with the
// name servers, which rebuild routes when the DataVersion moved) and then awaits the file's
// persist, so a caller's promise resolves once the change is durable and rejects if it is not.
// Because the in-memory step never awaits, two sends racing to auto-create the same topic cannot
// both create it: the second one finds the first one's config.

import type { Clock } from '../../common/clock';
import { TypedEmitter } from '../../common/typed-emitter';
import type { Disk } from '../../store/disk/disk';
import type { DataVersion } from '../../store/metadata/data-version';
import type { MetadataLoadResult } from '../../store/metadata/metadata-file';
import {
  TopicConfigFile,
  type TopicConfig,
  type TopicConfigInput,
  type TopicConfigSerializeWrapperJson,
} from '../../store/metadata/topic-config-file';
import { isValidTopicName } from '../../store/message-validation';
import {
  isInherited,
  PERM_READ_WRITE,
  PermName,
  permToString,
  withoutInherit,
} from '../../protocol/perm-name';
import { isFixedSystemTopic, replyTopicOf, retryTopicOf, SystemTopic } from './system-topics';
import { TopicConfigError, TopicErrorCodes } from './topic-errors';

/** The BrokerConfig fields the topic table depends on (names as in RocketMQ's BrokerConfig). */
export interface TopicConfigManagerSettings {
  readonly brokerClusterName: string;
  readonly brokerName: string;
  /** Creates TBW102 with INHERIT at start, so producers may auto-create topics on send. */
  readonly autoCreateTopicEnable: boolean;
  /** Queues of TBW102, hence the most an auto-created topic can get. */
  readonly defaultTopicQueueNums: number;
  /** Whether the cluster-named topic is readable and writeable (not only a template). */
  readonly clusterTopicEnable: boolean;
  /** Whether the broker-named topic is readable and writeable (not only a template). */
  readonly brokerTopicEnable: boolean;
  readonly traceTopicEnable: boolean;
  readonly msgTraceTopicName: string;
}

/** RocketMQ 4.9's BrokerConfig defaults for these fields (facts §12). */
export const TOPIC_MANAGER_DEFAULTS: TopicConfigManagerSettings = {
  brokerClusterName: 'DefaultCluster',
  brokerName: 'broker-a',
  autoCreateTopicEnable: true,
  defaultTopicQueueNums: 8,
  clusterTopicEnable: true,
  brokerTopicEnable: true,
  traceTopicEnable: false,
  msgTraceTopicName: SystemTopic.TRACE,
};

export interface TopicConfigManagerOptions {
  readonly disk: Disk;
  /** `metadataFilePaths(storePathRootDir).topics`. */
  readonly path: string;
  readonly clock: Pick<Clock, 'now'>;
  readonly settings?: Partial<TopicConfigManagerSettings>;
}

export type TopicChangeKind = 'created' | 'updated' | 'deleted';

export interface TopicChange {
  readonly kind: TopicChangeKind;
  readonly topic: string;
  /** The stored config; undefined for `deleted`. */
  readonly config: TopicConfig | undefined;
  readonly dataVersion: DataVersion;
}

/** Generous bound on queue counts: catches typos (1e9 queues = 1e9 directories) but not real topics. */
export const MAX_QUEUE_NUMS = 16_384;

/** SCHEDULE_TOPIC_XXXX has one queue per delay level (RocketMQ's SCHEDULE_TOPIC_QUEUE_NUM). */
const SCHEDULE_TOPIC_QUEUE_NUMS = 18;
const BENCHMARK_TOPIC_QUEUE_NUMS = 1024;

interface TopicEvents {
  change: TopicChange;
}

export class TopicConfigManager {
  readonly settings: TopicConfigManagerSettings;
  readonly #file: TopicConfigFile;
  readonly #events = new TypedEmitter<TopicEvents>();
  /** Fixed system topics plus the cluster-, broker-, trace- and reply-named ones of this broker. */
  readonly #systemTopics: ReadonlySet<string>;

  private constructor(file: TopicConfigFile, settings: TopicConfigManagerSettings) {
    this.#file = file;
    this.settings = settings;
    this.#systemTopics = new Set(builtInTopics(settings).map((config) => config.topicName));
  }

  /**
   * Loads topics.json and adds the built-in topics it lacks. As in RocketMQ, a topic stored in the
   * file wins over the built-in default (an operator's change to it survives restarts); the file is
   * written only if something was added.
   */
  static async load(options: TopicConfigManagerOptions): Promise<TopicConfigManager> {
    const settings = { ...TOPIC_MANAGER_DEFAULTS, ...options.settings };
    const file = await TopicConfigFile.load({ disk: options.disk, path: options.path, clock: options.clock });
    const manager = new TopicConfigManager(file, settings);
    for (const config of builtInTopics(settings)) {
      if (!file.has(config.topicName)) file.set(config);
    }
    await file.persist();
    return manager;
  }

  get loadResult(): MetadataLoadResult {
    return this.#file.loadResult;
  }

  /** Moves on every change; the broker sends it with each name-server registration. */
  get dataVersion(): DataVersion {
    return this.#file.dataVersion;
  }

  get size(): number {
    return this.#file.size;
  }

  select(topic: string): TopicConfig | undefined {
    return this.#file.get(topic);
  }

  topics(): TopicConfig[] {
    return [...this.#file.topics()];
  }

  /** The GET_ALL_TOPIC_CONFIG body and the topic part of REGISTER_BROKER. */
  toRocketMqJson(): TopicConfigSerializeWrapperJson {
    return this.#file.toRocketMqJson();
  }

  /** Called after every change of the table; returns the unsubscribe function. */
  onChange(listener: (change: TopicChange) => void): () => void {
    return this.#events.on('change', listener);
  }

  /** Built-in topics (TBW102, SCHEDULE_TOPIC_XXXX, the cluster- and broker-named ones, ...) and `rmq_sys_*`. */
  isSystemTopic(topic: string): boolean {
    return this.#systemTopics.has(topic) || isFixedSystemTopic(topic);
  }

  isOrderTopic(topic: string): boolean {
    return this.#file.get(topic)?.order === true;
  }

  /**
   * UPDATE_AND_CREATE_TOPIC: validates, stores (unset fields take TopicConfig's defaults), persists.
   * System topics are refused: the broker owns them.
   */
  async createOrUpdate(input: TopicConfigInput): Promise<TopicConfig> {
    this.#checkAdministrable(input.topicName);
    checkQueueSettings(input);
    return this.#store(input);
  }

  /**
   * Auto-creation on SEND_MESSAGE (TopicConfigManager.createTopicInSendMessageMethod): an existing
   * topic is returned as is; otherwise `defaultTopic` must exist and carry INHERIT, and the new
   * topic gets min(client's queue count, template's write queues) queues and the template's perm
   * without INHERIT. Undefined when creation is refused: the caller answers TOPIC_NOT_EXIST with
   * `autoCreateRefusal(topic, defaultTopic)` as remark.
   */
  async createInSendMessageMethod(
    topic: string,
    defaultTopic: string,
    remoteAddress: string,
    clientDefaultTopicQueueNums: number,
    topicSysFlag: number,
  ): Promise<TopicConfig | undefined> {
    // remoteAddress is in RocketMQ's signature for its log line; Keel's caller does the logging.
    void remoteAddress;
    const existing = this.#file.get(topic);
    if (existing !== undefined) return existing;
    checkTopicName(topic);
    const template = this.#template(defaultTopic);
    if (template === undefined) return undefined;
    // A client asking for no queues would get a topic nobody can send to, kept forever; one is the
    // least that works. (RocketMQ clamps at 0.)
    const queueNums = Math.max(1, Math.min(clientDefaultTopicQueueNums, template.writeQueueNums));
    return this.#store({
      topicName: topic,
      readQueueNums: queueNums,
      writeQueueNums: queueNums,
      perm: withoutInherit(template.perm),
      topicSysFlag,
      topicFilterType: template.topicFilterType,
    });
  }

  /**
   * The TOPIC_NOT_EXIST remark for a send that `createInSendMessageMethod` refused: why, and how to
   * create the topic.
   */
  autoCreateRefusal(topic: string, defaultTopic: string): string {
    const reason = this.#templateProblem(defaultTopic) ?? `topic ${topic} could not be created`;
    return (
      `topic[${topic}] not exist, apply first please! ${reason}; create it with ` +
      `\`mqadmin updateTopic -c ${this.settings.brokerClusterName} -t ${topic}\` (UPDATE_AND_CREATE_TOPIC) ` +
      `or set autoCreateTopicEnable=true on the broker`
    );
  }

  /**
   * `%RETRY%<group>` with `retryQueueNums` queues, perm RW (created on heartbeat and send-back).
   * Returns the existing topic unchanged if there is one.
   */
  async createRetryTopicIfAbsent(group: string, retryQueueNums: number): Promise<TopicConfig> {
    return this.createIfAbsent({
      topicName: retryTopicOf(group),
      readQueueNums: retryQueueNums,
      writeQueueNums: retryQueueNums,
      perm: PERM_READ_WRITE,
    });
  }

  /**
   * A topic the broker needs for itself (DLQ, transaction topics, TRANS_CHECK_MAX_TIME_TOPIC), as
   * RocketMQ's createTopicInSendMessageBackMethod: no template, no system-topic protection.
   */
  async createIfAbsent(input: TopicConfigInput): Promise<TopicConfig> {
    const existing = this.#file.get(input.topicName);
    if (existing !== undefined) return existing;
    checkTopicName(input.topicName);
    checkQueueSettings(input);
    return this.#store(input);
  }

  /** DELETE_TOPIC_IN_BROKER; false if there was no such topic. System topics are refused. */
  async delete(topic: string): Promise<boolean> {
    this.#checkAdministrable(topic);
    if (!this.#file.delete(topic)) return false;
    this.#events.emit('change', { kind: 'deleted', topic, config: undefined, dataVersion: this.dataVersion });
    await this.#file.persist();
    return true;
  }

  /**
   * A slave's metadata sync: its master's whole table and DataVersion replace this one, durably.
   * No change events: a slave's topics are its master's, never its own decisions.
   */
  async replaceAll(topics: ReadonlyMap<string, TopicConfig>, dataVersion: DataVersion): Promise<void> {
    this.#file.replaceAll(topics, dataVersion);
    await this.#file.persist();
  }

  /** Writes pending changes (each mutation already does; this is for shutdown). */
  async persist(): Promise<void> {
    await this.#file.persist();
  }

  async #store(input: TopicConfigInput): Promise<TopicConfig> {
    const before = this.#file.get(input.topicName);
    const counter = this.#file.dataVersion.counter;
    let stored: TopicConfig;
    try {
      stored = this.#file.set(input);
    } catch (error) {
      // resolveTopicConfig's RangeError names the bad field; give it our code.
      const message = error instanceof Error ? error.message : String(error);
      throw new TopicConfigError(TopicErrorCodes.CONFIG_INVALID, input.topicName, message, { cause: error });
    }
    if (this.#file.dataVersion.counter !== counter) {
      const kind = before === undefined ? 'created' : 'updated';
      this.#events.emit('change', {
        kind,
        topic: stored.topicName,
        config: stored,
        dataVersion: this.dataVersion,
      });
    }
    await this.#file.persist();
    return stored;
  }

  #template(defaultTopic: string): TopicConfig | undefined {
    return this.#templateProblem(defaultTopic) === undefined ? this.#file.get(defaultTopic) : undefined;
  }

  /** Why `defaultTopic` cannot serve as a template, or undefined when it can. */
  #templateProblem(defaultTopic: string): string | undefined {
    // A TBW102 left in topics.json from a run with auto-creation on must not keep enabling it
    // (RocketMQ strips its INHERIT bit at this point for the same reason).
    if (defaultTopic === SystemTopic.AUTO_CREATE_TOPIC_KEY && !this.settings.autoCreateTopicEnable) {
      return 'autoCreateTopicEnable is false on this broker';
    }
    const template = this.#file.get(defaultTopic);
    if (template === undefined) return `the template topic ${defaultTopic} does not exist on this broker`;
    if (!isInherited(template.perm)) {
      return `the template topic ${defaultTopic} has perm ${permToString(template.perm)} without INHERIT`;
    }
    return undefined;
  }

  #checkAdministrable(topic: string): void {
    checkTopicName(topic);
    if (this.isSystemTopic(topic)) {
      throw new TopicConfigError(
        TopicErrorCodes.SYSTEM_TOPIC,
        topic,
        `topic ${topic} is a system topic of this broker and cannot be changed or deleted; use another name`,
      );
    }
  }
}

function checkTopicName(topic: string): void {
  if (!isValidTopicName(topic)) {
    throw new TopicConfigError(
      TopicErrorCodes.NAME_INVALID,
      topic,
      `topic ${JSON.stringify(topic)} is not a valid topic name: use 1 to 127 characters from a-z A-Z 0-9 _ - % |`,
    );
  }
}

function checkQueueSettings(input: TopicConfigInput): void {
  for (const field of ['readQueueNums', 'writeQueueNums'] as const) {
    const value = input[field];
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < 0 || value > MAX_QUEUE_NUMS) {
      throw new TopicConfigError(
        TopicErrorCodes.CONFIG_INVALID,
        input.topicName,
        `topic ${input.topicName}: ${field} must be an integer from 0 to ${MAX_QUEUE_NUMS}, got ${value}`,
      );
    }
  }
  const perm = input.perm;
  const allBits = PermName.PRIORITY | PermName.READ | PermName.WRITE | PermName.INHERIT;
  if (perm !== undefined && (!Number.isInteger(perm) || perm < 0 || (perm & ~allBits) !== 0)) {
    throw new TopicConfigError(
      TopicErrorCodes.CONFIG_INVALID,
      input.topicName,
      `topic ${input.topicName}: perm must combine PRIORITY 8, READ 4, WRITE 2 and INHERIT 1, got ${perm}`,
    );
  }
}

/**
 * The topics RocketMQ's TopicConfigManager constructor creates, plus the timer topic and the two transaction topics,
 * which RocketMQ creates on the first half message: creating them at start puts them in the first
 * registration, so the transaction check service never races a topic creation.
 */
function builtInTopics(settings: TopicConfigManagerSettings): TopicConfigInput[] {
  const single = { readQueueNums: 1, writeQueueNums: 1 };
  const topics: TopicConfigInput[] = [{ topicName: SystemTopic.SELF_TEST, ...single }];
  if (settings.autoCreateTopicEnable) {
    topics.push({
      topicName: SystemTopic.AUTO_CREATE_TOPIC_KEY,
      readQueueNums: settings.defaultTopicQueueNums,
      writeQueueNums: settings.defaultTopicQueueNums,
      perm: PermName.INHERIT | PERM_READ_WRITE,
    });
  }
  topics.push(
    {
      topicName: SystemTopic.BENCHMARK,
      readQueueNums: BENCHMARK_TOPIC_QUEUE_NUMS,
      writeQueueNums: BENCHMARK_TOPIC_QUEUE_NUMS,
    },
    {
      topicName: settings.brokerClusterName,
      perm: PermName.INHERIT | (settings.clusterTopicEnable ? PERM_READ_WRITE : 0),
    },
    {
      topicName: settings.brokerName,
      ...single,
      perm: PermName.INHERIT | (settings.brokerTopicEnable ? PERM_READ_WRITE : 0),
    },
    { topicName: SystemTopic.OFFSET_MOVED_EVENT, ...single },
    {
      topicName: SystemTopic.SCHEDULE,
      readQueueNums: SCHEDULE_TOPIC_QUEUE_NUMS,
      writeQueueNums: SCHEDULE_TOPIC_QUEUE_NUMS,
    },
  );
  if (settings.traceTopicEnable) topics.push({ topicName: settings.msgTraceTopicName, ...single });
  topics.push(
    { topicName: replyTopicOf(settings.brokerClusterName), ...single },
    { topicName: SystemTopic.TRANS_HALF, ...single },
    { topicName: SystemTopic.TRANS_OP_HALF, ...single },
    // Where half messages unanswered after transactionCheckMax checks are parked for operators;
    // RocketMQ creates it at the first park, Keel at start so its route is known before that.
    { topicName: SystemTopic.TRANS_CHECK_MAX_TIME, ...single },
    // Where the send path parks messages with a delivery time (RocketMQ 5 creates it at start too).
    { topicName: SystemTopic.TIMER, ...single },
  );
  return topics;
}
