// Messages in and out per second over the last minutes, for the overview's chart. Brokers report
// only running totals (msgPutTotalTodayNow, msgGetTotalTodayNow), so the console samples them every
// interval and keeps the rates between samples. A broker whose total went down restarted: its rate
// for that interval is unknown and counted as 0 rather than as a negative spike.

import type { Clock, TimerHandle } from '../common/clock';
import type { Logger } from '../common/logger';
import { summarizeBroker } from './broker-summary';
import type { ConsoleAdmin } from './console-admin';

export interface ThroughputSample {
  readonly atMs: number;
  readonly inPerSec: number;
  readonly outPerSec: number;
}

export interface ThroughputSamplerOptions {
  readonly admin: Pick<ConsoleAdmin, 'clusterList'>;
  readonly clock: Clock;
  readonly log: Logger;
  readonly intervalMs: number;
  /** How many samples are kept (the chart's width). */
  readonly maxSamples: number;
}

interface Totals {
  readonly atMs: number;
  /** By broker address. */
  readonly byBroker: ReadonlyMap<string, { readonly put: number; readonly get: number }>;
}

export class ThroughputSampler {
  readonly #options: ThroughputSamplerOptions;
  readonly #samples: ThroughputSample[] = [];
  #previous: Totals | undefined;
  #timer: TimerHandle | undefined;
  #sampling: Promise<void> | undefined;

  constructor(options: ThroughputSamplerOptions) {
    this.#options = options;
  }

  get intervalMs(): number {
    return this.#options.intervalMs;
  }

  /** Takes a first sample now (the baseline) and then one every interval. */
  start(): void {
    if (this.#timer !== undefined) return;
    void this.sample();
    this.#timer = this.#options.clock.setInterval(() => void this.sample(), this.#options.intervalMs);
  }

  /** Stops sampling and waits for a sample in progress. */
  async stop(): Promise<void> {
    if (this.#timer !== undefined) this.#options.clock.clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#sampling;
  }

  samples(): readonly ThroughputSample[] {
    return [...this.#samples];
  }

  /** One sample; a sample still running (a slow cluster) is not overlapped but awaited. */
  sample(): Promise<void> {
    this.#sampling ??= this.#takeSample().finally(() => {
      this.#sampling = undefined;
    });
    return this.#sampling;
  }

  async #takeSample(): Promise<void> {
    const { admin, clock, log, maxSamples } = this.#options;
    let totals: Totals;
    try {
      const members = await admin.clusterList();
      const byBroker = new Map<string, { put: number; get: number }>();
      for (const member of members.map(summarizeBroker)) {
        if (member.putTotal !== null && member.getTotal !== null)
          byBroker.set(member.address, { put: member.putTotal, get: member.getTotal });
      }
      totals = { atMs: clock.now(), byBroker };
    } catch (error) {
      // The chart shows a gap; the overview page reports the cluster's error itself.
      log.warn('throughput sample failed', { error: error instanceof Error ? error.message : String(error) });
      return;
    }
    const previous = this.#previous;
    this.#previous = totals;
    if (previous === undefined) return;
    const seconds = (totals.atMs - previous.atMs) / 1000;
    if (seconds <= 0) return;
    let put = 0;
    let get = 0;
    for (const [address, now] of totals.byBroker) {
      const before = previous.byBroker.get(address);
      if (before === undefined) continue;
      put += Math.max(0, now.put - before.put);
      get += Math.max(0, now.get - before.get);
    }
    this.#samples.push({ atMs: totals.atMs, inPerSec: put / seconds, outPerSec: get / seconds });
    if (this.#samples.length > maxSamples) this.#samples.splice(0, this.#samples.length - maxSamples);
  }
}
