import { ChargeFaults } from '../../src/scenario/charge-faults';
import {
  FaultSchedule,
  type FaultFailedError,
  type FaultTarget,
  type ScheduledFault,
} from '../../src/scenario/fault-schedule';
import { InjectedFault } from '../../src/fault-points';

const target = {} as FaultTarget;

function fault(name: string, atFraction: number, run: () => Promise<string>): ScheduledFault {
  return { name, atFraction, inject: run };
}

describe('FaultSchedule', () => {
  it('fires each fault once its share of requests is answered, one at a time, in order', async () => {
    const started: string[] = [];
    let releaseFirst: () => void = () => undefined;
    const first = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    const notes: string[] = [];
    const schedule = new FaultSchedule(
      [
        fault('a', 0.1, async () => {
          started.push('a');
          await first;
          return 'did a';
        }),
        fault('b', 0.2, async () => {
          started.push('b');
          return 'did b';
        }),
      ],
      target,
      100,
      (text) => notes.push(text),
    );
    schedule.onAnswered(9);
    await Promise.resolve();
    expect(started).toEqual([]);
    schedule.onAnswered(25); // both are due; b waits for a
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual(['a']);
    releaseFirst();
    await schedule.finished();
    expect(started).toEqual(['a', 'b']);
    expect(schedule.records).toEqual([
      { atRequest: 25, name: 'a', detail: 'did a' },
      { atRequest: 25, name: 'b', detail: 'did b' },
    ]);
    expect(notes).toEqual(['⚡ a …', '⚡ a: did a', '⚡ b …', '⚡ b: did b']);
  });

  it('reports a failed injection at once and from finished(), naming the fault, and skips the faults after it', async () => {
    const failure = new Error('restart failed');
    let laterRan = false;
    const heard: FaultFailedError[] = [];
    const notes: string[] = [];
    const schedule = new FaultSchedule(
      [
        fault('broken', 0, async () => {
          throw failure;
        }),
        fault('later', 0, async () => {
          laterRan = true;
          return 'x';
        }),
      ],
      target,
      10,
      (text) => notes.push(text),
      (error) => heard.push(error),
    );
    schedule.onAnswered(1);
    await new Promise((resolve) => setImmediate(resolve));
    // Heard before anyone awaits finished(): the run stops its requests on it.
    expect(heard).toHaveLength(1);
    expect(heard[0]).toMatchObject({
      code: 'FAULT_FAILED',
      fault: 'broken',
      message: 'fault "broken" failed: restart failed',
      cause: failure,
    });
    await expect(schedule.finished()).rejects.toBe(heard[0]);
    expect(laterRan).toBe(false);
    expect(heard).toHaveLength(1);
    expect(notes).toEqual(['⚡ broken …', '⚡ broken failed: restart failed']);
  });
});

describe('ChargeFaults', () => {
  it('fails the first charge of about one order in `every`, and never the same order twice', () => {
    const faults = new ChargeFaults(5);
    const ids = Array.from({ length: 500 }, (_, index) => `order-${index}`);
    const failedOnce = ids.filter((id) => {
      try {
        faults.afterCharge(id);
        return false;
      } catch (error: unknown) {
        expect(error).toBeInstanceOf(InjectedFault);
        return true;
      }
    });
    expect(failedOnce.length).toBeGreaterThan(60);
    expect(failedOnce.length).toBeLessThan(140);
    expect(faults.injected).toBe(failedOnce.length);
    for (const id of failedOnce) expect(() => faults.afterCharge(id)).not.toThrow();
  });
});
