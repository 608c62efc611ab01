// When rebalances run, on a fake clock: at start, every interval, once more after triggers that
// arrive during a run, never two at once, and never after stop.

import { FakeClock } from '../../../src/common/fake-clock';
import { silentLogger } from '../../../src/common/logger';
import { RebalanceService } from '../../../src/client/consumer/rebalance-service';
import { deferred, flushPromises } from './consumer-fakes';

function setup(intervalMs = 20_000) {
  const clock = new FakeClock();
  const runsAt: number[] = [];
  let active = 0;
  let maxActive = 0;
  let gate: { promise: Promise<void>; resolve: (value: void) => void } | undefined;
  let failNext = false;
  const service = new RebalanceService({
    clock,
    logger: silentLogger,
    intervalMs,
    rebalance: async () => {
      runsAt.push(clock.now() - start);
      active++;
      maxActive = Math.max(maxActive, active);
      try {
        if (gate !== undefined) await gate.promise;
        if (failNext) {
          failNext = false;
          throw new Error('no route yet');
        }
      } finally {
        active--;
      }
    },
  });
  const start = clock.now();
  return {
    clock,
    service,
    runsAt,
    maxActive: () => maxActive,
    hold: () => (gate = deferred<void>()),
    release: () => {
      gate?.resolve();
      gate = undefined;
    },
    failNextRun: () => (failNext = true),
  };
}

describe('RebalanceService', () => {
  it('rebalances at start and then every interval (20 s by default)', async () => {
    const t = setup();
    await t.service.start();
    expect(t.runsAt).toEqual([0]);
    await t.clock.advanceAsync(19_999);
    expect(t.runsAt).toEqual([0]);
    await t.clock.advanceAsync(1);
    expect(t.runsAt).toEqual([0, 20_000]);
    await t.clock.advanceAsync(40_000);
    expect(t.runsAt).toEqual([0, 20_000, 40_000, 60_000]);
    await t.service.stop();
  });

  it('rebalances at once on a trigger, without waiting for the interval', async () => {
    const t = setup();
    await t.service.start();
    await t.clock.advanceAsync(5000);
    t.service.trigger();
    await t.service.whenIdle();
    expect(t.runsAt).toEqual([0, 5000]);
    await t.service.stop();
  });

  it('coalesces triggers during a run into exactly one more run, never overlapping', async () => {
    const t = setup();
    await t.service.start();
    t.hold();
    t.service.trigger();
    await flushPromises();
    for (let i = 0; i < 5; i++) t.service.trigger(); // e.g. one notification per broker
    t.release();
    await t.service.whenIdle();
    expect(t.runsAt).toHaveLength(3);
    expect(t.maxActive()).toBe(1);
    expect(t.service.completedRuns).toBe(3);
    await t.service.stop();
  });

  it('keeps its schedule after a failed rebalance', async () => {
    const t = setup(1000);
    t.failNextRun();
    await t.service.start();
    await t.clock.advanceAsync(1000);
    expect(t.runsAt).toEqual([0, 1000]);
    expect(t.service.completedRuns).toBe(2);
    await t.service.stop();
  });

  it('stops: no timers left, triggers ignored, a run in progress awaited', async () => {
    const t = setup();
    await t.service.start();
    t.hold();
    t.service.trigger();
    await flushPromises();
    const stopped = t.service.stop();
    t.service.trigger();
    t.release();
    await stopped;
    expect(t.clock.pendingTimers()).toBe(0);
    await t.clock.advanceAsync(60_000);
    expect(t.runsAt).toEqual([0, 0]);
  });
});
