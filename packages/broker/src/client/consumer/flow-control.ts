// The decision a push consumer makes before each pull of a queue
// (DefaultMQPushConsumerImpl.pullMessage, facts §8.3–8.4): pull now, pull later, or stop. Pure, so
// the thresholds are tested as a table.

import type { ConsumeMode } from './consumer-modes';

export interface FlowControlLimits {
  /** pullThresholdForQueue: cached messages per queue. */
  readonly maxCachedMessages: number;
  /** pullThresholdSizeForQueue, in bytes of body. */
  readonly maxCachedBytes: number;
  /** consumeConcurrentlyMaxSpan: how far the commit may lag behind the newest cached message. */
  readonly maxOffsetSpan: number;
}

export const DEFAULT_FLOW_CONTROL_LIMITS: FlowControlLimits = {
  maxCachedMessages: 1000,
  maxCachedBytes: 100 * 1024 * 1024,
  maxOffsetSpan: 2000,
};

/** PULL_TIME_DELAY_MILLS_WHEN_FLOW_CONTROL. */
export const FLOW_CONTROL_DELAY_MS = 50;
/** PULL_TIME_DELAY_MILLS_WHEN_SUSPEND: a paused consumer checks again this often. */
export const PAUSED_DELAY_MS = 1000;
/** pullTimeDelayMillsWhenException: an orderly queue not locked yet waits for the next lock attempt. */
export const NOT_LOCKED_DELAY_MS = 3000;

export interface QueueState {
  readonly dropped: boolean;
  readonly messageCount: number;
  readonly bodyBytes: number;
  readonly offsetSpan: number;
  /** Orderly: whether the broker lock is held (and not locally expired). */
  readonly locked: boolean;
}

export interface PullContext {
  readonly mode: ConsumeMode;
  readonly paused: boolean;
  /** BROADCASTING orderly consumers do not lock (there is no one to exclude). */
  readonly requiresLock: boolean;
  readonly limits?: FlowControlLimits;
}

export type PullDecision =
  | { readonly kind: 'pull' }
  | { readonly kind: 'delay'; readonly delayMs: number; readonly reason: PullDelayReason }
  | { readonly kind: 'stop' };

export type PullDelayReason = 'paused' | 'cached-messages' | 'cached-bytes' | 'offset-span' | 'not-locked';

/** Checks in RocketMQ's order, so the reason reported is the one it would log. */
export function decidePull(queue: QueueState, context: PullContext): PullDecision {
  const limits = context.limits ?? DEFAULT_FLOW_CONTROL_LIMITS;
  if (queue.dropped) return { kind: 'stop' };
  if (context.paused) return delay(PAUSED_DELAY_MS, 'paused');
  if (queue.messageCount > limits.maxCachedMessages) return delay(FLOW_CONTROL_DELAY_MS, 'cached-messages');
  if (queue.bodyBytes > limits.maxCachedBytes) return delay(FLOW_CONTROL_DELAY_MS, 'cached-bytes');
  if (context.mode === 'CONCURRENTLY') {
    // Orderly consumption commits strictly in order, so its span is bounded by the cache already.
    if (queue.offsetSpan > limits.maxOffsetSpan) return delay(FLOW_CONTROL_DELAY_MS, 'offset-span');
  } else if (context.requiresLock && !queue.locked) {
    return delay(NOT_LOCKED_DELAY_MS, 'not-locked');
  }
  return { kind: 'pull' };
}

function delay(delayMs: number, reason: PullDelayReason): PullDecision {
  return { kind: 'delay', delayMs, reason };
}
