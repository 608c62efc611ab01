import { join } from 'node:path';
import type { Disk } from '../disk/disk';
import { ConsumeQueue } from './consume-queue';

/**
 * Every consume queue of the store, `consumequeue/<topic>/<queueId>/`. Queues are created on the
 * append path without I/O; their directories appear with their first segment.
 */
export class ConsumeQueueTable {
  readonly #disk: Disk;
  readonly #root: string;
  readonly #segmentSizeBytes: number;
  readonly #queues = new Map<string, Map<number, ConsumeQueue>>();

  private constructor(disk: Disk, root: string, segmentSizeBytes: number) {
    this.#disk = disk;
    this.#root = root;
    this.#segmentSizeBytes = segmentSizeBytes;
  }

  static async load(disk: Disk, root: string, segmentSizeBytes: number): Promise<ConsumeQueueTable> {
    const table = new ConsumeQueueTable(disk, root, segmentSizeBytes);
    await disk.mkdirp(root);
    for (const topic of await disk.list(root)) {
      for (const queueName of await disk.list(join(root, topic))) {
        const queueId = Number(queueName);
        if (!Number.isInteger(queueId) || String(queueId) !== queueName) continue;
        const queue = await ConsumeQueue.load({
          disk,
          dir: join(root, topic, queueName),
          topic,
          queueId,
          segmentSizeBytes,
        });
        table.#topic(topic).set(queueId, queue);
      }
    }
    return table;
  }

  find(topic: string, queueId: number): ConsumeQueue | undefined {
    return this.#queues.get(topic)?.get(queueId);
  }

  findOrCreate(topic: string, queueId: number): ConsumeQueue {
    const queues = this.#topic(topic);
    let queue = queues.get(queueId);
    if (queue === undefined) {
      queue = ConsumeQueue.create({
        disk: this.#disk,
        dir: join(this.#root, topic, String(queueId)),
        topic,
        queueId,
        segmentSizeBytes: this.#segmentSizeBytes,
      });
      queues.set(queueId, queue);
    }
    return queue;
  }

  queuesOf(topic: string): ConsumeQueue[] {
    return [...(this.#queues.get(topic)?.values() ?? [])];
  }

  all(): ConsumeQueue[] {
    return [...this.#queues.values()].flatMap((queues) => [...queues.values()]);
  }

  topics(): string[] {
    return [...this.#queues.keys()];
  }

  /** Removes a topic's queues and their files (DELETE_TOPIC). */
  async deleteTopic(topic: string): Promise<void> {
    const queues = this.#queues.get(topic);
    if (queues === undefined) return;
    this.#queues.delete(topic);
    for (const queue of queues.values()) await queue.close();
    await this.#disk.remove(join(this.#root, topic));
  }

  async flushAll(): Promise<void> {
    for (const queue of this.all()) await queue.flush();
  }

  async closeAll(): Promise<void> {
    for (const queue of this.all()) await queue.close();
  }

  #topic(topic: string): Map<number, ConsumeQueue> {
    let queues = this.#queues.get(topic);
    if (queues === undefined) {
      queues = new Map();
      this.#queues.set(topic, queues);
    }
    return queues;
  }
}
