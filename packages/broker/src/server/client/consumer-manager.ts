// Consumer groups, their connections and subscriptions (RocketMQ's ConsumerManager and
// ConsumerGroupInfo). Subscriptions belong to the group, not to a channel: the latest heartbeat of
// any member defines them, as in RocketMQ, since all members of a group must subscribe alike.
//
// Whenever a group's membership or its set of subscribed topics changes, `onGroupChanged` fires
// with the group's remaining channels; the ConsumerIdsChangeNotifier turns that into
// NOTIFY_CONSUMER_IDS_CHANGED so the members rebalance at once instead of within 20 s.

import { TypedEmitter } from '../../common/typed-emitter';
import {
  connectionInfoOf,
  DEFAULT_CLIENT_CHANNEL_MAX_IDLE_MS,
  type ClientChannel,
  type ClientChannelInfo,
  type ClientConnectionInfo,
  type ClientIdentity,
} from './client-channel';
import type {
  ConsumeFromWhere,
  ConsumerData,
  ConsumeType,
  MessageModel,
  SubscriptionData,
} from './heartbeat-types';

export interface ConsumerManagerOptions {
  /** clientChannelMaxIdleTimeSeconds in ms (120 s). */
  readonly channelMaxIdleMs?: number;
}

/** Why a group changed; `expired` = dropped by `scanExpired`. */
export type ConsumerGroupChangeCause = 'registered' | 'unregistered' | 'channelClosed' | 'expired';

export interface ConsumerGroupChange {
  readonly group: string;
  readonly cause: ConsumerGroupChangeCause;
  /** The group's channels after the change (empty when the group is gone). */
  readonly channels: readonly ClientChannel[];
}

export interface ConsumerRegisterResult {
  /** The channel joined the group. */
  readonly membershipChanged: boolean;
  /** A topic was added to or removed from the group's subscriptions. */
  readonly subscriptionsChanged: boolean;
}

/** What GET_CONSUMER_CONNECTION_LIST reports about a group. */
export interface ConsumerGroupView {
  readonly groupName: string;
  readonly consumeType: ConsumeType;
  readonly messageModel: MessageModel;
  readonly consumeFromWhere: ConsumeFromWhere;
  readonly connections: readonly ClientConnectionInfo[];
  readonly subscriptions: ReadonlyMap<string, SubscriptionData>;
  readonly lastUpdate: number;
}

interface ConsumerGroup {
  consumeType: ConsumeType;
  messageModel: MessageModel;
  consumeFromWhere: ConsumeFromWhere;
  /** By channel id, in registration order. */
  readonly channels: Map<number, ClientChannelInfo>;
  /** By topic. */
  readonly subscriptions: Map<string, SubscriptionData>;
  lastUpdate: number;
}

interface ConsumerEvents {
  groupChanged: ConsumerGroupChange;
}

export class ConsumerManager {
  readonly channelMaxIdleMs: number;
  readonly #groups = new Map<string, ConsumerGroup>();
  readonly #events = new TypedEmitter<ConsumerEvents>();

  constructor(options: ConsumerManagerOptions = {}) {
    this.channelMaxIdleMs = options.channelMaxIdleMs ?? DEFAULT_CLIENT_CHANNEL_MAX_IDLE_MS;
  }

  /** Called after each membership or topic-set change; returns the unsubscribe function. */
  onGroupChanged(listener: (change: ConsumerGroupChange) => void): () => void {
    return this.#events.on('groupChanged', listener);
  }

  /**
   * One consumerDataSet entry of a heartbeat. The group takes the heartbeat's consume type, model
   * and subscriptions; a subscription to a known topic is replaced only by a newer subVersion, and
   * topics the heartbeat no longer lists are dropped (RocketMQ's updateSubscription).
   */
  register(consumer: ConsumerData, client: ClientIdentity, now: number): ConsumerRegisterResult {
    let group = this.#groups.get(consumer.groupName);
    if (group === undefined) {
      group = {
        consumeType: consumer.consumeType,
        messageModel: consumer.messageModel,
        consumeFromWhere: consumer.consumeFromWhere,
        channels: new Map(),
        subscriptions: new Map(),
        lastUpdate: now,
      };
      this.#groups.set(consumer.groupName, group);
    }
    group.consumeType = consumer.consumeType;
    group.messageModel = consumer.messageModel;
    group.consumeFromWhere = consumer.consumeFromWhere;
    group.lastUpdate = now;
    const membershipChanged = !group.channels.has(client.channel.id);
    group.channels.set(client.channel.id, { ...client, lastUpdate: now });
    const subscriptionsChanged = updateSubscriptions(group.subscriptions, consumer.subscriptionDataSet);
    if (membershipChanged || subscriptionsChanged) this.#changed(consumer.groupName, 'registered');
    return { membershipChanged, subscriptionsChanged };
  }

