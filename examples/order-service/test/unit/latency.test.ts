import { formatMs, percentile, summarizeLatencies } from '../../src/scenario/latency';

describe('latency summary', () => {
  it('takes nearest-rank percentiles of measured values', () => {
    const values = Array.from({ length: 100 }, (_, index) => index + 1);
    expect(summarizeLatencies(values)).toEqual({ count: 100, p50Ms: 50, p99Ms: 99, maxMs: 100 });
    expect(percentile([5], 99)).toBe(5);
    expect(percentile([1, 2, 3], 50)).toBe(2);
  });

  it('has nothing to say about no values', () => {
    expect(summarizeLatencies([])).toBeUndefined();
  });

  it('prints milliseconds below a second and seconds above', () => {
    expect(formatMs(183.4)).toBe('183 ms');
    expect(formatMs(2_450)).toBe('2.45 s');
  });
});
