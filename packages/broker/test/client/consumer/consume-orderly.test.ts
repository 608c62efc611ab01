import { FakeClock } from '../../../src/common/fake-clock';
import { silentLogger } from '../../../src/common/logger';
import {
  OrderlyConsumeService,
  ProcessQueue,
  ProcessQueueTable,
  Rebalancer,
  RemoteOffsetStore,
  allocateAveragely,
  messageQueueKey,
  parseTagExpression,
  type ConsumeOrderlyContext,
  type ConsumeOrderlyStatus,
  type MessageLike,
  type MessageModel,
  type OrderlyMessageListener,
} from '../../../src/client/consumer';
import { FakeConsumerApi, deferred, message, messages, mq } from './consumer-fakes';

const queue = mq('T', 'b', 0);

function setup(
  listener: OrderlyMessageListener<MessageLike>,
  options: { model?: MessageModel; batchSize?: number; maxReconsumeTimes?: number; tags?: string } = {},
) {
  const clock = new FakeClock();
  const api = new FakeConsumerApi();
  const offsetStore = new RemoteOffsetStore(api);
  const processQueue = new ProcessQueue(clock);
  processQueue.markLocked();
  const service = new OrderlyConsumeService({
    clock,
    logger: silentLogger,
    group: 'cg',
    messageModel: options.model ?? 'CLUSTERING',
    api,
    offsetStore,
    listener,
    tagFilterFor: () => parseTagExpression(options.tags ?? '*'),
    batchSize: options.batchSize,
    maxReconsumeTimes: options.maxReconsumeTimes,
  });
  const deliver = (batch: MessageLike[]): void => {
    processQueue.putMessages(batch);
    service.submit(queue, processQueue);
  };
  const committed = (): Promise<number | undefined> => offsetStore.readOffset(queue, 'memory');
  return { clock, api, processQueue, service, deliver, committed };
}

