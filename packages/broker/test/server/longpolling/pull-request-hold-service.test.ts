import { FakeClock } from '../../../src/common/fake-clock';
import { DeadlineHeap } from '../../../src/server/longpolling/deadline-heap';
import {
  PullRequestHoldService,
  type HeldPull,
  type PullRequestHoldServiceOptions,
  type WakeReason,
} from '../../../src/server/longpolling/pull-request-hold-service';

interface Harness {
  readonly clock: FakeClock;
  readonly service: PullRequestHoldService;
  readonly maxOffsets: Map<string, number>;
  readonly wakeErrors: unknown[];
  /** Holds a pull and returns the list its wake reasons (with clock time) are recorded in. */
  hold(pull: Partial<HeldPull> & { suspendMs?: number }): Array<[WakeReason, number]>;
}

function harness(options: Partial<PullRequestHoldServiceOptions> = {}): Harness {
  const clock = new FakeClock();
  const maxOffsets = new Map<string, number>();
  const wakeErrors: unknown[] = [];
  const service = new PullRequestHoldService({
    clock,
    maxOffsetOf: (topic, queueId) => maxOffsets.get(`${topic}@${queueId}`) ?? 0,
    onWakeError: (error) => wakeErrors.push(error),
    ...options,
  });
  const hold: Harness['hold'] = ({ suspendMs = 15_000, ...pull }) => {
    const wakes: Array<[WakeReason, number]> = [];
    service.hold({
      connectionId: 1,
      topic: 'T',
      queueId: 0,
      requestOffset: 0,
      deadlineMs: clock.now() + suspendMs,
      filter: () => true,
      wake: (reason) => wakes.push([reason, clock.now()]),
      ...pull,
    });
    return wakes;
  };
  return { clock, service, maxOffsets, wakeErrors, hold };
}

