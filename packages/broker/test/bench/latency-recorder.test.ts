import { LatencyRecorder, nearestRank } from '../../bench/latency-recorder';

describe('LatencyRecorder', () => {
  it('reports nearest-rank percentiles of every recorded value', () => {
    const recorder = new LatencyRecorder(1000);
    // 1..1000 in a shuffled order: the percentiles must not depend on arrival order.
    for (let i = 0; i < 1000; i++) recorder.record(((i * 7919) % 1000) + 1);
    expect(recorder.summary()).toEqual({ count: 1000, p50Ms: 500, p99Ms: 990, p999Ms: 999, maxMs: 1000 });
  });

  it('keeps recording past the expected count', () => {
    const recorder = new LatencyRecorder(2);
    for (const value of [5, 1, 4, 2, 3, 100]) recorder.record(value);
    const summary = recorder.summary();
    expect(summary.count).toBe(6);
    expect(summary.p50Ms).toBe(3);
    expect(summary.maxMs).toBe(100);
  });

  it('says NaN, not zero, when nothing arrived', () => {
    const summary = new LatencyRecorder(10).summary();
    expect(summary.count).toBe(0);
    expect(summary.p99Ms).toBeNaN();
    expect(summary.maxMs).toBeNaN();
  });

  it('nearestRank picks the smallest value covering the quantile', () => {
    const sorted = new Float64Array([1, 2, 3, 4]);
    expect(nearestRank(sorted, 0.5)).toBe(2);
    expect(nearestRank(sorted, 0.51)).toBe(3);
    expect(nearestRank(sorted, 0)).toBe(1);
    expect(nearestRank(sorted, 1)).toBe(4);
  });
});