  /** UNREGISTER_CLIENT for a consumer group; false if the channel was not registered there. */
  unregister(group: string, channel: ClientChannel): boolean {
    const entry = this.#groups.get(group);
    if (entry === undefined || !entry.channels.delete(channel.id)) return false;
    if (entry.channels.size === 0) this.#groups.delete(group);
    this.#changed(group, 'unregistered');
    return true;
  }

  /** The connection closed: leave every group it was in. Returns those groups. */
  onChannelClosed(channel: ClientChannel): string[] {
    return this.#removeWhere('channelClosed', (info) => info.channel.id === channel.id);
  }

  /**
   * Drops channels without a heartbeat for longer than `channelMaxIdleMs` and returns them for the
   * broker to close. Unlike RocketMQ, the remaining members are notified: a consumer that vanished
   * without closing its connection otherwise keeps its queues unconsumed until the next rebalance.
   */
  scanExpired(now: number): ClientChannel[] {
    const expired = new Map<number, ClientChannel>();
    this.#removeWhere('expired', (info) => {
      const isExpired = now - info.lastUpdate > this.channelMaxIdleMs;
      if (isExpired) expired.set(info.channel.id, info.channel);
      return isExpired;
    });
    return [...expired.values()];
  }

  /** GET_CONSUMER_LIST_BY_GROUP: the client ids of the group's channels (empty when unknown). */
  consumerIdList(group: string): string[] {
    return [...(this.#groups.get(group)?.channels.values() ?? [])].map((info) => info.clientId);
  }

  channelsOf(group: string): ClientChannel[] {
    return [...(this.#groups.get(group)?.channels.values() ?? [])].map((info) => info.channel);
  }

  /** The group's subscription to `topic` (what a pull without SUBSCRIPTION flag filters by). */
  findSubscription(group: string, topic: string): SubscriptionData | undefined {
    return this.#groups.get(group)?.subscriptions.get(topic);
  }

  /** The channel a client id uses in `group`. */
  findChannel(group: string, clientId: string): ClientChannel | undefined {
    for (const info of this.#groups.get(group)?.channels.values() ?? []) {
      if (info.clientId === clientId) return info.channel;
    }
    return undefined;
  }

  /** Online groups subscribed to `topic` (part of QUERY_TOPIC_CONSUME_BY_WHO). */
  groupsSubscribing(topic: string): string[] {
    return [...this.#groups].filter(([, group]) => group.subscriptions.has(topic)).map(([name]) => name);
  }

  groups(): string[] {
    return [...this.#groups.keys()];
  }

  /** GET_CONSUMER_CONNECTION_LIST; undefined when the group has no online member. */
  groupView(groupName: string): ConsumerGroupView | undefined {
    const group = this.#groups.get(groupName);
    if (group === undefined) return undefined;
    return {
      groupName,
      consumeType: group.consumeType,
      messageModel: group.messageModel,
      consumeFromWhere: group.consumeFromWhere,
      connections: [...group.channels.values()].map(connectionInfoOf),
      subscriptions: new Map(group.subscriptions),
      lastUpdate: group.lastUpdate,
    };
  }

  /** Removes matching channels from every group; notifies each group that lost one. */
  #removeWhere(cause: ConsumerGroupChangeCause, matches: (info: ClientChannelInfo) => boolean): string[] {
    const changed: string[] = [];
    for (const [name, group] of this.#groups) {
      let removed = false;
      for (const [id, info] of group.channels) {
        if (matches(info)) {
          group.channels.delete(id);
          removed = true;
        }
      }
      if (!removed) continue;
      if (group.channels.size === 0) this.#groups.delete(name);
      changed.push(name);
    }
    for (const name of changed) this.#changed(name, cause);
    return changed;
  }

  #changed(group: string, cause: ConsumerGroupChangeCause): void {
    this.#events.emit('groupChanged', { group, cause, channels: this.channelsOf(group) });
  }
}

/** Applies a heartbeat's subscriptions; true when the set of topics changed. */
function updateSubscriptions(
  table: Map<string, SubscriptionData>,
  incoming: readonly SubscriptionData[],
): boolean {
  let topicsChanged = false;
  const listed = new Set<string>();
  for (const subscription of incoming) {
    listed.add(subscription.topic);
    const old = table.get(subscription.topic);
    if (old === undefined) {
      table.set(subscription.topic, subscription);
      topicsChanged = true;
    } else if (subscription.subVersion > old.subVersion) {
      // A new expression on the same topic filters differently but leaves the allocation as it is,
      // so, as in RocketMQ, it does not count as a change that needs a rebalance.
      table.set(subscription.topic, subscription);
    }
  }
  for (const topic of table.keys()) {
    if (!listed.has(topic)) {
      table.delete(topic);
      topicsChanged = true;
    }
  }
  return topicsChanged;
}
