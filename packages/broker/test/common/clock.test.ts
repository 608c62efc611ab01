import { checkTimerDelay, MAX_TIMER_DELAY_MS, sleep, systemClock } from '../../src/common/clock';

describe('checkTimerDelay', () => {
  it('rounds delays below 1 ms up to 1, as Node does', () => {
    expect(checkTimerDelay(0)).toBe(1);
    expect(checkTimerDelay(-5)).toBe(1);
    expect(checkTimerDelay(250)).toBe(250);
    expect(checkTimerDelay(MAX_TIMER_DELAY_MS)).toBe(MAX_TIMER_DELAY_MS);
  });

  it('rejects NaN and delays above 2^31 - 1, which Node would fire after 1 ms', () => {
    expect(() => checkTimerDelay(Number.NaN)).toThrow(RangeError);
    expect(() => checkTimerDelay(MAX_TIMER_DELAY_MS + 1)).toThrow(/from 0 to 2147483647, got 2147483648/);
    expect(() => checkTimerDelay(Infinity)).toThrow(RangeError);
  });
});

// These use real time on purpose: they check the one adapter to the real clock, with short delays.
describe('systemClock', () => {
  it('reads the wall clock', () => {
    const before = Date.now();
    const now = systemClock.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  it('runs a timeout once and an interval until cleared', async () => {
    let ticks = 0;
    const interval = systemClock.setInterval(() => ticks++, 1);
    await sleep(systemClock, 30);
    systemClock.clearInterval(interval);
    const seen = ticks;
    expect(seen).toBeGreaterThan(1);
    await sleep(systemClock, 10);
    expect(ticks).toBe(seen);
  });

  it('does not run a cleared timeout', async () => {
    const fn = jest.fn();
    systemClock.clearTimeout(systemClock.setTimeout(fn, 1));
    await sleep(systemClock, 10);
    expect(fn).not.toHaveBeenCalled();
  });

  it('validates delays like every Clock', () => {
    expect(() => systemClock.setTimeout(() => undefined, 2 ** 31)).toThrow(RangeError);
  });
});
