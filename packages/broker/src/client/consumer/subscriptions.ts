// The topics a consumer subscribes to, with their tag filters, as its heartbeats describe them
// (SubscriptionData, facts §2.6) and its pulls and consume services read them.

import type { Clock } from '../../common/clock';
import type { SubscriptionData } from '../../protocol/bodies/heartbeat-data';
import { javaStringHashCode } from '../../protocol/message/java-string-hash';
import { parseTagExpression, type TagFilter } from './tag-filter';

const RETRY_TOPIC_PREFIX = '%RETRY%';

/** MixAll.getRetryTopic: where a CLUSTERING group's redeliveries wait. */
export function retryTopicOf(group: string): string {
  return `${RETRY_TOPIC_PREFIX}${group}`;
}

export interface Subscription {
  readonly topic: string;
  readonly filter: TagFilter;
  /** When it was made (ms); a newer version replaces the broker's copy. */
  readonly subVersion: number;
}

export class Subscriptions {
  readonly #clock: Clock;
  readonly #byTopic = new Map<string, Subscription>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Adds or replaces the subscription of `topic`. */
  subscribe(topic: string, expression: string): void {
    this.#byTopic.set(topic, {
      topic,
      filter: parseTagExpression(expression),
      subVersion: this.#clock.now(),
    });
  }

  unsubscribe(topic: string): void {
    this.#byTopic.delete(topic);
  }

  get topics(): string[] {
    return [...this.#byTopic.keys()];
  }

  get size(): number {
    return this.#byTopic.size;
  }

  filterOf(topic: string): TagFilter | undefined {
    return this.#byTopic.get(topic)?.filter;
  }

  /** The expression sent with each pull; "*" for a topic not subscribed (never pulled). */
  expressionOf(topic: string): string {
    return this.#byTopic.get(topic)?.filter.expression ?? '*';
  }

  toSubscriptionData(): SubscriptionData[] {
    return [...this.#byTopic.values()].map(({ topic, filter, subVersion }) => {
      const tags = filter.tags === undefined ? [] : [...filter.tags];
      return {
        topic,
        subString: filter.tags === undefined ? '*' : filter.expression,
        tagsSet: tags,
        codeSet: tags.map(javaStringHashCode),
        subVersion,
        expressionType: 'TAG',
        classFilterMode: false,
      };
    });
  }
}
