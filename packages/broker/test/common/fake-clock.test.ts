import fc from 'fast-check';
import { FAKE_CLOCK_DEFAULT_EPOCH_MS, FakeClock } from '../../src/common/fake-clock';
import { sleep } from '../../src/common/clock';
import { IllegalStateError } from '../../src/common/errors';

describe('FakeClock', () => {
  it('starts at the given epoch, or a fixed realistic one', () => {
    expect(new FakeClock(1_000).now()).toBe(1_000);
    expect(new FakeClock().now()).toBe(FAKE_CLOCK_DEFAULT_EPOCH_MS);
    expect(new Date(FAKE_CLOCK_DEFAULT_EPOCH_MS).toISOString()).toBe('2024-01-01T00:00:00.000Z');
  });

  it('fires nothing until advanced, then moves now() to each due time', () => {
    const clock = new FakeClock(0);
    const seen: string[] = [];
    clock.setTimeout(() => seen.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => seen.push(`a@${clock.now()}`), 10);
    expect(seen).toEqual([]);
    clock.advance(9);
    expect(seen).toEqual([]);
    expect(clock.now()).toBe(9);
    clock.advance(100);
    expect(seen).toEqual(['a@10', 'b@20']);
    expect(clock.now()).toBe(109);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('breaks ties between timers due together in scheduling order', () => {
    const clock = new FakeClock(0);
    const seen: number[] = [];
    for (let i = 0; i < 5; i++) clock.setTimeout(() => seen.push(i), 10);
    clock.advance(10);
    expect(seen).toEqual([0, 1, 2, 3, 4]);
  });

  it('fires timers scheduled by timers when they fall due inside the window, in order', () => {
    const clock = new FakeClock(0);
    const seen: string[] = [];
    clock.setTimeout(() => {
      seen.push(`outer@${clock.now()}`);
      clock.setTimeout(() => seen.push(`inner@${clock.now()}`), 5); // due 15, before 'late'
      clock.setTimeout(() => seen.push(`beyond@${clock.now()}`), 100); // due 110, outside
    }, 10);
    clock.setTimeout(() => seen.push(`late@${clock.now()}`), 18);
    clock.advance(50);
    expect(seen).toEqual(['outer@10', 'inner@15', 'late@18']);
    expect(clock.pendingTimers()).toBe(1);
    expect(clock.nextDueAt()).toBe(110);
  });

  it('treats a 0 ms delay as 1 ms, as Node does, so advance(0) does not run it', () => {
    const clock = new FakeClock(0);
    const fn = jest.fn();
    clock.setTimeout(fn, 0);
    clock.advance(0);
    expect(fn).not.toHaveBeenCalled();
    clock.advance(1);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('rejects delays Node would silently turn into 1 ms', () => {
    const clock = new FakeClock(0);
    expect(() => clock.setTimeout(() => undefined, 2 ** 31)).toThrow(RangeError);
    expect(() => clock.setInterval(() => undefined, Number.NaN)).toThrow(RangeError);
    expect(() => clock.advance(-1)).toThrow(RangeError);
  });

  it('re-arms intervals at each period until cleared', () => {
    const clock = new FakeClock(0);
    const at: number[] = [];
    const handle = clock.setInterval(() => at.push(clock.now()), 10);
    clock.advance(35);
    expect(at).toEqual([10, 20, 30]);
    clock.clearInterval(handle);
    clock.advance(100);
    expect(at).toEqual([10, 20, 30]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('lets an interval clear itself from its own callback', () => {
    const clock = new FakeClock(0);
    let runs = 0;
    const handle = clock.setInterval(() => {
      if (++runs === 2) clock.clearInterval(handle);
    }, 10);
    clock.advance(100);
    expect(runs).toBe(2);
  });

  it('orders an interval re-armed later after a timeout scheduled earlier for the same instant', () => {
    const clock = new FakeClock(0);
    const seen: string[] = [];
    clock.setInterval(() => seen.push(`interval@${clock.now()}`), 10);
    clock.advance(5);
    clock.setTimeout(() => seen.push(`timeout@${clock.now()}`), 15); // due 20, scheduled at 5
    clock.advance(15);
    // The interval's 20 ms run was scheduled when it fired at 10, after the timeout was.
    expect(seen).toEqual(['interval@10', 'timeout@20', 'interval@20']);
  });

  it('clears timeouts, and clearing twice or an unknown handle is harmless', () => {
    const clock = new FakeClock(0);
    const fn = jest.fn();
    const handle = clock.setTimeout(fn, 10);
    clock.clearTimeout(handle);
    clock.clearTimeout(handle);
    clock.advance(20);
    expect(fn).not.toHaveBeenCalled();
  });

  it('lets a timer cancel a later one due in the same window', () => {
    const clock = new FakeClock(0);
    const later = jest.fn();
    const handle = clock.setTimeout(later, 20);
    clock.setTimeout(() => clock.clearTimeout(handle), 10);
    clock.advance(30);
    expect(later).not.toHaveBeenCalled();
  });

  it('stops at a throwing timer with the rest still pending', () => {
    const clock = new FakeClock(0);
    const after = jest.fn();
    clock.setTimeout(() => {
      throw new Error('boom');
    }, 10);
    clock.setTimeout(after, 20);
    expect(() => clock.advance(30)).toThrow('boom');
    expect(clock.now()).toBe(10);
    expect(after).not.toHaveBeenCalled();
    clock.advance(20);
    expect(after).toHaveBeenCalledTimes(1);
  });

  it('refuses an advance from inside a timer', () => {
    const clock = new FakeClock(0);
    clock.setTimeout(() => clock.advance(1), 1);
    expect(() => clock.advance(1)).toThrow(IllegalStateError);
  });

  it('runAll fires everything, including chains, and returns the count', () => {
    const clock = new FakeClock(0);
    const seen: number[] = [];
    clock.setTimeout(() => {
      seen.push(clock.now());
      clock.setTimeout(() => seen.push(clock.now()), 1_000);
    }, 500);
    expect(clock.runAll()).toBe(2);
    expect(seen).toEqual([500, 1_500]);
    expect(clock.now()).toBe(1_500);
  });

  it('runAll is bounded so an uncleared interval fails instead of hanging', () => {
    const clock = new FakeClock(0);
    clock.setInterval(() => undefined, 1);
    expect(() => clock.runAll(100)).toThrow(IllegalStateError);
    expect(clock.now()).toBe(100);
  });

  it('advance alone does not run code that awaits before scheduling; advanceAsync does', async () => {
    const clock = new FakeClock(0);
    const seen: number[] = [];
    const worker = async () => {
      for (let i = 0; i < 3; i++) {
        await sleep(clock, 10);
        await Promise.resolve(); // an await between timers, as real async code has
        seen.push(clock.now());
      }
    };
    const done = worker();
    clock.advance(30);
    // Only the first sleep's timer existed; its continuation has not even run yet.
    expect(seen).toEqual([]);
    await clock.advanceAsync(30);
    // The first continuation runs only now, at 30, so the next sleeps end at 40 and 50.
    expect(seen).toEqual([30, 40, 50]);
    await done;
  });

  it('advanceAsync fires every timer of a sleep loop inside the window at its due time', async () => {
    const clock = new FakeClock(0);
    const seen: number[] = [];
    const done = (async () => {
      for (let i = 0; i < 3; i++) {
        await sleep(clock, 10);
        seen.push(clock.now());
      }
    })();
    await clock.advanceAsync(25);
    expect(seen).toEqual([10, 20]);
    expect(clock.now()).toBe(25);
    await clock.advanceAsync(5);
    await done;
    expect(seen).toEqual([10, 20, 30]);
  });

  it('runAllAsync drives an async chain to its end', async () => {
    const clock = new FakeClock(0);
    let finishedAt: number | undefined;
    void (async () => {
      await sleep(clock, 100);
      await sleep(clock, 200);
      finishedAt = clock.now();
    })();
    expect(await clock.runAllAsync()).toBe(2);
    expect(finishedAt).toBe(300);
  });

  it('fires any set of timeouts in (due, scheduling) order at their due times, however time is stepped', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 30 }),
        fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 10 }),
        (delays, steps) => {
          const clock = new FakeClock(0);
          const fired: { index: number; at: number }[] = [];
          delays.forEach((delay, index) =>
            clock.setTimeout(() => fired.push({ index, at: clock.now() }), delay),
          );
          for (const step of steps) clock.advance(step);
          clock.runAll();
          const due = (i: number) => Math.max(1, delays[i] ?? 0);
          const expected = delays.map((_, i) => i).sort((a, b) => due(a) - due(b) || a - b);
          expect(fired.map((f) => f.index)).toEqual(expected);
          for (const f of fired) expect(f.at).toBe(due(f.index));
        },
      ),
    );
  });
});
