import { FakeClock } from '../../../src/common/fake-clock';
import { silentLogger } from '../../../src/common/logger';
import {
  ConcurrentConsumeService,
  ProcessQueue,
  RemoteOffsetStore,
  parseTagExpression,
  type ConcurrentMessageListener,
  type ConsumeConcurrentlyStatus,
  type MessageLike,
  type MessageModel,
} from '../../../src/client/consumer';
import { FakeConsumerApi, deferred, message, messages, mq } from './consumer-fakes';

const queue = mq('T', 'b', 0);

function setup(
  listener: ConcurrentMessageListener<MessageLike>,
  options: { model?: MessageModel; maxConcurrency?: number; batchSize?: number; tags?: string } = {},
) {
  const clock = new FakeClock();
  const api = new FakeConsumerApi();
  const offsetStore = new RemoteOffsetStore(api);
  const processQueue = new ProcessQueue(clock);
  const service = new ConcurrentConsumeService({
    clock,
    logger: silentLogger,
    group: 'cg',
    messageModel: options.model ?? 'CLUSTERING',
    api,
    offsetStore,
    listener,
    tagFilterFor: (topic) => (topic === 'T' ? parseTagExpression(options.tags ?? '*') : undefined),
    maxConcurrency: options.maxConcurrency,
    batchSize: options.batchSize,
  });
  const deliver = (batch: MessageLike[]): void => {
    processQueue.putMessages(batch);
    service.submit(queue, processQueue, batch);
  };
  const committed = (): Promise<number | undefined> => offsetStore.readOffset(queue, 'memory');
  return { clock, api, processQueue, service, deliver, committed };
}

