import { FakeClock } from '../../../src/common/fake-clock';
import { silentLogger } from '../../../src/common/logger';
import {
  ProcessQueueTable,
  Rebalancer,
  RemoteOffsetStore,
  allocateAveragely,
  messageQueueKey,
  renewLocks,
  type ConsumeMode,
  type MessageModel,
  type MessageQueue,
  type ProcessQueue,
} from '../../../src/client/consumer';
import { FakeConsumerApi, mq } from './consumer-fakes';

const queues = [mq('T', 'b', 0), mq('T', 'b', 1), mq('T', 'b', 2), mq('T', 'b', 3)];

function setup(options: { mode?: ConsumeMode; model?: MessageModel } = {}) {
  const clock = new FakeClock();
  const api = new FakeConsumerApi();
  api.queuesByTopic.set('T', [...queues].reverse());
  api.consumersByGroup.set('cg', ['me']);
  const offsetStore = new RemoteOffsetStore(api);
  const table = new ProcessQueueTable();
  const started: { queue: MessageQueue; processQueue: ProcessQueue; nextOffset: number }[] = [];
  const rebalancer = new Rebalancer(
    {
      group: 'cg',
      clientId: 'me',
      messageModel: options.model ?? 'CLUSTERING',
      consumeMode: options.mode ?? 'CONCURRENTLY',
      allocate: allocateAveragely,
      startPolicy: { consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET', consumeTimestampMs: 0 },
    },
    {
      api,
      offsetStore,
      table,
      clock,
      logger: silentLogger,
      startPulling: (queue, processQueue, nextOffset) => started.push({ queue, processQueue, nextOffset }),
    },
  );
  return { clock, api, offsetStore, table, started, rebalancer };
}

const ids = (list: readonly MessageQueue[]): number[] => list.map((q) => q.queueId);

describe('Rebalancer', () => {
  it('a lone consumer takes every queue, starting at the stored offset or the policy', async () => {
    const { api, table, started, rebalancer } = setup();
    api.storedOffsets.set(messageQueueKey(queues[1]!), 5);
    const outcome = await rebalancer.rebalanceTopic('T');
    expect(ids(outcome.assigned)).toEqual([0, 1, 2, 3]);
    expect(outcome.added.map((a) => [a.queue.queueId, a.nextOffset])).toEqual([
      [0, 100],
      [1, 5],
      [2, 100],
      [3, 100],
    ]);
    expect(started).toHaveLength(4);
    expect(table.size).toBe(4);
    const again = await rebalancer.rebalanceTopic('T');
    expect(again.added).toEqual([]);
    expect(again.removed).toEqual([]);
  });

  it('when a consumer joins, gives away queues: dropped, offset persisted and forgotten', async () => {
    const { api, offsetStore, table, started, rebalancer } = setup();
    await rebalancer.rebalanceTopic('T');
    const lost = table.get(queues[2]!)!;
    offsetStore.updateOffset(queues[2]!, 42, false);
    api.consumersByGroup.set('cg', ['me', 'other']);
    const outcome = await rebalancer.rebalanceTopic('T');
    expect(ids(outcome.assigned)).toEqual([0, 1]);
    expect(ids(outcome.removed)).toEqual([2, 3]);
    expect(lost.dropped).toBe(true);
    expect(api.uploads).toContainEqual({ queue: queues[2], offset: 42, oneway: true });
    expect(await offsetStore.readOffset(queues[2]!, 'memory')).toBeUndefined();
    expect(table.size).toBe(2);
    expect(started).toHaveLength(4);
  });

  it('when a consumer leaves, takes its queues', async () => {
    const { api, started, rebalancer } = setup();
    api.consumersByGroup.set('cg', ['me', 'other']);
    await rebalancer.rebalanceTopic('T');
    api.consumersByGroup.set('cg', ['me']);
    const outcome = await rebalancer.rebalanceTopic('T');
    expect(ids(outcome.added.map((a) => a.queue))).toEqual([2, 3]);
    expect(ids(started.map((s) => s.queue))).toEqual([0, 1, 2, 3]);
  });

  it('BROADCASTING takes every queue whatever the consumer list', async () => {
    const { api, rebalancer } = setup({ model: 'BROADCASTING' });
    api.consumersByGroup.set('cg', ['a', 'b', 'c', 'me']);
    expect(ids((await rebalancer.rebalanceTopic('T')).assigned)).toEqual([0, 1, 2, 3]);
  });

  it('rebuilds a queue not pulled for 120 s', async () => {
    const { clock, table, rebalancer } = setup();
    await rebalancer.rebalanceTopic('T');
    const stale = table.get(queues[0]!)!;
    clock.advance(120_001);
    for (const { processQueue } of table.all())
      if (processQueue !== stale) processQueue.lastPullTimestamp = clock.now();
    const outcome = await rebalancer.rebalanceTopic('T');
    expect(ids(outcome.removed)).toEqual([0]);
    expect(ids(outcome.added.map((a) => a.queue))).toEqual([0]);
    expect(stale.dropped).toBe(true);
    expect(table.get(queues[0]!)).not.toBe(stale);
  });

  it('orderly: locks a new queue first and skips it when the lock is refused or fails', async () => {
    const { api, table, rebalancer } = setup({ mode: 'ORDERLY' });
    api.lockedByOthers.add(messageQueueKey(queues[1]!));
    const outcome = await rebalancer.rebalanceTopic('T');
    expect(ids(outcome.added.map((a) => a.queue))).toEqual([0, 2, 3]);
    expect(outcome.skipped).toEqual([{ queue: queues[1], reason: 'not-locked' }]);
    expect(table.get(queues[0]!)!.holdsValidLock()).toBe(true);
    expect(api.calls.indexOf(`lock ${messageQueueKey(queues[0]!)}`)).toBeLessThan(
      api.calls.indexOf(`query ${messageQueueKey(queues[0]!)}`),
    );

    api.lockedByOthers.clear();
    api.failLock = true;
    const retried = await rebalancer.rebalanceTopic('T');
    expect(retried.skipped).toMatchObject([{ queue: queues[1], reason: 'lock-failed' }]);
    api.failLock = false;
    expect(ids((await rebalancer.rebalanceTopic('T')).added.map((a) => a.queue))).toEqual([1]);
  });

  it('orderly: a queue given away is unlocked only after its consumption in progress stops', async () => {
    const { api, table, rebalancer } = setup({ mode: 'ORDERLY' });
    await rebalancer.rebalanceTopic('T');
    const busy = table.get(queues[3]!)!;
    busy.beginConsumption();
    api.consumersByGroup.set('cg', ['me', 'other']);
    const outcome = await rebalancer.rebalanceTopic('T');
    let unlocksDone = false;
    void outcome.unlocksDone.then(() => {
      unlocksDone = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(ids(api.unlocked)).toEqual([2]);
    expect(busy.dropped).toBe(true);
    expect(unlocksDone).toBe(false);
    busy.endConsumption();
    await outcome.unlocksDone;
    expect(ids(api.unlocked)).toEqual([2, 3]);
  });

  it('keeps its queues when the broker lists no consumer', async () => {
    const { api, table, rebalancer } = setup();
    await rebalancer.rebalanceTopic('T');
    api.consumersByGroup.set('cg', []);
    await expect(rebalancer.rebalanceTopic('T')).rejects.toMatchObject({
      code: 'CONSUMER_NO_CONSUMERS_KNOWN',
      retriable: true,
    });
    expect(table.size).toBe(4);
  });

  it('concurrent consumers never lock or unlock', async () => {
    const { api, rebalancer } = setup();
    await rebalancer.rebalanceTopic('T');
    api.consumersByGroup.set('cg', ['me', 'other']);
    await (
      await rebalancer.rebalanceTopic('T')
    ).unlocksDone;
    expect(api.calls.filter((c) => c.startsWith('lock') || c.startsWith('unlock'))).toEqual([]);
  });
});

describe('renewLocks', () => {
  it('marks granted queues locked and refused ones unlocked; a failed broker changes nothing', async () => {
    const { clock, api, table, rebalancer } = setup({ mode: 'ORDERLY' });
    api.queuesByTopic.set('T', [...queues, mq('T', 'c', 0)]);
    await rebalancer.rebalanceTopic('T');
    clock.advance(10_000);
    api.lockedByOthers.add(messageQueueKey(queues[0]!));
    const brokerC = table.get(mq('T', 'c', 0))!;
    const lockedAtStart = brokerC.lastLockTimestamp;
    const lockBatch = api.lockBatch.bind(api);
    api.lockBatch = async (brokerName, list) => {
      if (brokerName === 'c') throw new Error('down');
      return lockBatch(brokerName, list);
    };
    const outcome = await renewLocks(api, table);
    expect(ids(outcome.locked)).toEqual([1, 2, 3]);
    expect(ids(outcome.notLocked)).toEqual([0]);
    expect(outcome.failures.map((f) => f.brokerName)).toEqual(['c']);
    expect(table.get(queues[0]!)!.locked).toBe(false);
    expect(table.get(queues[1]!)!.lastLockTimestamp).toBe(clock.now());
    expect(brokerC.lastLockTimestamp).toBe(lockedAtStart);
  });
});
