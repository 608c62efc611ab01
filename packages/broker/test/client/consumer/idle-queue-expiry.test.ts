// A queue held back by flow control (or pause) is alive: its pull loop keeps it from looking
// "pull expired", so a rebalance does not drop and rebuild it (which would consume its cached
// messages twice). A lite pull consumer's queues never expire at all (review finding 4).

import { FakeClock } from '../../../src/common/fake-clock';
import { silentLogger } from '../../../src/common/logger';
import { ALLOCATION_STRATEGIES } from '../../../src/client/consumer/allocation';
import { ProcessQueueTable } from '../../../src/client/consumer/process-queue-table';
import { PullLoops } from '../../../src/client/consumer/pull-loop';
import { Rebalancer, type RebalanceSettings } from '../../../src/client/consumer/rebalance';
import { RemoteOffsetStore } from '../../../src/client/consumer/remote-offset-store';
import type { PullResult } from '../../../src/client/consumer/consumer-broker-api';
import { FakeConsumerApi, flushPromises, messages, mq } from './consumer-fakes';

const queue = mq('T', 'b', 0);
/** Longer than the 120 s after which an idle queue counts as expired. */
const LONGER_THAN_PULL_MAX_IDLE_MS = 125_000;

function setup(settings: Partial<RebalanceSettings> = {}) {
  const clock = new FakeClock();
  const api = new FakeConsumerApi();
  api.queuesByTopic.set('T', [queue]);
  api.consumersByGroup.set('g', ['me']);
  let pulls = 0;
  api.pull = async (): Promise<PullResult> => {
    pulls++;
    return { status: 'FOUND', nextBeginOffset: 3, minOffset: 0, maxOffset: 3, messages: messages(0, 3) };
  };
  const offsetStore = new RemoteOffsetStore(api);
  const table = new ProcessQueueTable();
  const loops = new PullLoops({
    clock,
    logger: silentLogger,
    group: 'g',
    api,
    offsetStore,
    messageModel: 'CLUSTERING',
    consumeMode: 'CONCURRENTLY',
    // Three messages cached exceed the limit: the queue stays under flow control.
    limits: { maxCachedMessages: 2, maxCachedBytes: 1e9, maxOffsetSpan: 1e9 },
    pullBatchSize: 32,
    suspendMs: 15_000,
    pullTimeoutMs: 30_000,
    pullDelayOnErrorMs: 1000,
    requiresLock: false,
    commitOffsetOnPull: false,
    advanceIdleOffset: true,
    expressionOf: () => '*',
    isPaused: () => false,
    onFound: () => undefined,
    onOffsetIllegal: () => undefined,
  });
  const rebalancer = new Rebalancer(
    {
      group: 'g',
      clientId: 'me',
      messageModel: 'CLUSTERING',
      consumeMode: 'CONCURRENTLY',
      allocate: ALLOCATION_STRATEGIES.AVG,
      startPolicy: { consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET', consumeTimestampMs: 0 },
      ...settings,
    },
    {
      api,
      offsetStore,
      table,
      clock,
      logger: silentLogger,
      startPulling: (q, processQueue, offset) => loops.start(q, processQueue, offset),
    },
  );
  return { clock, table, loops, rebalancer, pulls: () => pulls };
}

describe('idle queue expiry', () => {
  it('a queue under flow control for longer than 120 s is kept by the next rebalance', async () => {
    const { clock, table, loops, rebalancer, pulls } = setup();
    await rebalancer.rebalanceTopic('T');
    await flushPromises();
    const first = table.get(queue);
    expect(first?.messageCount).toBe(3);
    expect(pulls()).toBe(1);
    for (let elapsed = 0; elapsed < LONGER_THAN_PULL_MAX_IDLE_MS; elapsed += 1000) {
      await clock.advanceAsync(1000);
    }
    expect(pulls()).toBe(1);
    const outcome = await rebalancer.rebalanceTopic('T');
    expect(outcome.removed).toEqual([]);
    expect(table.get(queue)).toBe(first);
    expect(first?.dropped).toBe(false);
    loops.stop();
  });

  it('with expireIdleQueues false (lite pull), a queue not pulled for 120 s is kept', async () => {
    const { clock, table, loops, rebalancer } = setup({ expireIdleQueues: false });
    await rebalancer.rebalanceTopic('T');
    loops.stop();
    const first = table.get(queue);
    clock.advance(LONGER_THAN_PULL_MAX_IDLE_MS);
    expect(first?.isPullExpired()).toBe(true);
    const outcome = await rebalancer.rebalanceTopic('T');
    expect(outcome.removed).toEqual([]);
    expect(table.get(queue)).toBe(first);
  });
});
