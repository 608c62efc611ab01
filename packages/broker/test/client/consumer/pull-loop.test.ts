// The per-queue pull loop against a scripted broker on a fake clock: what each pull status does to
// the process queue, the offset and the next pull, and how flow control and stop() hold it back.

import { FakeClock } from '../../../src/common/fake-clock';
import { silentLogger } from '../../../src/common/logger';
import {
  DEFAULT_FLOW_CONTROL_LIMITS,
  FLOW_CONTROL_DELAY_MS,
  ProcessQueue,
  RemoteOffsetStore,
  type MessageLike,
  type MessageQueue,
  type PullOptions,
  type PullResult,
} from '../../../src/client/consumer';
import { PullLoops, type PullLoopOptions } from '../../../src/client/consumer/pull-loop';
import { FakeConsumerApi, flushPromises, messages, mq } from './consumer-fakes';

type Scripted = PullResult | Error;

class ScriptedApi extends FakeConsumerApi {
  readonly pulls: PullOptions[] = [];
  readonly script: Scripted[] = [];

  override async pull(_queue: MessageQueue, options: PullOptions): Promise<PullResult> {
    this.pulls.push(options);
    const next = this.script.shift();
    // Past the script the broker holds the pull forever, as a long poll with nothing new.
    if (next === undefined) return new Promise<PullResult>(() => undefined);
    if (next instanceof Error) throw next;
    return next;
  }
}

function found(from: number, count: number): PullResult {
  return {
    status: 'FOUND',
    nextBeginOffset: from + count,
    minOffset: 0,
    maxOffset: from + count,
    messages: messages(from, count),
  };
}

function status(
  kind: 'NO_NEW_MSG' | 'NO_MATCHED_MSG' | 'OFFSET_ILLEGAL',
  nextBeginOffset: number,
): PullResult {
  return { status: kind, nextBeginOffset, minOffset: 0, maxOffset: nextBeginOffset, messages: [] };
}

const queue = mq('T', 'b', 0);

function setup(overrides: Partial<PullLoopOptions<MessageLike>> = {}) {
  const clock = new FakeClock();
  const api = new ScriptedApi();
  const offsetStore = new RemoteOffsetStore(api);
  const handed: MessageLike[][] = [];
  const illegal: MessageQueue[] = [];
  const loops = new PullLoops<MessageLike>({
    clock,
    logger: silentLogger,
    group: 'cg',
    api,
    offsetStore,
    messageModel: 'CLUSTERING',
    consumeMode: 'CONCURRENTLY',
    limits: DEFAULT_FLOW_CONTROL_LIMITS,
    pullBatchSize: 32,
    suspendMs: 15_000,
    pullTimeoutMs: 30_000,
    pullDelayOnErrorMs: 1000,
    requiresLock: false,
    commitOffsetOnPull: true,
    advanceIdleOffset: true,
    expressionOf: () => 'TagA || TagB',
    isPaused: () => false,
    onFound: (_queue, _processQueue, batch) => handed.push([...batch]),
    onOffsetIllegal: (q) => illegal.push(q),
    ...overrides,
  });
  const processQueue = new ProcessQueue<MessageLike>(clock);
  return { clock, api, offsetStore, loops, processQueue, handed, illegal };
}

