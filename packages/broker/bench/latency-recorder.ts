// Send → receive latencies of the client benchmark, kept exactly (one float per message: 50,000
// messages are 400 KB) so percentiles are nearest-rank values, not bucket edges.

export interface LatencySummary {
  readonly count: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly maxMs: number;
}

export class LatencyRecorder {
  #values: Float64Array;
  #count = 0;

  constructor(expectedCount: number) {
    this.#values = new Float64Array(Math.max(16, expectedCount));
  }

  get count(): number {
    return this.#count;
  }

  record(latencyMs: number): void {
    if (this.#count === this.#values.length) {
      const grown = new Float64Array(this.#values.length * 2);
      grown.set(this.#values);
      this.#values = grown;
    }
    this.#values[this.#count++] = latencyMs;
  }

  summary(): LatencySummary {
    const sorted = this.#values.slice(0, this.#count).sort();
    return {
      count: this.#count,
      p50Ms: nearestRank(sorted, 0.5),
      p99Ms: nearestRank(sorted, 0.99),
      p999Ms: nearestRank(sorted, 0.999),
      maxMs: this.#count === 0 ? Number.NaN : sorted[this.#count - 1]!,
    };
  }
}

/** The smallest value with at least `quantile` of all values at or below it; NaN when empty. */
export function nearestRank(sorted: Float64Array, quantile: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil(quantile * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}
