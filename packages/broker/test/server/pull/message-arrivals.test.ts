import type { DispatchRequest } from '../../../src/store/dispatch-request';
import { MessageArrivals, type MessageArrival } from '../../../src/server/pull/message-arrivals';

function dispatch(
  queueOffset: number,
  commitLogOffset: number,
  overrides: Partial<DispatchRequest> = {},
): DispatchRequest {
  return {
    topic: 'T',
    queueId: 0,
    queueOffset,
    commitLogOffset,
    size: 100,
    tagsCode: 7,
    storeTimestamp: 0,
    transactionType: 0,
    keys: undefined,
    uniqKey: undefined,
    ...overrides,
  };
}

describe('MessageArrivals', () => {
  it('releases arrivals only once the acknowledged end of the log covers them, in append order', () => {
    const seen: MessageArrival[] = [];
    const arrivals = new MessageArrivals((arrival) => seen.push(arrival));
    arrivals.dispatched(dispatch(0, 0));
    arrivals.dispatched(dispatch(1, 100));
    arrivals.dispatched(dispatch(2, 200));
    arrivals.confirmed(150);
    expect(seen.map((a) => a.maxOffset)).toEqual([1]);
    arrivals.confirmed(300);
    expect(seen.map((a) => a.maxOffset)).toEqual([1, 2, 3]);
    expect(seen[0]).toEqual({ topic: 'T', queueId: 0, maxOffset: 1, tagsCode: 7 });
    expect(arrivals.pending).toBe(0);
  });

  it('ignores half and rolled-back messages, which no consumer sees', () => {
    const seen: MessageArrival[] = [];
    const arrivals = new MessageArrivals((arrival) => seen.push(arrival));
    arrivals.dispatched(dispatch(0, 0, { transactionType: 0x4 }));
    arrivals.dispatched(dispatch(0, 100, { transactionType: 0xc }));
    arrivals.dispatched(dispatch(0, 200, { transactionType: 0x8 }));
    arrivals.confirmed(1000);
    expect(seen).toHaveLength(1);
  });

  it('keeps memory bounded while a long stream is confirmed bit by bit', () => {
    let released = 0;
    const arrivals = new MessageArrivals(() => released++);
    for (let i = 0; i < 10_000; i++) {
      arrivals.dispatched(dispatch(i, i * 100));
      if (i % 3 === 0) arrivals.confirmed(i * 100 + 100);
    }
    arrivals.confirmed(10_000 * 100);
    expect(released).toBe(10_000);
    expect(arrivals.pending).toBe(0);
  });
});
