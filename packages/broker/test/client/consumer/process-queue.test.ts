import { FakeClock } from '../../../src/common/fake-clock';
import { LOCK_MAX_LIVE_MS, PULL_MAX_IDLE_MS, ProcessQueue } from '../../../src/client/consumer';
import type { MessageExt } from '../../../src/client/message';
import { message, messages } from './consumer-fakes';

describe('ProcessQueue', () => {
  it('counts messages, body bytes and offset span; ignores duplicates', () => {
    const queue = new ProcessQueue(new FakeClock());
    expect(queue.putMessages([message(12), message(10, { body: new Uint8Array(5) }), message(11)])).toBe(3);
    expect(queue.putMessages([message(11)])).toBe(0);
    expect(queue.messageCount).toBe(3);
    expect(queue.bodyBytes).toBe(25);
    expect(queue.offsetSpan).toBe(2);
    expect(queue.messages().map((m) => m.queueOffset)).toEqual([10, 11, 12]);
  });

  it('commits the smallest cached offset while a message is in flight, then max + 1', () => {
    const queue = new ProcessQueue(new FakeClock());
    const [m0, m1, m2] = messages(0, 3);
    queue.putMessages([m0!, m1!, m2!]);
    expect(queue.removeMessages([m1!])).toBe(0);
    expect(queue.removeMessages([m0!])).toBe(2);
    expect(queue.removeMessages([m2!])).toBe(3);
    expect(queue.messageCount).toBe(0);
    expect(queue.bodyBytes).toBe(0);
    expect(queue.removeMessages([m2!])).toBeUndefined();
  });

  it('orderly: take, return and commit keep order and counts', () => {
    const queue = new ProcessQueue(new FakeClock());
    queue.putMessages(messages(5, 4));
    const first = queue.takeMessages(2);
    expect(first.map((m) => m.queueOffset)).toEqual([5, 6]);
    expect(queue.messageCount).toBe(4);
    queue.returnTaken(first);
    expect(queue.takeMessages(1).map((m) => m.queueOffset)).toEqual([5]);
    expect(queue.commitTaken()).toBe(6);
    expect(queue.messageCount).toBe(3);
    expect(queue.bodyBytes).toBe(30);
    expect(queue.commitTaken()).toBeUndefined();
  });

  it('a local lock expires 30 s after the last successful lock', () => {
    const clock = new FakeClock();
    const queue = new ProcessQueue(clock);
    expect(queue.holdsValidLock()).toBe(false);
    queue.markLocked();
    clock.advance(LOCK_MAX_LIVE_MS);
    expect(queue.holdsValidLock()).toBe(true);
    clock.advance(1);
    expect(queue.holdsValidLock()).toBe(false);
  });

  it('a queue not pulled for 120 s is pull-expired', () => {
    const clock = new FakeClock();
    const queue = new ProcessQueue(clock);
    clock.advance(PULL_MAX_IDLE_MS);
    expect(queue.isPullExpired()).toBe(false);
    clock.advance(1);
    expect(queue.isPullExpired()).toBe(true);
  });

  it('whenConsumptionIdle waits for every consumption in flight', async () => {
    const queue = new ProcessQueue(new FakeClock());
    queue.beginConsumption();
    queue.beginConsumption();
    let idle = false;
    const waiting = queue.whenConsumptionIdle().then(() => {
      idle = true;
    });
    queue.endConsumption();
    await Promise.resolve();
    expect(idle).toBe(false);
    queue.endConsumption();
    await waiting;
    expect(idle).toBe(true);
  });
});

describe('MessageLike', () => {
  it("is satisfied by the client core's MessageExt, so the engine can hold real messages", () => {
    const ext: MessageExt = {
      msgId: 'u',
      offsetMsgId: 'o',
      topic: 'T',
      queueId: 0,
      queueOffset: 3,
      commitLogOffset: 100,
      bornTimestamp: 1,
      storeTimestamp: 2,
      bornHost: '127.0.0.1:1',
      storeHost: '127.0.0.1:2',
      reconsumeTimes: 0,
      sysFlag: 0,
      flag: 0,
      tags: undefined,
      keys: [],
      properties: new Map(),
      body: Buffer.from('abc'),
    };
    const queue = new ProcessQueue<MessageExt>(new FakeClock());
    queue.putMessages([ext]);
    expect(queue.messages()[0]).toBe(ext);
    expect(queue.bodyBytes).toBe(3);
  });
});