describe('OrderlyConsumeService', () => {
  it('consumes one message at a time, in order, committing after each', async () => {
    const seen: number[] = [];
    let inFlight = 0;
    let peak = 0;
    const { service, deliver, committed } = setup(async (batch): Promise<ConsumeOrderlyStatus> => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      seen.push(...batch.map((m) => m.queueOffset));
      await Promise.resolve();
      inFlight--;
      return 'SUCCESS';
    });
    deliver([message(2), message(0), message(1)]);
    deliver([message(3)]);
    await service.whenIdle();
    expect(seen).toEqual([0, 1, 2, 3]);
    expect(peak).toBe(1);
    expect(await committed()).toBe(4);
  });

  it('suspend puts the message back, pauses 1 s and offers the same message again', async () => {
    const seen: [number, number][] = [];
    const { clock, service, deliver, committed } = setup((batch, context) => {
      const first = batch[0]!;
      seen.push([first.queueOffset, context.reconsumeTimesOf(first)]);
      return seen.length === 1 ? 'SUSPEND_CURRENT_QUEUE_A_MOMENT' : 'SUCCESS';
    });
    deliver(messages(0, 2));
    await service.whenIdle();
    expect(seen).toEqual([[0, 0]]);
    expect(await committed()).toBeUndefined();
    await clock.advanceAsync(999);
    expect(seen).toHaveLength(1);
    await clock.advanceAsync(1);
    await service.whenIdle();
    expect(seen).toEqual([
      [0, 0],
      [0, 1],
      [1, 0],
    ]);
    expect(await committed()).toBe(2);
  });

  it('a throw counts as suspend', async () => {
    let calls = 0;
    const { clock, service, deliver, committed } = setup(() => {
      calls++;
      if (calls === 1) throw new Error('boom');
      return 'SUCCESS';
    });
    deliver([message(0)]);
    await service.whenIdle();
    await clock.advanceAsync(1000);
    await service.whenIdle();
    expect(calls).toBe(2);
    expect(await committed()).toBe(1);
  });

  it('after maxReconsumeTimes sends the message to the DLQ (level -1) and moves on', async () => {
    const seen: number[] = [];
    const { clock, api, service, deliver, committed } = setup(
      (batch) => {
        seen.push(batch[0]!.queueOffset);
        return batch[0]!.queueOffset === 0 ? 'SUSPEND_CURRENT_QUEUE_A_MOMENT' : 'SUCCESS';
      },
      { maxReconsumeTimes: 2 },
    );
    deliver([message(0, { reconsumeTimes: 1 }), message(1)]);
    await service.whenIdle();
    expect(api.sentBack).toEqual([]);
    await clock.advanceAsync(1000);
    await service.whenIdle();
    expect(api.sentBack.map((s) => [s.message.queueOffset, s.delayLevel])).toEqual([[0, -1]]);
    expect(seen).toEqual([0, 0, 1]);
    expect(await committed()).toBe(2);
  });

  it('context.deadLetter sends the message to the DLQ at once on suspend, without local retries', async () => {
    const seen: number[] = [];
    const { api, service, deliver, committed } = setup(
      (batch, context) => {
        seen.push(batch[0]!.queueOffset);
        if (batch[0]!.queueOffset !== 0) return 'SUCCESS';
        context.deadLetter(batch[0]!);
        return 'SUSPEND_CURRENT_QUEUE_A_MOMENT';
      },
      { maxReconsumeTimes: 16 },
    );
    deliver([message(0), message(1)]);
    await service.whenIdle();
    expect(api.sentBack.map((s) => [s.message.queueOffset, s.delayLevel])).toEqual([[0, -1]]);
    expect(seen).toEqual([0, 1]);
    expect(await committed()).toBe(2);
  });

  it('context.deadLetter is ignored when the call succeeds, and forgotten by the next call', async () => {
    let calls = 0;
    const { clock, api, service, deliver, committed } = setup((batch, context) => {
      calls += 1;
      if (calls === 1) {
        context.deadLetter(batch[0]!);
        return 'SUCCESS';
      }
      return 'SUSPEND_CURRENT_QUEUE_A_MOMENT';
    });
    deliver([message(0), message(1)]);
    await service.whenIdle();
    expect(await committed()).toBe(1);
    expect(api.sentBack).toEqual([]);
    await clock.advanceAsync(1000);
    await service.whenIdle();
    expect(api.sentBack).toEqual([]);
  });

  it('stays suspended when the DLQ send fails', async () => {
    const { clock, api, service, deliver, committed } = setup(() => 'SUSPEND_CURRENT_QUEUE_A_MOMENT', {
      maxReconsumeTimes: 1,
    });
    api.failSendBack = true;
    deliver([message(0)]);
    await service.whenIdle();
    await clock.advanceAsync(1000);
    await service.whenIdle();
    expect(await committed()).toBeUndefined();
    api.failSendBack = false;
    await clock.advanceAsync(1000);
    await service.whenIdle();
    expect(api.sentBack).toHaveLength(1);
    expect(await committed()).toBe(1);
  });

  it('does not consume a queue whose lock expired; relocks after 10 ms, or retries in 3 s if refused', async () => {
    const seen: number[] = [];
    const { clock, api, processQueue, service, deliver } = setup((batch) => {
      seen.push(batch[0]!.queueOffset);
      return 'SUCCESS';
    });
    clock.advance(30_001);
    api.lockedByOthers.add(messageQueueKey(queue));
    deliver([message(0)]);
    await service.whenIdle();
    expect(seen).toEqual([]);
    await clock.advanceAsync(10);
    await service.whenIdle();
    expect(api.calls.filter((c) => c.startsWith('lock'))).toHaveLength(1);
    expect(processQueue.holdsValidLock()).toBe(false);
    api.lockedByOthers.clear();
    // Refused: consumption is retried after 3 s, finds no lock, and relocks 10 ms later.
    await clock.advanceAsync(3009);
    await service.whenIdle();
    expect(processQueue.holdsValidLock()).toBe(false);
    await clock.advanceAsync(1);
    await service.whenIdle();
    expect(processQueue.holdsValidLock()).toBe(true);
    expect(seen).toEqual([]);
    await clock.advanceAsync(10);
    await service.whenIdle();
    expect(seen).toEqual([0]);
  });

  it('BROADCASTING consumes without a lock', async () => {
    const seen: number[] = [];
    const { processQueue, service, deliver } = setup(
      (batch) => {
        seen.push(batch[0]!.queueOffset);
        return 'SUCCESS';
      },
      { model: 'BROADCASTING' },
    );
    processQueue.locked = false;
    deliver([message(0)]);
    await service.whenIdle();
    expect(seen).toEqual([0]);
  });

  it('commits tag-filtered messages without calling the listener', async () => {
    const seen: number[] = [];
    const { service, deliver, committed } = setup(
      (batch) => {
        seen.push(batch[0]!.queueOffset);
        return 'SUCCESS';
      },
      { tags: 'A' },
    );
    deliver([message(0, { tags: 'B' }), message(1, { tags: 'A' })]);
    await service.whenIdle();
    expect(seen).toEqual([1]);
    expect(await committed()).toBe(2);
  });

  it('stops at once when the queue is dropped and commits nothing more', async () => {
    const gate = deferred<ConsumeOrderlyStatus>();
    const seen: number[] = [];
    const { processQueue, service, deliver, committed } = setup((batch) => {
      seen.push(batch[0]!.queueOffset);
      return gate.promise;
    });
    deliver(messages(0, 3));
    processQueue.dropped = true;
    gate.resolve('SUCCESS');
    await service.whenIdle();
    expect(seen).toEqual([0]);
    expect(await committed()).toBeUndefined();
  });

  it('a queue lost in a rebalance stops being consumed before it is unlocked', async () => {
    const clock = new FakeClock();
    const api = new FakeConsumerApi();
    api.queuesByTopic.set('T', [queue]);
    api.consumersByGroup.set('cg', ['me']);
    const offsetStore = new RemoteOffsetStore(api);
    const table = new ProcessQueueTable();
    const events: string[] = [];
    const gate = deferred<ConsumeOrderlyStatus>();
    const unlockBatch = api.unlockBatch.bind(api);
    api.unlockBatch = async (brokerName, list) => {
      events.push('unlock');
      return unlockBatch(brokerName, list);
    };
    const service = new OrderlyConsumeService({
      clock,
      logger: silentLogger,
      group: 'cg',
      messageModel: 'CLUSTERING',
      api,
      offsetStore,
      listener: async (batch, _context: ConsumeOrderlyContext<MessageLike>) => {
        events.push(`consume ${batch[0]!.queueOffset}`);
        const status = await gate.promise;
        events.push(`done ${batch[0]!.queueOffset}`);
        return status;
      },
      tagFilterFor: () => undefined,
    });
    const rebalancer = new Rebalancer(
      {
        group: 'cg',
        clientId: 'me',
        messageModel: 'CLUSTERING',
        consumeMode: 'ORDERLY',
        allocate: allocateAveragely,
        startPolicy: { consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET', consumeTimestampMs: 0 },
      },
      {
        api,
        offsetStore,
        table,
        clock,
        logger: silentLogger,
        startPulling: (q, processQueue) => {
          processQueue.putMessages(messages(0, 3));
          service.submit(q, processQueue);
        },
      },
    );
    await rebalancer.rebalanceTopic('T');
    expect(events).toEqual(['consume 0']);

    api.consumersByGroup.set('cg', ['a-first', 'me']);
    const outcome = await rebalancer.rebalanceTopic('T');
    expect(outcome.removed).toEqual([queue]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(events).toEqual(['consume 0']);
    gate.resolve('SUCCESS');
    await outcome.unlocksDone;
    await service.whenIdle();
    expect(events).toEqual(['consume 0', 'done 0', 'unlock']);
  });
});