describe('PullRequestHoldService', () => {
  it('wakes the pulls of a queue when a message arrives past their offset', () => {
    const { service, hold, clock } = harness();
    const atZero = hold({ requestOffset: 0 });
    const atFive = hold({ requestOffset: 5 });
    const otherQueue = hold({ queueId: 1 });
    expect(service.heldCount).toBe(3);
    expect(service.notifyMessageArriving('T', 0, 1, 42)).toBe(1);
    expect(atZero).toEqual([['arrived', clock.now()]]);
    expect(atFive).toEqual([]);
    expect(otherQueue).toEqual([]);
    expect(service.notifyMessageArriving('T', 0, 6)).toBe(1);
    expect(atFive).toEqual([['arrived', clock.now()]]);
    expect(service.heldCount).toBe(1);
    expect(service.heldCountOf('T', 1)).toBe(1);
  });

  it('leaves a pull parked when its filter rejects the tag, and wakes it for a matching one', () => {
    const { service, hold } = harness();
    const tags: Array<number | undefined> = [];
    const wakes = hold({
      filter: (code) => {
        tags.push(code);
        return code === 7;
      },
    });
    expect(service.notifyMessageArriving('T', 0, 1, 3)).toBe(0);
    expect(wakes).toEqual([]);
    expect(service.notifyMessageArriving('T', 0, 2, 7)).toBe(1);
    expect(wakes.map(([reason]) => reason)).toEqual(['arrived']);
    expect(tags).toEqual([3, 7]);
  });

  it('answers a held pull exactly at its suspend timeout, not at the next 5 s check', () => {
    const { service, hold, clock } = harness();
    service.start();
    const start = clock.now();
    const short = hold({ suspendMs: 1_234 });
    const long = hold({ suspendMs: 15_000 });
    clock.advance(1_233);
    expect(short).toEqual([]);
    clock.advance(1);
    expect(short).toEqual([['timeout', start + 1_234]]);
    clock.advance(15_000 - 1_234 - 1);
    expect(long).toEqual([]);
    clock.advance(1);
    expect(long).toEqual([['timeout', start + 15_000]]);
    service.stop();
    expect(clock.pendingTimers()).toBe(0);
  });

  it('re-arms its single timer when an earlier deadline arrives and keeps one timer for many pulls', () => {
    const { service, hold, clock } = harness();
    const start = clock.now();
    const late = hold({ suspendMs: 10_000 });
    for (let i = 0; i < 100; i++) hold({ suspendMs: 10_000 + i });
    expect(clock.pendingTimers()).toBe(1);
    const early = hold({ suspendMs: 500 });
    expect(clock.pendingTimers()).toBe(1);
    clock.advance(500);
    expect(early).toEqual([['timeout', start + 500]]);
    clock.advance(9_500);
    expect(late).toEqual([['timeout', start + 10_000]]);
    clock.advance(200);
    expect(service.heldCount).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('wakes each pull exactly once, whichever comes first', () => {
    const { service, hold, clock } = harness();
    service.start();
    const wakes = hold({ suspendMs: 5_000 });
    service.notifyMessageArriving('T', 0, 1);
    service.notifyMessageArriving('T', 0, 2);
    clock.advance(20_000);
    service.wakeAll('shutdown');
    expect(wakes.map(([reason]) => reason)).toEqual(['arrived']);
    service.stop();
  });

  it('the periodic check wakes pulls whose queue moved on, whatever the tag', () => {
    const { service, hold, clock, maxOffsets } = harness();
    service.start();
    const wakes = hold({ filter: () => false, requestOffset: 3 });
    maxOffsets.set('T@0', 3);
    clock.advance(5_000);
    expect(wakes).toEqual([]);
    maxOffsets.set('T@0', 4);
    clock.advance(4_999);
    expect(wakes).toEqual([]);
    clock.advance(1);
    expect(wakes.map(([reason]) => reason)).toEqual(['check']);
    service.stop();
  });

  it('checks every shortPollingTimeMills when long polling is off', () => {
    const { service, hold, clock, maxOffsets } = harness({
      longPollingEnable: false,
      shortPollingTimeMs: 1_000,
    });
    expect(service.checkIntervalMs).toBe(1_000);
    service.start();
    const wakes = hold({});
    maxOffsets.set('T@0', 1);
    clock.advance(1_000);
    expect(wakes.map(([reason]) => reason)).toEqual(['check']);
    service.stop();
  });

  it('wakes at once a pull whose queue already moved on or whose deadline passed', () => {
    const { service, hold, maxOffsets } = harness();
    maxOffsets.set('T@0', 10);
    expect(hold({ requestOffset: 9 })).toEqual([['check', expect.any(Number)]]);
    expect(hold({ requestOffset: 10, suspendMs: 0 })).toEqual([['timeout', expect.any(Number)]]);
    expect(service.heldCount).toBe(0);
  });

  it('drops the pulls of a closed connection without waking them', () => {
    const { service, hold, clock } = harness();
    const closed = hold({ connectionId: 7 });
    const closedOtherQueue = hold({ connectionId: 7, queueId: 3 });
    const open = hold({ connectionId: 8 });
    expect(service.removeConnection(7)).toBe(2);
    expect(service.removeConnection(7)).toBe(0);
    clock.advance(20_000);
    expect(closed).toEqual([]);
    expect(closedOtherQueue).toEqual([]);
    expect(open.map(([reason]) => reason)).toEqual(['timeout']);
  });

  it('stop wakes everything with shutdown, and later holds wake at once', () => {
    const { service, hold, clock } = harness();
    service.start();
    const a = hold({});
    const b = hold({ topic: 'U' });
    service.stop();
    expect([a, b].map((w) => w.map(([reason]) => reason))).toEqual([['shutdown'], ['shutdown']]);
    expect(clock.pendingTimers()).toBe(0);
    expect(hold({}).map(([reason]) => reason)).toEqual(['shutdown']);
  });

  it('reports a throwing wake and goes on with the others', () => {
    const { service, hold, wakeErrors } = harness();
    hold({
      wake: () => {
        throw new Error('boom');
      },
    });
    const second = hold({});
    expect(service.notifyMessageArriving('T', 0, 1)).toBe(2);
    expect(second).toHaveLength(1);
    expect(wakeErrors).toEqual([new Error('boom')]);
  });

  it('lets a wake hold a new pull without waking it in the same pass', () => {
    const { service, hold } = harness();
    const rewakes: WakeReason[] = [];
    hold({
      wake: () =>
        service.hold({
          connectionId: 1,
          topic: 'T',
          queueId: 0,
          requestOffset: 1,
          deadlineMs: Number.MAX_SAFE_INTEGER,
          filter: () => true,
          wake: (reason) => rewakes.push(reason),
        }),
    });
    service.notifyMessageArriving('T', 0, 1);
    expect(rewakes).toEqual([]);
    expect(service.heldCount).toBe(1);
  });

  it('handles thousands of held pulls cheaply: an arrival touches only its queue', () => {
    const { service, hold, clock } = harness();
    service.start();
    const filterCalls = { count: 0 };
    const wakes: Array<Array<[WakeReason, number]>> = [];
    for (let i = 0; i < 20_000; i++) {
      wakes.push(
        hold({
          queueId: i % 1_000,
          suspendMs: 15_000 + (i % 7),
          filter: () => {
            filterCalls.count++;
            return true;
          },
        }),
      );
    }
    expect(service.heldCount).toBe(20_000);
    expect(service.notifyMessageArriving('T', 42, 1)).toBe(20);
    expect(filterCalls.count).toBe(20);
    // Early wakes leave entries in the deadline heap; they must not delay or duplicate timeouts.
    for (let q = 0; q < 600; q++) service.notifyMessageArriving('T', q, 1);
    clock.advance(15_006);
    const reasons = wakes.map((w) => w.map(([reason]) => reason));
    expect(reasons.every((r) => r.length === 1)).toBe(true);
    expect(reasons.filter((r) => r[0] === 'timeout')).toHaveLength(8_000);
    expect(service.heldCount).toBe(0);
    service.stop();
  });
});

describe('DeadlineHeap', () => {
  it('pops by deadline, ties in insertion order, and compacts', () => {
    const heap = new DeadlineHeap<{ deadlineMs: number; seq: number; name: string }>();
    const items = [5, 1, 3, 1, 9, 2].map((deadlineMs, seq) => ({
      deadlineMs,
      seq,
      name: `${deadlineMs}/${seq}`,
    }));
    for (const item of items) heap.push(item);
    heap.compact((item) => item.deadlineMs !== 9);
    const order: string[] = [];
    for (let item = heap.pop(); item !== undefined; item = heap.pop()) order.push(item.name);
    expect(order).toEqual(['1/1', '1/3', '2/5', '3/2', '5/0']);
    expect(heap.size).toBe(0);
  });
});
