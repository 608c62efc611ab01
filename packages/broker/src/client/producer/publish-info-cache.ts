// The producer's view of where each topic may be written: its route's write queues, or — while no
// name server knows the topic — the template's (TBW102), so the first send makes a broker create
// the topic (fact sheet §8.2). Kept current by the client instance's route-change events.

import type { TopicRouteData } from '../../protocol/bodies/topic-route-data';
import type { ClientInstance } from '../client-instance';
import { NoRouteError } from '../client-errors';
import { TopicPublishInfo } from './topic-publish-info';

export interface PublishInfoCacheOptions {
  readonly createTopicKey: string;
  readonly defaultTopicQueueNums: number;
}

export class PublishInfoCache {
  readonly #instance: ClientInstance;
  readonly #options: PublishInfoCacheOptions;
  readonly #infos = new Map<string, TopicPublishInfo>();
  readonly #loading = new Map<string, Promise<TopicPublishInfo>>();
  readonly #stopListening: () => void;

  constructor(instance: ClientInstance, options: PublishInfoCacheOptions) {
    this.#instance = instance;
    this.#options = options;
    this.#stopListening = instance.on('routeChanged', ({ topic, route }) =>
      this.#onRouteChanged(topic, route),
    );
  }

  /** The publish info of `topic`; concurrent first sends share one name-server lookup. */
  get(topic: string): Promise<TopicPublishInfo> {
    const known = this.#infos.get(topic);
    if (known !== undefined && !known.isEmpty) return Promise.resolve(known);
    let loading = this.#loading.get(topic);
    if (loading === undefined) {
      loading = this.#load(topic).finally(() => this.#loading.delete(topic));
      this.#loading.set(topic, loading);
    }
    return loading;
  }

  /** Forget `topic` so the next send asks the name server again (after a broker said it is gone). */
  invalidate(topic: string): void {
    this.#infos.delete(topic);
  }

  close(): void {
    this.#stopListening();
    this.#infos.clear();
  }

  async #load(topic: string): Promise<TopicPublishInfo> {
    const route = await this.#instance.topicRoute(topic, { refresh: true });
    let info = route === undefined ? undefined : TopicPublishInfo.fromRoute(topic, route);
    if (info === undefined || info.isEmpty) {
      const template = await this.#instance.topicRoute(this.#options.createTopicKey);
      if (template === undefined) {
        throw new NoRouteError(
          topic,
          `no name server knows it, and none knows the auto-create template ${this.#options.createTopicKey}; ` +
            'create the topic (keel admin) or enable autoCreateTopicEnable on a broker',
        );
      }
      info = TopicPublishInfo.fromRoute(topic, template, {
        fromTemplate: true,
        maxQueuesPerBroker: this.#options.defaultTopicQueueNums,
      });
      if (info.isEmpty)
        throw new NoRouteError(topic, 'neither it nor the template has a writable queue on a master');
    }
    this.#infos.set(topic, info);
    return info;
  }

  #onRouteChanged(topic: string, route: TopicRouteData | undefined): void {
    if (route === undefined || !this.#infos.has(topic)) return;
    const info = TopicPublishInfo.fromRoute(topic, route);
    // A route with no writable queue yet (the broker is still registering) must not replace the
    // template's queues that work.
    if (!info.isEmpty) this.#infos.set(topic, info);
  }
}
