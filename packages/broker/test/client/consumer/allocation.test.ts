import fc from 'fast-check';
import {
  allocateAveragely,
  allocateByCircle,
  allocateSorted,
  compareMessageQueues,
  messageQueueKey,
  type AllocateMessageQueues,
  type MessageQueue,
} from '../../../src/client/consumer';
import { mq } from './consumer-fakes';

const queues = (n: number): MessageQueue[] => Array.from({ length: n }, (_, i) => mq('T', 'b', i));
const ids = (n: number): string[] => Array.from({ length: n }, (_, i) => `c${String(i).padStart(3, '0')}`);
const queueIds = (list: readonly MessageQueue[]): number[] => list.map((q) => q.queueId);

describe('allocateAveragely (AllocateMessageQueueAveragely)', () => {
  it.each([
    // queues, consumers, expected queue ids per consumer
    [
      8,
      3,
      [
        [0, 1, 2],
        [3, 4, 5],
        [6, 7],
      ],
    ],
    [4, 4, [[0], [1], [2], [3]]],
    [2, 4, [[0], [1], [], []]],
    [
      7,
      2,
      [
        [0, 1, 2, 3],
        [4, 5, 6],
      ],
    ],
    [0, 2, [[], []]],
  ])('%i queues over %i consumers', (n, c, expected) => {
    const all = queues(n);
    const clients = ids(c);
    expect(clients.map((id) => queueIds(allocateAveragely(all, clients, id)))).toEqual(expected);
  });
});

describe('allocateByCircle (AllocateMessageQueueAveragelyByCircle)', () => {
  it('deals queues like cards', () => {
    const all = queues(8);
    const clients = ids(3);
    expect(clients.map((id) => queueIds(allocateByCircle(all, clients, id)))).toEqual([
      [0, 3, 6],
      [1, 4, 7],
      [2, 5],
    ]);
  });
});

describe('allocateSorted', () => {
  it('sorts queues by topic, broker, queue id and client ids before allocating', () => {
    const unsorted = [mq('T', 'b', 1), mq('S', 'z', 0), mq('T', 'a', 3), mq('T', 'b', 0)];
    const mine = allocateSorted(allocateAveragely, unsorted, ['z', 'a', 'a'], 'a');
    expect(mine).toEqual([mq('S', 'z', 0), mq('T', 'a', 3)]);
  });
});

describe.each<[string, AllocateMessageQueues]>([
  ['AVG', allocateAveragely],
  ['AVG_BY_CIRCLE', allocateByCircle],
])('%s properties', (_name, allocate) => {
  const input = fc.record({
    queueCount: fc.integer({ min: 0, max: 40 }),
    clientIds: fc.uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 12 }),
    brokers: fc.integer({ min: 1, max: 3 }),
  });

  function sortedQueues(queueCount: number, brokers: number): MessageQueue[] {
    return Array.from({ length: queueCount }, (_, i) => mq('T', `b${i % brokers}`, i)).sort(
      compareMessageQueues,
    );
  }

  it('assigns every queue to exactly one consumer, sizes within 1, deterministically', () => {
    fc.assert(
      fc.property(input, ({ queueCount, clientIds, brokers }) => {
        const all = sortedQueues(queueCount, brokers);
        const clients = [...clientIds].sort();
        const shares = clients.map((id) => allocate(all, clients, id));
        const assigned = shares.flat().map(messageQueueKey);
        expect(new Set(assigned).size).toBe(assigned.length);
        expect(new Set(assigned)).toEqual(new Set(all.map(messageQueueKey)));
        const sizes = shares.map((share) => share.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        expect(clients.map((id) => allocate(all, clients, id))).toEqual(shares);
      }),
    );
  });

  it('gives nothing to a consumer that is not in the list', () => {
    fc.assert(
      fc.property(input, ({ queueCount, clientIds, brokers }) => {
        const clients = [...clientIds].sort();
        expect(allocate(sortedQueues(queueCount, brokers), clients, '\u0000stranger')).toEqual([]);
      }),
    );
  });
});
