// LocalFileOffsetStore: a BROADCASTING consumer's own progress, in
// `<dir>/<clientId>/<group>/offsets.json` (facts §8.5), written crash-safely with a `.bak` copy.
//
// File shape (standard JSON; RocketMQ's OffsetSerializeWrapper uses MessageQueue objects as map
// keys, which only fastjson can read, so Keel's file is not interchangeable with a Java client's):
//
//   {"offsetTable":[{"topic":"T","brokerName":"broker-a","queueId":0,"offset":42}, ...]}

import { join } from 'node:path';
import type { Disk } from '../../store/disk/disk';
import { readJsonFile, writeJsonAtomically } from '../../store/metadata/atomic-json-file';
import { MetadataFormatError } from '../../store/metadata/metadata-errors';
import type { JsonValue } from '../../store/metadata/tolerant-json';
import { sameMessageQueue, type MessageQueue } from './message-queue';
import { OffsetTable, type OffsetStore, type ReadOffsetFrom } from './offset-store';

export const LOCAL_OFFSETS_FILE_NAME = 'offsets.json';

export interface LocalFileOffsetStoreOptions {
  readonly disk: Disk;
  /** rocketmq.client.localOffsetStoreDir; RocketMQ's default is ~/.rocketmq_offsets. */
  readonly directory: string;
  readonly clientId: string;
  readonly group: string;
}

interface StoredOffset {
  readonly queue: MessageQueue;
  readonly offset: number;
}

export function localOffsetsPath(options: Omit<LocalFileOffsetStoreOptions, 'disk'>): string {
  return join(options.directory, options.clientId, options.group, LOCAL_OFFSETS_FILE_NAME);
}

export class LocalFileOffsetStore implements OffsetStore {
  readonly #disk: Disk;
  readonly #path: string;
  readonly #table = new OffsetTable();

  constructor(options: LocalFileOffsetStoreOptions) {
    this.#disk = options.disk;
    this.#path = localOffsetsPath(options);
  }

  get path(): string {
    return this.#path;
  }

  async load(): Promise<void> {
    for (const { queue, offset } of await this.#readFile()) this.#table.update(queue, offset, false);
  }

  updateOffset(queue: MessageQueue, offset: number, increaseOnly: boolean): void {
    this.#table.update(queue, offset, increaseOnly);
  }

  async readOffset(queue: MessageQueue, from: ReadOffsetFrom): Promise<number | undefined> {
    if (from !== 'store') {
      const cached = this.#table.get(queue);
      if (cached !== undefined || from === 'memory') return cached;
    }
    const stored = (await this.#readFile()).find((entry) => sameMessageQueue(entry.queue, queue))?.offset;
    if (stored !== undefined) this.#table.update(queue, stored, false);
    return stored;
  }

  /** Writes the whole table; the file only ever holds what memory holds. */
  async persistAll(): Promise<void> {
    const offsetTable = this.#table.entries().map(({ queue, offset }) => ({
      topic: queue.topic,
      brokerName: queue.brokerName,
      queueId: queue.queueId,
      offset,
    }));
    await writeJsonAtomically(this.#disk, this.#path, { offsetTable });
  }

  /** One file holds every queue, so persisting one queue persists them all. */
  persist(_queue: MessageQueue): Promise<void> {
    return this.persistAll();
  }

  removeOffset(queue: MessageQueue): void {
    this.#table.remove(queue);
  }

  async #readFile(): Promise<StoredOffset[]> {
    const read = await readJsonFile(this.#disk, this.#path, {
      decode: decodeOffsetsFile,
      description: 'broadcast consumer offsets',
    });
    return read?.value ?? [];
  }
}

function decodeOffsetsFile(json: JsonValue): StoredOffset[] {
  const table = isObject(json) ? json['offsetTable'] : undefined;
  if (!Array.isArray(table)) throw new MetadataFormatError('expected {"offsetTable":[...]}');
  return table.map((entry: JsonValue, index: number) => {
    if (!isObject(entry)) throw new MetadataFormatError(`offsetTable[${index}] is not an object`);
    const { topic, brokerName, queueId, offset } = entry;
    if (typeof topic !== 'string' || typeof brokerName !== 'string') {
      throw new MetadataFormatError(`offsetTable[${index}] needs string topic and brokerName`);
    }
    if (!Number.isSafeInteger(queueId) || !Number.isSafeInteger(offset)) {
      throw new MetadataFormatError(`offsetTable[${index}] needs integer queueId and offset`);
    }
    return { queue: { topic, brokerName, queueId: queueId as number }, offset: offset as number };
  });
}

function isObject(value: JsonValue | undefined): value is { readonly [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
