// A listener that returns anything but its success literal (e.g. nothing, from a forgotten
// `return`) has not confirmed consumption: both consume services treat it as a failure.

import { FakeClock } from '../../../src/common/fake-clock';
import { silentLogger } from '../../../src/common/logger';
import {
  ConcurrentConsumeService,
  OrderlyConsumeService,
  ProcessQueue,
  RemoteOffsetStore,
  type ConcurrentMessageListener,
  type MessageLike,
  type OrderlyMessageListener,
} from '../../../src/client/consumer';
import { FakeConsumerApi, message, mq } from './consumer-fakes';

const queue = mq('T', 'b', 0);

describe('a listener returning no status', () => {
  it('concurrently: the message is sent back for redelivery, as on RECONSUME_LATER', async () => {
    const clock = new FakeClock();
    const api = new FakeConsumerApi();
    const offsetStore = new RemoteOffsetStore(api);
    const listener = (() => undefined) as unknown as ConcurrentMessageListener<MessageLike>;
    const service = new ConcurrentConsumeService({
      clock,
      logger: silentLogger,
      group: 'cg',
      messageModel: 'CLUSTERING',
      api,
      offsetStore,
      listener,
      tagFilterFor: () => undefined,
    });
    const processQueue = new ProcessQueue(clock);
    const delivered = [message(0)];
    processQueue.putMessages(delivered);
    service.submit(queue, processQueue, delivered);
    await service.whenIdle();
    expect(api.sentBack.map((s) => s.message.queueOffset)).toEqual([0]);
  });

  it('orderly: the queue is suspended and the message offered again, nothing committed', async () => {
    const clock = new FakeClock();
    const api = new FakeConsumerApi();
    const offsetStore = new RemoteOffsetStore(api);
    const offered: number[] = [];
    const listener = ((batch: readonly MessageLike[]) => {
      offered.push(...batch.map((m) => m.queueOffset));
      return undefined;
    }) as unknown as OrderlyMessageListener<MessageLike>;
    const service = new OrderlyConsumeService({
      clock,
      logger: silentLogger,
      group: 'cg',
      messageModel: 'BROADCASTING',
      api,
      offsetStore,
      listener,
      tagFilterFor: () => undefined,
      suspendCurrentQueueMs: 1000,
    });
    const processQueue = new ProcessQueue(clock);
    processQueue.putMessages([message(0)]);
    service.submit(queue, processQueue);
    await service.whenIdle();
    await clock.advanceAsync(1000);
    await service.whenIdle();
    expect(offered).toEqual([0, 0]);
    expect(await offsetStore.readOffset(queue, 'memory')).toBeUndefined();
    await service.shutdown();
  });
});
