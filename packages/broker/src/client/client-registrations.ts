// The producer groups and consumers registered on one client instance: what its heartbeats say.
// Consumers register a provider rather than data, because their subscriptions change over time
// and every heartbeat must carry the current ones.

import type { ConsumerData, HeartbeatData } from '../protocol/bodies/heartbeat-data';
import { IllegalStateError } from '../common/errors';

export type ConsumerDataProvider = () => ConsumerData;

export class ClientRegistrations {
  readonly #producerGroups = new Map<string, number>();
  readonly #consumers = new Map<string, ConsumerDataProvider>();

  /** Several producers of one group may share an instance; the group stays until the last leaves. */
  addProducer(group: string): void {
    this.#producerGroups.set(group, (this.#producerGroups.get(group) ?? 0) + 1);
  }

  /** Returns true when that was the group's last producer. */
  removeProducer(group: string): boolean {
    const count = this.#producerGroups.get(group) ?? 0;
    if (count <= 1) {
      this.#producerGroups.delete(group);
      return count === 1;
    }
    this.#producerGroups.set(group, count - 1);
    return false;
  }

  /** A consumer group may be registered once per client instance, as in RocketMQ. */
  addConsumer(group: string, provider: ConsumerDataProvider): void {
    if (this.#consumers.has(group)) {
      throw new IllegalStateError(
        `consumer group ${group} is already registered on this client; use another instanceName for a second consumer of the group`,
      );
    }
    this.#consumers.set(group, provider);
  }

  /**
   * Removes `group` only when `provider` is the one registered: a consumer whose registration was
   * refused (the group already taken on this client) must not remove the other consumer's.
   */
  removeConsumer(group: string, provider: ConsumerDataProvider): boolean {
    if (this.#consumers.get(group) !== provider) return false;
    return this.#consumers.delete(group);
  }

  get producerGroups(): readonly string[] {
    return [...this.#producerGroups.keys()];
  }

  get consumerGroups(): readonly string[] {
    return [...this.#consumers.keys()];
  }

  get hasConsumers(): boolean {
    return this.#consumers.size > 0;
  }

  get isEmpty(): boolean {
    return this.#producerGroups.size === 0 && this.#consumers.size === 0;
  }

  heartbeat(clientID: string): HeartbeatData {
    return {
      clientID,
      producerDataSet: this.producerGroups.map((groupName) => ({ groupName })),
      consumerDataSet: [...this.#consumers.values()].map((provide) => provide()),
    };
  }
}
