import { PendingTimerHeap } from '../../../src/server/timer/pending-timer-heap';
import type { TimerEntry } from '../../../src/server/timer/timer-bucket-layout';

describe('PendingTimerHeap', () => {
  it('pops entries earliest first, ties in commit-log order, through growth and shrinking', () => {
    const heap = new PendingTimerHeap();
    let seed = 7;
    const random = (bound: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % bound;
    };
    const pushed: TimerEntry[] = [];
    const popped: TimerEntry[] = [];
    // Pushes and pops interleaved, with more due times than slots so ties are frequent.
    for (let round = 0; round < 20_000; round++) {
      if (random(3) > 0 || heap.length === 0) {
        const entry = {
          dueMs: 1_000_000 + random(500),
          commitLogOffset: round * 100,
          size: 1 + random(4000),
        };
        pushed.push(entry);
        heap.push(entry);
      } else {
        popped.push(heap.pop()!);
      }
    }
    const rest: TimerEntry[] = [];
    while (heap.length > 0) rest.push(heap.pop()!);
    expect(heap.pop()).toBeUndefined();
    expect(heap.peekDue()).toBeUndefined();
    const before = (a: TimerEntry, b: TimerEntry) =>
      a.dueMs < b.dueMs || (a.dueMs === b.dueMs && a.commitLogOffset < b.commitLogOffset);
    expect(rest.every((entry, i) => i === 0 || before(rest[i - 1]!, entry))).toBe(true);
    const key = (entry: TimerEntry) => `${entry.commitLogOffset}/${entry.dueMs}/${entry.size}`;
    expect([...popped, ...rest].map(key).sort()).toEqual(pushed.map(key).sort());
  });
});
