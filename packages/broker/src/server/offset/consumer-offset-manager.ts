// Committed consumer offsets (RocketMQ's ConsumerOffsetManager) over config/consumerOffset.json.
//
// Commits only change memory; the file is written every `flushConsumerOffsetIntervalMs` (and on
// stop), as in RocketMQ: consumers commit every 5 s each, and a write per commit would cost far
// more than the at most one interval of progress a crash can lose (those messages are redelivered,
// which at-least-once consumers tolerate).
//
// Commits are stored as given, lower ones included: consumers rewind on purpose (reset offset).

import type { Clock, TimerHandle } from '../../common/clock';
import { IllegalStateError } from '../../common/errors';
import type { Disk } from '../../store/disk/disk';
import {
  ConsumerOffsetFile,
  type ConsumerOffsetJson,
  type GroupTopicOffsets,
} from '../../store/metadata/consumer-offset-file';
import type { MetadataLoadResult } from '../../store/metadata/metadata-file';
import { ConsumerOffsetError } from './offset-errors';

/** BrokerConfig.flushConsumerOffsetInterval. */
export const DEFAULT_FLUSH_CONSUMER_OFFSET_INTERVAL_MS = 5_000;

export interface ConsumerOffsetManagerOptions {
  readonly disk: Disk;
  /** `metadataFilePaths(storePathRootDir).consumerOffsets`. */
  readonly path: string;
  readonly clock: Clock;
  readonly flushConsumerOffsetIntervalMs?: number;
  /** A periodic persist failed; the next interval tries again. The broker logs and counts it. */
  readonly onPersistError: (error: unknown) => void;
}

export class ConsumerOffsetManager {
  readonly #file: ConsumerOffsetFile;
  readonly #clock: Clock;
  readonly #intervalMs: number;
  readonly #onPersistError: (error: unknown) => void;
  #timer: TimerHandle | undefined;

  private constructor(file: ConsumerOffsetFile, options: ConsumerOffsetManagerOptions) {
    this.#file = file;
    this.#clock = options.clock;
    this.#intervalMs = options.flushConsumerOffsetIntervalMs ?? DEFAULT_FLUSH_CONSUMER_OFFSET_INTERVAL_MS;
    this.#onPersistError = options.onPersistError;
  }

  static async load(options: ConsumerOffsetManagerOptions): Promise<ConsumerOffsetManager> {
    const file = await ConsumerOffsetFile.load({
      disk: options.disk,
      path: options.path,
      clock: options.clock,
    });
    return new ConsumerOffsetManager(file, options);
  }

  get loadResult(): MetadataLoadResult {
    return this.#file.loadResult;
  }

  /** True when commits are waiting for the next persist. */
  get unpersisted(): boolean {
    return this.#file.unpersisted;
  }

  /** Starts the periodic persist. */
  start(): void {
    if (this.#timer !== undefined) throw new IllegalStateError('ConsumerOffsetManager is already started');
    this.#timer = this.#clock.setInterval(() => {
      this.#file.persist().catch(this.#onPersistError);
    }, this.#intervalMs);
  }

  /** Stops the periodic persist and writes what is pending; rejects if that last write fails. */
  async stop(): Promise<void> {
    if (this.#timer !== undefined) {
      this.#clock.clearInterval(this.#timer);
      this.#timer = undefined;
    }
    await this.#file.persist();
  }

  async persist(): Promise<void> {
    await this.#file.persist();
  }

  /** UPDATE_CONSUMER_OFFSET and a pull's commitOffset. */
  commit(group: string, topic: string, queueId: number, offset: number): void {
    try {
      this.#file.set(topic, group, queueId, offset);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ConsumerOffsetError(`cannot commit offset of ${group} on ${topic}:${queueId}: ${reason}`, {
        cause: error,
      });
    }
  }

  /** The committed offset, or undefined when the group never committed one for the queue. */
  query(group: string, topic: string, queueId: number): number | undefined {
    return this.#file.get(topic, group, queueId);
  }

  /** Queue id → offset of one (group, topic); empty when none. A copy. */
  queryByGroupAndTopic(group: string, topic: string): Map<number, number> {
    return this.#file.queueOffsets(topic, group);
  }

  /** Topic → (queue id → offset) of every topic the group committed on. Copies. */
  queryAllByGroup(group: string): Map<string, Map<number, number>> {
    const result = new Map<string, Map<number, number>>();
    for (const entry of this.#file.entries()) {
      if (entry.group === group) result.set(entry.topic, new Map(entry.offsets));
    }
    return result;
  }

  /** Groups with committed offsets on `topic` (QUERY_TOPIC_CONSUME_BY_WHO). */
  groupsOfTopic(topic: string): string[] {
    return [...this.#file.entries()].filter((entry) => entry.topic === topic).map((entry) => entry.group);
  }

  /** Topics the group committed offsets on. */
  topicsOfGroup(group: string): string[] {
    return [...this.#file.entries()].filter((entry) => entry.group === group).map((entry) => entry.topic);
  }

  /** Forgets one (group, topic); false if there was nothing. */
  removeGroupTopic(group: string, topic: string): boolean {
    return this.#file.delete(topic, group);
  }

  /** Forgets a group everywhere; returns how many topics it had. */
  removeGroup(group: string): number {
    return this.#file.deleteGroup(group);
  }

  /** Forgets a topic for every group; returns how many groups had it. */
  removeTopic(topic: string): number {
    return this.#file.deleteTopic(topic);
  }

  /** Every (topic, group) with a copy of its offsets. */
  snapshot(): GroupTopicOffsets[] {
    return [...this.#file.entries()].map(({ topic, group, offsets }) => ({
      topic,
      group,
      offsets: new Map(offsets),
    }));
  }

  /** A slave's metadata sync: replaces every offset; written with the next periodic persist. */
  replaceAll(entries: Iterable<GroupTopicOffsets>): void {
    this.#file.replaceAll(entries);
  }

  /** The file content and GET_ALL_CONSUMER_OFFSET body. */
  toRocketMqJson(): ConsumerOffsetJson {
    return this.#file.toRocketMqJson();
  }
}
