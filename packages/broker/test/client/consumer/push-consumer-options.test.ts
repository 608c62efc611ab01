// The push and lite pull consumers' option resolvers: RocketMQ's defaults, and problems that name
// the option and the fix.

import { ConfigError } from '../../../src/common/errors';
import { FakeClock } from '../../../src/common/fake-clock';
import { resolvePushConsumerOptions } from '../../../src/client/consumer/push-consumer-options';
import { resolveLitePullConsumerOptions } from '../../../src/client/consumer/lite-pull-consumer-options';
import { PushConsumer } from '../../../src/client/consumer/push-consumer';
import { IllegalStateError } from '../../../src/common/errors';

const nameServer = '127.0.0.1:9876';

describe('resolvePushConsumerOptions', () => {
  it("fills in RocketMQ's defaults", () => {
    const clock = new FakeClock(10_000_000);
    const resolved = resolvePushConsumerOptions({ group: 'cg', nameServer, clock });
    expect(resolved).toMatchObject({
      messageModel: 'CLUSTERING',
      consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET',
      consumeTimestampMs: 10_000_000 - 30 * 60 * 1000,
      allocation: 'AVG',
      consumeThreadMax: 20,
      consumeMessageBatchMaxSize: 1,
      pullBatchSize: 32,
      pullThresholdForQueue: 1000,
      pullThresholdSizeForQueueMiB: 100,
      consumeConcurrentlyMaxSpan: 2000,
      rebalanceIntervalMs: 20_000,
      persistConsumerOffsetIntervalMs: 5000,
      lockRenewIntervalMs: 20_000,
      brokerSuspendMaxMs: 15_000,
      pullTimeoutMs: 30_000,
      pullDelayOnErrorMs: 1000,
      suspendCurrentQueueMs: 1000,
    });
  });

  it('lists every problem, naming the option', () => {
    let error: unknown;
    try {
      resolvePushConsumerOptions({
        group: 'bad group!',
        nameServer,
        pullBatchSize: 0,
        pullTimeoutMs: 10_000,
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('group');
    expect(message).toContain('pullBatchSize');
    expect(message).toContain('pullTimeoutMs: must exceed brokerSuspendMaxMs (15000)');
  });
});

describe('resolveLitePullConsumerOptions', () => {
  it("fills in DefaultLitePullConsumer's defaults", () => {
    expect(resolveLitePullConsumerOptions({ group: 'cg', nameServer })).toMatchObject({
      pullBatchSize: 10,
      autoCommit: true,
      autoCommitIntervalMs: 5000,
      pollTimeoutMs: 5000,
      brokerSuspendMaxMs: 20_000,
      pullTimeoutMs: 30_000,
    });
  });
});

describe('PushConsumer lifecycle guards', () => {
  it('refuses to start without a listener or a subscription', async () => {
    const noListener = new PushConsumer({ group: 'cg', nameServer });
    noListener.subscribe('T');
    await expect(noListener.start()).rejects.toThrow(IllegalStateError);

    const noSubscription = new PushConsumer({ group: 'cg', nameServer });
    noSubscription.onMessages(() => 'CONSUME_SUCCESS');
    await expect(noSubscription.start()).rejects.toThrow(/subscribes to nothing/);
    expect(noSubscription.state).toBe('created');
  });

  it('shuts down from created without starting', async () => {
    const consumer = new PushConsumer({ group: 'cg', nameServer });
    await consumer.shutdown();
    expect(consumer.state).toBe('shutdown');
    expect(() => consumer.subscribe('T')).toThrow(IllegalStateError);
  });
});
