import { decidePull, type PullContext, type QueueState } from '../../../src/client/consumer';

const idle: QueueState = { dropped: false, messageCount: 0, bodyBytes: 0, offsetSpan: 0, locked: true };
const concurrent: PullContext = { mode: 'CONCURRENTLY', paused: false, requiresLock: false };
const orderly: PullContext = { mode: 'ORDERLY', paused: false, requiresLock: true };

describe('decidePull', () => {
  it.each<[string, Partial<QueueState>, PullContext, ReturnType<typeof decidePull>]>([
    ['pulls an idle queue', {}, concurrent, { kind: 'pull' }],
    ['stops a dropped queue', { dropped: true }, concurrent, { kind: 'stop' }],
    [
      'waits 1 s when paused',
      {},
      { ...concurrent, paused: true },
      { kind: 'delay', delayMs: 1000, reason: 'paused' },
    ],
    ['allows exactly 1000 cached messages', { messageCount: 1000 }, concurrent, { kind: 'pull' }],
    [
      'waits 50 ms above 1000 cached messages',
      { messageCount: 1001 },
      concurrent,
      { kind: 'delay', delayMs: 50, reason: 'cached-messages' },
    ],
    [
      'waits 50 ms above 100 MiB cached',
      { bodyBytes: 100 * 1024 * 1024 + 1 },
      orderly,
      { kind: 'delay', delayMs: 50, reason: 'cached-bytes' },
    ],
    [
      'waits 50 ms when the span passes 2000 (concurrently)',
      { offsetSpan: 2001 },
      concurrent,
      { kind: 'delay', delayMs: 50, reason: 'offset-span' },
    ],
    ['ignores the span when orderly', { offsetSpan: 5000 }, orderly, { kind: 'pull' }],
    [
      'waits 3 s for an orderly queue that is not locked',
      { locked: false },
      orderly,
      { kind: 'delay', delayMs: 3000, reason: 'not-locked' },
    ],
    [
      'needs no lock when broadcasting',
      { locked: false },
      { ...orderly, requiresLock: false },
      { kind: 'pull' },
    ],
  ])('%s', (_name, state, context, expected) => {
    expect(decidePull({ ...idle, ...state }, context)).toEqual(expected);
  });

  it('honours custom limits', () => {
    const limits = { maxCachedMessages: 5, maxCachedBytes: 10, maxOffsetSpan: 3 };
    expect(decidePull({ ...idle, offsetSpan: 4 }, { ...concurrent, limits })).toMatchObject({
      reason: 'offset-span',
    });
  });
});
