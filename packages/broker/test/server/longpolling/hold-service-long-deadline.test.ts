// A client may ask to be held for up to 2^53 - 1 ms (suspendTimeoutMillis is a Java long), far past
// what one timer can wait. Found by the live-broker fuzz (server/integration/broker-fuzz.test.ts).

import { MAX_TIMER_DELAY_MS } from '../../../src/common/clock';
import { FakeClock } from '../../../src/common/fake-clock';
import {
  PullRequestHoldService,
  type WakeReason,
} from '../../../src/server/longpolling/pull-request-hold-service';

describe('PullRequestHoldService with deadlines beyond one timer', () => {
  function holdFor(suspendMs: number) {
    const clock = new FakeClock();
    const wakeErrors: unknown[] = [];
    const service = new PullRequestHoldService({
      clock,
      maxOffsetOf: () => 0,
      onWakeError: (error) => wakeErrors.push(error),
    });
    const wakes: WakeReason[] = [];
    const hold = () =>
      service.hold({
        connectionId: 1,
        topic: 'T',
        queueId: 0,
        requestOffset: 0,
        deadlineMs: clock.now() + suspendMs,
        filter: () => true,
        wake: (reason) => wakes.push(reason),
      });
    return { clock, service, wakes, wakeErrors, hold };
  }

  it('holds a pull whose deadline is past the largest timer delay, and times it out on time', () => {
    const suspendMs = 3 * MAX_TIMER_DELAY_MS + 5;
    const { clock, service, wakes, wakeErrors, hold } = holdFor(suspendMs);
    expect(hold).not.toThrow();
    expect(service.heldCount).toBe(1);
    clock.advance(suspendMs - 1);
    expect(wakes).toEqual([]);
    clock.advance(1);
    expect(wakes).toEqual(['timeout']);
    expect(wakeErrors).toEqual([]);
  });

  it('holds a pull asking for 2^53 - 1 ms until a message arrives', () => {
    const { service, wakes, hold } = holdFor(Number.MAX_SAFE_INTEGER);
    expect(hold).not.toThrow();
    expect(service.notifyMessageArriving('T', 0, 1)).toBe(1);
    expect(wakes).toEqual(['arrived']);
  });
});
