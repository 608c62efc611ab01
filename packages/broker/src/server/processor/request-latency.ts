// Latency of a request as the send and pull histograms see it. A monotonic clock with sub-millisecond
// resolution (performance.now), not the injected Clock: this only observes how long work took and
// changes no behaviour, and a wall clock in whole milliseconds would put most requests at 0.

import { performance } from 'node:perf_hooks';
import type { BrokerStats, ObservedRequest } from '../broker-stats';
import type { RequestProcessor } from '../../transport/processor-table';

/** A start mark for `recordLatencySince`. */
export function latencyStart(): number {
  return performance.now();
}

export function recordLatencySince(stats: BrokerStats, request: ObservedRequest, startMark: number): void {
  stats.recordLatency(request, (performance.now() - startMark) / 1000);
}

/** `processor` with the time to its answer recorded; a request that throws is not counted. */
export function timedProcessor(
  stats: BrokerStats,
  request: ObservedRequest,
  processor: RequestProcessor,
): RequestProcessor {
  return async (command, context) => {
    const start = latencyStart();
    const response = await processor(command, context);
    recordLatencySince(stats, request, start);
    return response;
  };
}
