// What every API handler works with.

import type { ConsoleAdmin } from '../console-admin';
import type { ThroughputSample } from '../throughput-sampler';

export interface ApiContext {
  readonly admin: ConsoleAdmin;
  readonly throughput: {
    readonly intervalMs: number;
    samples(): readonly ThroughputSample[];
  };
}

/** Limits of list queries: enough for a page, small enough that one request stays quick. */
export const LIST_LIMITS = {
  messages: { default: 50, max: 500 },
  deadLetters: { default: 200, max: 2000 },
  transactions: { default: 200, max: 2000 },
} as const;
