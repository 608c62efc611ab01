// Producer groups and their connections (RocketMQ's ProducerManager). The broker needs them for one
// thing: finding a live producer of a group to ask about a pending transaction
// (CHECK_TRANSACTION_STATE), plus the admin's GET_PRODUCER_CONNECTION_LIST.

import {
  connectionInfoOf,
  DEFAULT_CLIENT_CHANNEL_MAX_IDLE_MS,
  type ClientChannel,
  type ClientChannelInfo,
  type ClientConnectionInfo,
  type ClientIdentity,
} from './client-channel';

export interface ProducerManagerOptions {
  /** clientChannelMaxIdleTimeSeconds in ms (120 s). */
  readonly channelMaxIdleMs?: number;
}

interface ProducerGroup {
  /** By channel id, in registration order. */
  readonly channels: Map<number, ClientChannelInfo>;
  /** Where `anyChannelOf` continues, so checks spread over the group's producers. */
  cursor: number;
}

export class ProducerManager {
  readonly channelMaxIdleMs: number;
  readonly #groups = new Map<string, ProducerGroup>();

  constructor(options: ProducerManagerOptions = {}) {
    this.channelMaxIdleMs = options.channelMaxIdleMs ?? DEFAULT_CLIENT_CHANNEL_MAX_IDLE_MS;
  }

  /** A heartbeat listed `group` in its producerDataSet. Returns true when the channel is new to the group. */
  register(group: string, client: ClientIdentity, now: number): boolean {
    let entry = this.#groups.get(group);
    if (entry === undefined) {
      entry = { channels: new Map(), cursor: 0 };
      this.#groups.set(group, entry);
    }
    const isNew = !entry.channels.has(client.channel.id);
    entry.channels.set(client.channel.id, { ...client, lastUpdate: now });
    return isNew;
  }

  /** UNREGISTER_CLIENT for a producer group; false if the channel was not registered there. */
  unregister(group: string, channel: ClientChannel): boolean {
    const entry = this.#groups.get(group);
    if (entry === undefined || !entry.channels.delete(channel.id)) return false;
    if (entry.channels.size === 0) this.#groups.delete(group);
    return true;
  }

  /** The connection closed: forget it in every group. Returns the groups it was in. */
  onChannelClosed(channel: ClientChannel): string[] {
    const groups: string[] = [];
    for (const [group, entry] of this.#groups) {
      if (!entry.channels.delete(channel.id)) continue;
      groups.push(group);
      if (entry.channels.size === 0) this.#groups.delete(group);
    }
    return groups;
  }

  /**
   * Drops channels without a heartbeat for longer than `channelMaxIdleMs` and returns them: the
   * broker closes those connections (a client that lost its link may never close it itself).
   */
  scanExpired(now: number): ClientChannel[] {
    const expired = new Map<number, ClientChannel>();
    for (const [group, entry] of this.#groups) {
      for (const [id, info] of entry.channels) {
        if (now - info.lastUpdate > this.channelMaxIdleMs) {
          entry.channels.delete(id);
          expired.set(id, info.channel);
        }
      }
      if (entry.channels.size === 0) this.#groups.delete(group);
    }
    return [...expired.values()];
  }

  /**
   * A live channel of the group for a transaction check, taking the group's channels in turn, or
   * undefined when the group has none heard from within `channelMaxIdleMs` of `now`.
   */
  anyChannelOf(group: string, now: number): ClientChannel | undefined {
    const entry = this.#groups.get(group);
    if (entry === undefined) return undefined;
    const channels = [...entry.channels.values()];
    for (let tried = 0; tried < channels.length; tried++) {
      const index = (entry.cursor + tried) % channels.length;
      const info = channels[index];
      if (info !== undefined && now - info.lastUpdate <= this.channelMaxIdleMs) {
        entry.cursor = index + 1;
        return info.channel;
      }
    }
    return undefined;
  }

  /** The channel a client id is connected on, in any group (for a check aimed at one producer). */
  findChannel(clientId: string): ClientChannel | undefined {
    for (const entry of this.#groups.values()) {
      for (const info of entry.channels.values()) {
        if (info.clientId === clientId) return info.channel;
      }
    }
    return undefined;
  }

  /** GET_PRODUCER_CONNECTION_LIST's connectionSet; empty for an unknown group. */
  connectionsOf(group: string): ClientConnectionInfo[] {
    return [...(this.#groups.get(group)?.channels.values() ?? [])].map(connectionInfoOf);
  }

  groups(): string[] {
    return [...this.#groups.keys()];
  }
}
