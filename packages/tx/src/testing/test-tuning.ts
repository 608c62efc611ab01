// Runtime settings for tests against startTestBroker(): routes, rebalances and offsets every
// half second instead of every 20-30 s, so a consumer finds a topic created after it started (a
// dead-letter queue, a topic first sent to by the test) within a second; orderly retries after
// 100 ms. Spread into KeelRuntime.start's options: `{ ...testRuntimeTuning, dataSource, ... }`.

import type { ConsumerTuning, ProducerTuning } from '../runtime/runtime-options';

export const testRuntimeTuning: {
  readonly consumer: ConsumerTuning;
  readonly producer: ProducerTuning;
} = Object.freeze({
  consumer: Object.freeze({
    pollNameServerIntervalMs: 500,
    rebalanceIntervalMs: 500,
    persistConsumerOffsetIntervalMs: 500,
    heartbeatBrokerIntervalMs: 1000,
    suspendCurrentQueueMs: 100,
  }),
  producer: Object.freeze({
    pollNameServerIntervalMs: 500,
    heartbeatBrokerIntervalMs: 1000,
  }),
});
