// The dispatcher with a stand-in deliverer: when batches go out, what a refusal or a lost record
// does, and that nothing goes out before its time.

import { FakeClock } from '../../../src/common/fake-clock';
import type { TimerEntry } from '../../../src/server/timer/timer-bucket-layout';
import type { TimerBatchOutcome } from '../../../src/server/timer/timer-delivery';
import { TimerDispatcher } from '../../../src/server/timer/timer-dispatcher';
import { capturingLogger } from '../processor/processor-fixtures';

interface Call {
  readonly atMs: number;
  readonly entries: readonly TimerEntry[];
}

function dispatcherWith(answer: (entries: readonly TimerEntry[]) => TimerBatchOutcome) {
  const clock = new FakeClock();
  const calls: Call[] = [];
  const { log, lines } = capturingLogger();
  const dispatcher = new TimerDispatcher({
    clock,
    log,
    deliverer: {
      deliver: async (entries) => {
        calls.push({ atMs: clock.now(), entries });
        return answer(entries);
      },
    },
    batchSize: 2,
    maxBatchesInFlight: 2,
    retryBackoffMs: 1000,
  });
  return { clock, calls, lines, dispatcher };
}

const entry = (dueMs: number, commitLogOffset: number): TimerEntry => ({ dueMs, commitLogOffset, size: 100 });

describe('TimerDispatcher', () => {
  it('sends each entry when its time comes, in batches, and counts it pending until then', async () => {
    const { clock, calls, dispatcher } = dispatcherWith((entries) => ({
      delivered: entries.length,
      retry: [],
      dropped: [],
    }));
    const t0 = clock.now();
    for (const [i, offset] of [30, 5, 10, 40, 20].entries())
      dispatcher.add(entry(t0 + (i % 2 === 0 ? 100 : 50), offset));
    dispatcher.wake();
    expect(dispatcher.earliestPendingDueMs()).toBe(t0 + 50);
    await clock.advanceAsync(49);
    expect(calls).toEqual([]);
    await clock.advanceAsync(1);
    expect(calls.map((call) => [call.atMs - t0, call.entries.map((e) => e.commitLogOffset)])).toEqual([
      [50, [5, 40]],
    ]);
    await clock.advanceAsync(50);
    expect(calls.map((call) => [call.atMs - t0, call.entries.map((e) => e.commitLogOffset)])).toEqual([
      [50, [5, 40]],
      [100, [10, 20]],
      [100, [30]],
    ]);
    expect(dispatcher.pendingCount).toBe(0);
    expect(dispatcher.deliveredCount).toBe(5);
    await dispatcher.stop();
  });

  it('after a refusal, pauses for the backoff and sends the same entries again', async () => {
    let refuse = true;
    const { clock, calls, lines, dispatcher } = dispatcherWith((entries) =>
      refuse
        ? { delivered: 0, retry: entries, dropped: [], retryCause: new Error('disk full') }
        : { delivered: entries.length, retry: [], dropped: [] },
    );
    const t0 = clock.now();
    dispatcher.add(entry(t0 + 10, 1));
    dispatcher.wake();
    await clock.advanceAsync(10);
    expect(calls).toHaveLength(1);
    expect(dispatcher.earliestPendingDueMs()).toBe(t0 + 10);
    expect(lines.join('\n')).toMatch(/refused timed messages for now; trying again.*disk full/);
    refuse = false;
    await clock.advanceAsync(999);
    expect(calls).toHaveLength(1);
    await clock.advanceAsync(1);
    expect(calls.map((call) => call.atMs - t0)).toEqual([10, 1010]);
    expect(dispatcher.deliveredCount).toBe(1);
    await dispatcher.stop();
  });

  it('gives up an entry that can never be delivered, logging why, and goes on', async () => {
    const { clock, lines, dispatcher } = dispatcherWith((entries) => ({
      delivered: entries.length - 1,
      retry: [],
      dropped: [{ entry: entries[0]!, problem: 'no record at commit-log offset 1' }],
    }));
    dispatcher.add(entry(clock.now() + 5, 1));
    dispatcher.add(entry(clock.now() + 5, 2));
    dispatcher.wake();
    await clock.advanceAsync(5);
    expect(dispatcher).toMatchObject({ droppedCount: 1, deliveredCount: 1, pendingCount: 0 });
    expect(lines.join('\n')).toMatch(/cannot be delivered and is given up.*commitLogOffset=1.*no record/);
    await dispatcher.stop();
  });

  it('sends nothing after stop, and leaves no timer behind', async () => {
    const { clock, calls, dispatcher } = dispatcherWith((entries) => ({
      delivered: entries.length,
      retry: [],
      dropped: [],
    }));
    dispatcher.add(entry(clock.now() + 100, 1));
    dispatcher.wake();
    expect(clock.pendingTimers()).toBe(1);
    await dispatcher.stop();
    expect(clock.pendingTimers()).toBe(0);
    await clock.advanceAsync(200);
    dispatcher.wake();
    expect(calls).toEqual([]);
  });
});