describe('ConcurrentConsumeService', () => {
  it('acknowledges successful messages and commits past them', async () => {
    const seen: number[][] = [];
    const { service, deliver, processQueue, committed } = setup((batch) => {
      seen.push(batch.map((m) => m.queueOffset));
      return 'CONSUME_SUCCESS';
    });
    deliver(messages(0, 3));
    await service.whenIdle();
    expect(seen).toEqual([[0], [1], [2]]);
    expect(processQueue.messageCount).toBe(0);
    expect(await committed()).toBe(3);
  });

  it('batches up to consumeMessageBatchMaxSize', async () => {
    const seen: number[] = [];
    const { service, deliver } = setup(
      (batch) => {
        seen.push(batch.length);
        return 'CONSUME_SUCCESS';
      },
      { batchSize: 2 },
    );
    deliver(messages(0, 5));
    await service.whenIdle();
    expect(seen).toEqual([2, 2, 1]);
  });

  it('never runs more than consumeThreadMax listener calls at once', async () => {
    const gates = Array.from({ length: 5 }, () => deferred<ConsumeConcurrentlyStatus>());
    let running = 0;
    let peak = 0;
    const { service, deliver, committed } = setup(
      async (batch) => {
        running++;
        peak = Math.max(peak, running);
        const status = await gates[batch[0]!.queueOffset]!.promise;
        running--;
        return status;
      },
      { maxConcurrency: 2 },
    );
    deliver(messages(0, 5));
    expect(service.activeCount).toBe(2);
    expect(service.waitingCount).toBe(3);
    // The slow first message holds the commit back while later ones finish.
    for (const gate of gates.slice(1)) gate.resolve('CONSUME_SUCCESS');
    await new Promise((resolve) => setImmediate(resolve));
    expect(await committed()).toBe(0);
    gates[0]!.resolve('CONSUME_SUCCESS');
    await service.whenIdle();
    expect(peak).toBe(2);
    expect(await committed()).toBe(5);
  });

  it('RECONSUME_LATER or a throw sends each message back with delay level 0', async () => {
    const { api, service, deliver, committed } = setup((batch) => {
      if (batch[0]!.queueOffset === 1) throw new Error('boom');
      return batch[0]!.queueOffset === 0 ? 'RECONSUME_LATER' : 'CONSUME_SUCCESS';
    });
    deliver(messages(0, 3));
    await service.whenIdle();
    expect(api.sentBack.map((s) => [s.message.queueOffset, s.delayLevel]).sort()).toEqual([
      [0, 0],
      [1, 0],
    ]);
    expect(await committed()).toBe(3);
  });

  it('sends back with the level the listener set in delayLevelWhenNextConsume (-1: the DLQ)', async () => {
    const { api, service, deliver, committed } = setup((batch, context) => {
      expect(context.delayLevelWhenNextConsume).toBe(0);
      const offset = batch[0]!.queueOffset;
      if (offset === 0) context.delayLevelWhenNextConsume = -1;
      if (offset === 1) context.delayLevelWhenNextConsume = 5;
      // A level set on success changes nothing; a nonsense level is the broker's choice.
      if (offset === 2) context.delayLevelWhenNextConsume = -1;
      if (offset === 3) context.delayLevelWhenNextConsume = 1.5;
      return offset === 2 ? 'CONSUME_SUCCESS' : 'RECONSUME_LATER';
    });
    deliver(messages(0, 4));
    await service.whenIdle();
    expect(api.sentBack.map((s) => [s.message.queueOffset, s.delayLevel]).sort()).toEqual([
      [0, -1],
      [1, 5],
      [3, 0],
    ]);
    expect(await committed()).toBe(4);
  });

  it('a failed send-back keeps the message and consumes it again locally after 5 s', async () => {
    let attempts = 0;
    const { clock, api, service, deliver, processQueue, committed } = setup(() =>
      ++attempts === 1 ? 'RECONSUME_LATER' : 'CONSUME_SUCCESS',
    );
    api.failSendBack = true;
    deliver([message(0)]);
    await service.whenIdle();
    expect(processQueue.messageCount).toBe(1);
    expect(await committed()).toBeUndefined();
    await clock.advanceAsync(4999);
    expect(attempts).toBe(1);
    await clock.advanceAsync(1);
    await service.whenIdle();
    expect(attempts).toBe(2);
    expect(await committed()).toBe(1);
  });

  it('BROADCASTING drops failed messages instead of sending them back', async () => {
    const { api, service, deliver, committed } = setup(() => 'RECONSUME_LATER', { model: 'BROADCASTING' });
    deliver([message(0)]);
    await service.whenIdle();
    expect(api.sentBack).toEqual([]);
    expect(await committed()).toBe(1);
  });

  it('acknowledges messages whose tag is not subscribed without calling the listener', async () => {
    const seen: (string | undefined)[] = [];
    const { service, deliver, committed } = setup(
      (batch) => {
        seen.push(...batch.map((m) => m.tags));
        return 'CONSUME_SUCCESS';
      },
      { tags: 'A || B' },
    );
    deliver([message(0, { tags: 'A' }), message(1, { tags: 'C' }), message(2), message(3, { tags: 'B' })]);
    await service.whenIdle();
    expect(seen).toEqual(['A', 'B']);
    expect(await committed()).toBe(4);
  });

  it('does not commit or send back for a queue dropped during the listener call', async () => {
    const gate = deferred<ConsumeConcurrentlyStatus>();
    const { api, service, deliver, processQueue, committed } = setup(() => gate.promise);
    deliver([message(0)]);
    processQueue.dropped = true;
    gate.resolve('RECONSUME_LATER');
    await service.whenIdle();
    expect(api.sentBack).toEqual([]);
    expect(await committed()).toBeUndefined();
  });

  it('shutdown cancels scheduled local retries', async () => {
    let attempts = 0;
    const { clock, api, service, deliver } = setup(() => {
      attempts++;
      return 'RECONSUME_LATER';
    });
    api.failSendBack = true;
    deliver([message(0)]);
    await service.whenIdle();
    await service.shutdown();
    expect(clock.pendingTimers()).toBe(0);
    expect(attempts).toBe(1);
  });

  it('rejects a non-positive concurrency', () => {
    expect(() => setup(() => 'CONSUME_SUCCESS', { maxConcurrency: 0 })).toThrow(/maxConcurrency/);
  });
});
