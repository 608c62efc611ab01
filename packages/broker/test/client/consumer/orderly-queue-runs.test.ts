// Per-queue state of the orderly consume service: forgotten for queues dropped while idle and at
// shutdown (finding 8); messages dead-lettered out of a batch are not offered again (finding 6).

import { FakeClock } from '../../../src/common/fake-clock';
import { silentLogger } from '../../../src/common/logger';
import {
  OrderlyConsumeService,
  ProcessQueue,
  ProcessQueueTable,
  Rebalancer,
  RemoteOffsetStore,
  type ConsumeOrderlyStatus,
  type MessageLike,
  type MessageModel,
} from '../../../src/client/consumer';
import { ALLOCATION_STRATEGIES } from '../../../src/client/consumer/allocation';
import { FakeConsumerApi, flushPromises, message, mq } from './consumer-fakes';

const queue = mq('T', 'b', 0);

function setup(
  listener: (batch: readonly MessageLike[]) => ConsumeOrderlyStatus,
  options: { batchSize?: number; maxReconsumeTimes?: number; model?: MessageModel } = {},
) {
  const clock = new FakeClock();
  const api = new FakeConsumerApi();
  const offsetStore = new RemoteOffsetStore(api);
  const service = new OrderlyConsumeService({
    clock,
    logger: silentLogger,
    group: 'g',
    messageModel: options.model ?? 'BROADCASTING',
    api,
    offsetStore,
    listener,
    tagFilterFor: () => undefined,
    batchSize: options.batchSize,
    suspendCurrentQueueMs: 1000,
    maxReconsumeTimes: options.maxReconsumeTimes,
  });
  const processQueue = new ProcessQueue(clock);
  return { clock, api, offsetStore, service, processQueue };
}

describe('OrderlyConsumeService per-queue state', () => {
  it('forgets a queue dropped while idle', async () => {
    const { service, processQueue } = setup(() => 'SUCCESS');
    processQueue.putMessages([message(0)]);
    service.submit(queue, processQueue);
    await service.whenIdle();
    expect(service.trackedQueues).toBe(1);
    processQueue.dropped = true;
    service.forget(processQueue);
    expect(service.trackedQueues).toBe(0);
  });

  it('forgets a dropped queue submitted again', async () => {
    const { service, processQueue } = setup(() => 'SUCCESS');
    processQueue.putMessages([message(0)]);
    service.submit(queue, processQueue);
    await service.whenIdle();
    processQueue.dropped = true;
    service.submit(queue, processQueue);
    expect(service.trackedQueues).toBe(0);
  });

  it('forgets every queue at shutdown, suspended ones included', async () => {
    const { service, processQueue, clock } = setup(() => 'SUSPEND_CURRENT_QUEUE_A_MOMENT');
    processQueue.putMessages([message(0)]);
    service.submit(queue, processQueue);
    await service.whenIdle();
    expect(service.trackedQueues).toBe(1);
    await service.shutdown();
    expect(service.trackedQueues).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('the rebalancer reports each removed queue with its process queue', async () => {
    const clock = new FakeClock();
    const api = new FakeConsumerApi();
    api.queuesByTopic.set('T', [queue]);
    api.consumersByGroup.set('g', ['me']);
    const table = new ProcessQueueTable();
    const removed: ProcessQueue<MessageLike>[] = [];
    const rebalancer = new Rebalancer(
      {
        group: 'g',
        clientId: 'me',
        messageModel: 'CLUSTERING',
        consumeMode: 'CONCURRENTLY',
        allocate: ALLOCATION_STRATEGIES.AVG,
        startPolicy: { consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET', consumeTimestampMs: 0 },
      },
      {
        api,
        offsetStore: new RemoteOffsetStore(api),
        table,
        clock,
        logger: silentLogger,
        startPulling: () => undefined,
        queueRemoved: (_queue, processQueue) => removed.push(processQueue),
      },
    );
    await rebalancer.rebalanceTopic('T');
    const owned = table.get(queue);
    api.consumersByGroup.set('g', ['a', 'me']);
    await rebalancer.rebalanceTopic('T');
    expect(removed).toEqual([owned]);
    expect(owned?.dropped).toBe(true);
    await flushPromises();
  });
});

describe('OrderlyConsumeService dead-lettering within a batch', () => {
  it('a message sent to the dead-letter queue is not offered or dead-lettered again with the rest', async () => {
    const offered: number[][] = [];
    const { service, processQueue, clock, api, offsetStore } = setup(
      (batch) => {
        offered.push(batch.map((m) => m.queueOffset));
        return 'SUSPEND_CURRENT_QUEUE_A_MOMENT';
      },
      { batchSize: 2, maxReconsumeTimes: 2 },
    );
    processQueue.putMessages([message(0)]);
    service.submit(queue, processQueue);
    await service.whenIdle();
    processQueue.putMessages([message(1)]);
    service.submit(queue, processQueue);
    for (let i = 0; i < 5; i++) {
      await clock.advanceAsync(1000);
      await service.whenIdle();
    }
    expect(offered).toEqual([[0], [0, 1], [0, 1], [1]]);
    expect(api.sentBack.map((s) => s.message.queueOffset)).toEqual([0, 1]);
    expect(await offsetStore.readOffset(queue, 'memory')).toBe(2);
    expect(processQueue.messageCount).toBe(0);
    await service.shutdown();
  });
});
