// RemoteBrokerOffsetStore: a CLUSTERING group's offsets live at the broker; the consumer caches
// them and uploads with oneway UPDATE_CONSUMER_OFFSET (facts §8.5). A lost upload costs only some
// redelivery, which at-least-once consumption allows, so the periodic persist does not wait.

import type { ConsumerBrokerApi } from './consumer-broker-api';
import type { MessageQueue } from './message-queue';
import { OffsetTable, type OffsetStore, type ReadOffsetFrom } from './offset-store';

export class RemoteOffsetStore implements OffsetStore {
  readonly #api: Pick<ConsumerBrokerApi, 'queryConsumerOffset' | 'updateConsumerOffset'>;
  readonly #table = new OffsetTable();

  constructor(api: Pick<ConsumerBrokerApi, 'queryConsumerOffset' | 'updateConsumerOffset'>) {
    this.#api = api;
  }

  async load(): Promise<void> {
    // Nothing to load: offsets are asked of the broker per queue when a queue is assigned.
  }

  updateOffset(queue: MessageQueue, offset: number, increaseOnly: boolean): void {
    this.#table.update(queue, offset, increaseOnly);
  }

  async readOffset(queue: MessageQueue, from: ReadOffsetFrom): Promise<number | undefined> {
    if (from !== 'store') {
      const cached = this.#table.get(queue);
      if (cached !== undefined || from === 'memory') return cached;
    }
    const stored = await this.#api.queryConsumerOffset(queue);
    if (stored !== undefined) this.#table.update(queue, stored, false);
    return stored;
  }

  /** Uploads every cached offset; the first failure is rethrown after all were tried. */
  async persistAll(): Promise<void> {
    const results = await Promise.allSettled(
      this.#table.entries().map(({ queue, offset }) => this.#upload(queue, offset)),
    );
    const failures = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new AggregateError(failures, `${failures.length} offset uploads failed`);
  }

  async persist(queue: MessageQueue): Promise<void> {
    const offset = this.#table.get(queue);
    if (offset !== undefined) await this.#upload(queue, offset);
  }

  removeOffset(queue: MessageQueue): void {
    this.#table.remove(queue);
  }

  #upload(queue: MessageQueue, offset: number): Promise<void> {
    return this.#api.updateConsumerOffset(queue, offset, { oneway: true });
  }
}
