// What applications send (`Message`) and what consumers receive (`MessageExt`). Keys, tags and
// user properties are plain fields here; on the wire they are properties of the message
// (KEYS, TAGS, ...), which the producer and the decoder translate.

import type { MessageQueue } from '../protocol/bodies/message-queue';

export type { MessageQueue };

export interface Message {
  readonly topic: string;
  /** A string is sent as UTF-8. */
  readonly body: Buffer | string;
  /** One tag; consumers subscribe by tag (`TagA || TagB`). */
  readonly tags?: string;
  /** Business keys, searchable on the broker (QUERY_MESSAGE); several are joined by a space. */
  readonly keys?: string | readonly string[];
  /** User properties. Names RocketMQ reserves (TAGS, KEYS, DELAY, UNIQ_KEY, ...) are refused. */
  readonly properties?: Readonly<Record<string, string>>;
  /** Delay level 1..18 of the broker's messageDelayLevel (1s 5s 10s 30s 1m ... 2h); 0 or absent = none. */
  readonly delayLevel?: number;
  /**
   * Deliver at this time (a Date or epoch ms), to the millisecond, up to the broker's
   * timerMaxDelaySec ahead (3 days by default); sent as TIMER_DELIVER_MS. Not with delayLevel.
   */
  readonly deliverAt?: Date | number;
  /** Whether the broker answers only once the message is stored per its flush mode. Default true. */
  readonly waitStoreMsgOk?: boolean;
}

/** A stored message as a consumer sees it. */
export interface MessageExt {
  /** The producer's UNIQ_KEY when it set one (every Keel and Java producer does), else offsetMsgId. */
  readonly msgId: string;
  /** The broker's id of the record: store host and commit-log offset. */
  readonly offsetMsgId: string;
  readonly topic: string;
  readonly queueId: number;
  readonly queueOffset: number;
  readonly commitLogOffset: number;
  readonly bornTimestamp: number;
  readonly storeTimestamp: number;
  /** `ip:port` of the producer's connection. */
  readonly bornHost: string;
  /** `ip:port` of the broker that stored it. */
  readonly storeHost: string;
  readonly reconsumeTimes: number;
  readonly sysFlag: number;
  /** The user flag (`Message.flag`). */
  readonly flag: number;
  readonly tags: string | undefined;
  /** The KEYS property split on spaces; empty when there is none. */
  readonly keys: readonly string[];
  /** Every property, system ones included, in stored order. */
  readonly properties: ReadonlyMap<string, string>;
  /** Decompressed when the producer compressed it. */
  readonly body: Buffer;
}