describe('PullLoops', () => {
  it('caches FOUND messages, hands them on, and pulls again at once from nextBeginOffset', async () => {
    const t = setup();
    t.api.script.push(found(5, 3), found(8, 2));
    t.loops.start(queue, t.processQueue, 5);
    await flushPromises();
    expect(t.api.pulls.map((p) => p.offset)).toEqual([5, 8, 10]);
    expect(t.handed.map((batch) => batch.map((m) => m.queueOffset))).toEqual([
      [5, 6, 7],
      [8, 9],
    ]);
    expect(t.processQueue.messageCount).toBe(5);
    expect(t.api.pulls[0]).toMatchObject({
      maxNums: 32,
      subscriptionExpression: 'TagA || TagB',
      suspendMs: 15_000,
      timeoutMs: 30_000,
    });
    t.loops.stop();
  });

  it('piggy-backs the in-memory offset on pulls when told to', async () => {
    const t = setup();
    t.offsetStore.updateOffset(queue, 42, false);
    t.loops.start(queue, t.processQueue, 42);
    await flushPromises();
    expect(t.api.pulls[0]?.commitOffset).toBe(42);

    const without = setup({ commitOffsetOnPull: false });
    without.offsetStore.updateOffset(queue, 42, false);
    without.loops.start(queue, without.processQueue, 42);
    await flushPromises();
    expect(without.api.pulls[0]?.commitOffset).toBeUndefined();
  });

  it('moves the offset of an empty queue on NO_NEW_MSG / NO_MATCHED_MSG and pulls again at once', async () => {
    const t = setup();
    t.api.script.push(status('NO_MATCHED_MSG', 7), status('NO_NEW_MSG', 7));
    t.loops.start(queue, t.processQueue, 3);
    await flushPromises();
    expect(t.api.pulls.map((p) => p.offset)).toEqual([3, 7, 7]);
    expect(await t.offsetStore.readOffset(queue, 'memory')).toBe(7);

    const lite = setup({ advanceIdleOffset: false });
    lite.api.script.push(status('NO_MATCHED_MSG', 7));
    lite.loops.start(queue, lite.processQueue, 3);
    await flushPromises();
    expect(await lite.offsetStore.readOffset(queue, 'memory')).toBeUndefined();
  });

  it('on OFFSET_ILLEGAL adopts nextBeginOffset, drops the queue and hands it back', async () => {
    const t = setup();
    t.api.script.push(status('OFFSET_ILLEGAL', 50));
    t.loops.start(queue, t.processQueue, 900);
    await flushPromises();
    expect(t.processQueue.dropped).toBe(true);
    expect(await t.offsetStore.readOffset(queue, 'memory')).toBe(50);
    expect(t.illegal).toEqual([queue]);
    expect(t.api.pulls).toHaveLength(1);
    expect(t.loops.activeLoops).toBe(0);
  });

  it('pulls again after pullDelayOnErrorMs when a pull fails', async () => {
    const t = setup();
    t.api.script.push(new Error('connection reset'));
    t.loops.start(queue, t.processQueue, 0);
    await flushPromises();
    expect(t.api.pulls).toHaveLength(1);
    expect(t.loops.failedPulls).toBe(1);
    await t.clock.advanceAsync(999);
    expect(t.api.pulls).toHaveLength(1);
    await t.clock.advanceAsync(1);
    expect(t.api.pulls.map((p) => p.offset)).toEqual([0, 0]);
    t.loops.stop();
  });

  it('holds pulls back while too many messages are cached (flow control)', async () => {
    const t = setup({ limits: { ...DEFAULT_FLOW_CONTROL_LIMITS, maxCachedMessages: 2 } });
    t.api.script.push(found(0, 3), found(3, 1));
    t.loops.start(queue, t.processQueue, 0);
    await flushPromises();
    expect(t.api.pulls).toHaveLength(1);
    await t.clock.advanceAsync(FLOW_CONTROL_DELAY_MS);
    expect(t.api.pulls).toHaveLength(1);
    t.processQueue.removeMessages(t.processQueue.messages());
    await t.clock.advanceAsync(FLOW_CONTROL_DELAY_MS);
    // One message cached after the second pull is under the limit: the third goes out at once.
    expect(t.api.pulls.map((p) => p.offset)).toEqual([0, 3, 4]);
    t.loops.stop();
  });

  it('stops: a dropped queue or stop() ends the loop and discards a late result', async () => {
    const t = setup();
    t.api.script.push(new Error('down'));
    t.loops.start(queue, t.processQueue, 0);
    await flushPromises();
    t.loops.stop();
    expect(t.clock.pendingTimers()).toBe(0);
    await t.clock.advanceAsync(5000);
    expect(t.api.pulls).toHaveLength(1);

    const dropped = setup();
    let answer!: (result: PullResult) => void;
    dropped.api.pull = (_q, options) => {
      dropped.api.pulls.push(options);
      return new Promise<PullResult>((resolve) => (answer = resolve));
    };
    dropped.loops.start(queue, dropped.processQueue, 0);
    await flushPromises();
    dropped.processQueue.dropped = true;
    answer(found(0, 4));
    await flushPromises();
    expect(dropped.processQueue.messageCount).toBe(0);
    expect(dropped.handed).toEqual([]);
    expect(dropped.loops.activeLoops).toBe(0);
  });

  it('does not pull an orderly queue whose lock is not held', async () => {
    const t = setup({ consumeMode: 'ORDERLY', requiresLock: true });
    t.loops.start(queue, t.processQueue, 0);
    await flushPromises();
    expect(t.api.pulls).toHaveLength(0);
    t.processQueue.markLocked();
    await t.clock.advanceAsync(3000);
    expect(t.api.pulls).toHaveLength(1);
    t.loops.stop();
  });
});
