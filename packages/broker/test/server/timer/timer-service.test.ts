// The timer service on a MemoryDisk with a fake clock: order, exact due times, buckets on disk,
// overdue entries, deletion, and what a delivered copy carries. Crashes and bad files are in
// timer-recovery.test.ts.

import { MessageConst } from '../../../src/protocol/message/message-const';
import { TIMER_BUCKET_MS } from '../../../src/server/timer/timer-bucket-layout';
import {
  BUCKETS_DIR,
  deliveredIn,
  openTimerRig,
  putTimed,
  REAL_TOPIC,
  TEST_BUCKET_MS,
  TEST_FLUSH_INTERVAL_MS,
  TEST_LEAD_MS,
  type TimerRig,
} from './timer-fixtures';

describe('TimerService', () => {
  let rig: TimerRig | undefined;

  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  it('delivers each message exactly at its due time, in due order (ties in store order), never before', async () => {
    rig = await openTimerRig();
    const { clock, store, timer } = rig;
    const t0 = clock.now();
    const plan = [
      { body: 'c', dueMs: t0 + 2500 },
      { body: 'a1', dueMs: t0 + 700 },
      { body: 'b', dueMs: t0 + 1300 },
      { body: 'a2', dueMs: t0 + 700 },
      { body: 'd', dueMs: t0 + 4100 },
    ];
    for (const message of plan) expect((await putTimed(store, message)).status).toBe('PUT_OK');
    await timer.settled();
    expect(await deliveredIn(store)).toEqual([]);

    const sortedDues = [...new Set(plan.map((message) => message.dueMs))].sort((a, b) => a - b);
    for (const due of sortedDues) {
      await clock.advanceAsync(due - 1 - clock.now());
      await timer.settled();
      const before = await deliveredIn(store);
      expect(before.every((message) => message.dueMs < due)).toBe(true);
      await clock.advanceAsync(1);
      await timer.settled();
      const at = await deliveredIn(store);
      const now = at.filter((message) => message.dueMs === due);
      expect(now.length).toBe(plan.filter((message) => message.dueMs === due).length);
      expect(now.every((message) => message.storeTimestamp === due)).toBe(true);
    }
    expect((await deliveredIn(store)).map((message) => message.body)).toEqual(['a1', 'a2', 'b', 'c', 'd']);
    expect(timer.status()).toMatchObject({ pendingMessages: 0, deliveredMessages: 5, droppedMessages: 0 });
  });

  it('delivers to the real topic and queue a copy that keeps TIMER_OUT_MS and drops the request properties', async () => {
    rig = await openTimerRig();
    const { clock, store, timer } = rig;
    const due = clock.now() + 500;
    await putTimed(store, { body: 'payload', dueMs: due, queueId: 3 });
    await clock.advanceAsync(500);
    await timer.settled();

    const [copy] = await deliveredIn(store, REAL_TOPIC, 3);
    expect(copy?.body).toBe('payload');
    const properties = copy!.properties;
    expect(properties.get(MessageConst.PROPERTY_TIMER_OUT_MS)).toBe(String(due));
    expect(properties.get(MessageConst.PROPERTY_TAGS)).toBe('TagT');
    expect(properties.get(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX)).toBe('uniq-payload');
    expect(properties.get('app')).toBe('kept');
    for (const dropped of [
      MessageConst.PROPERTY_TIMER_DELIVER_MS,
      MessageConst.PROPERTY_REAL_TOPIC,
      MessageConst.PROPERTY_REAL_QUEUE_ID,
    ]) {
      expect(properties.has(dropped)).toBe(false);
    }
  });

  it('keeps future buckets on disk, loads each just before it starts, and deletes it once delivered', async () => {
    rig = await openTimerRig();
    const { clock, disk, store, timer } = rig;
    const t0 = Math.floor(clock.now() / TEST_BUCKET_MS) * TEST_BUCKET_MS;
    await clock.advanceAsync(t0 + 10 - clock.now());
    const buckets = 8;
    const perBucket = 5;
    for (let bucket = 1; bucket <= buckets; bucket++) {
      for (let i = 0; i < perBucket; i++) {
        await putTimed(store, {
          body: `b${bucket}-${i}`,
          dueMs: t0 + bucket * TEST_BUCKET_MS + 100 * i + 50,
        });
      }
    }
    await timer.settled();
    expect(await disk.list(BUCKETS_DIR)).toHaveLength(buckets);
    expect(timer.status()).toMatchObject({
      pendingMessages: buckets * perBucket,
      // Nothing is due within the lead yet: every entry waits on disk.
      loadedMessages: 0,
      nextDueMs: t0 + TEST_BUCKET_MS + 50,
    });

    // Just inside the lead of bucket 1: it is loaded, bucket 2 is not.
    await clock.advanceAsync(t0 + TEST_BUCKET_MS - TEST_LEAD_MS - clock.now());
    await timer.settled();
    expect(timer.status().loadedMessages).toBe(perBucket);

    for (let bucket = 1; bucket <= buckets; bucket++) {
      await clock.advanceAsync(t0 + (bucket + 1) * TEST_BUCKET_MS - clock.now());
      await timer.settled();
      const delivered = await deliveredIn(store);
      expect(delivered).toHaveLength(bucket * perBucket);
      expect(delivered.every((message) => message.storeTimestamp === message.dueMs)).toBe(true);
      expect(timer.status().loadedMessages).toBeLessThanOrEqual(perBucket);
    }
    await clock.advanceAsync(2 * TEST_FLUSH_INTERVAL_MS);
    await timer.settled();
    expect(await disk.list(BUCKETS_DIR)).toEqual([]);
    expect(timer.status()).toMatchObject({ pendingMessages: 0, nextDueMs: undefined });
  });

  it('delivers at once an entry that is already overdue when it is filed, and only then moves on', async () => {
    rig = await openTimerRig();
    const { clock, store, timer } = rig;
    await putTimed(store, { body: 'on-time', dueMs: clock.now() + 300 });
    await clock.advanceAsync(2000);
    await timer.settled();
    const savedThrough = timer.status().deliveredThroughMs;
    expect(savedThrough).toBeGreaterThan(clock.now() - 2 * TEST_FLUSH_INTERVAL_MS);

    // Parked as if the send path had accepted it a while ago and filing had fallen behind.
    const lateDue = savedThrough - 1500;
    await putTimed(store, { body: 'late', dueMs: lateDue });
    await timer.settled();
    const late = (await deliveredIn(store)).find((message) => message.body === 'late');
    expect(late?.storeTimestamp).toBe(clock.now());
    await clock.advanceAsync(TEST_FLUSH_INTERVAL_MS);
    await timer.settled();
    expect(timer.status()).toMatchObject({ pendingMessages: 0, deliveredMessages: 2 });
  });

  it('files a burst of thousands and delivers every one at its time', async () => {
    rig = await openTimerRig({ service: { batchSize: 16, maxBatchesInFlight: 2 } });
    const { clock, store, timer } = rig;
    const t0 = clock.now();
    const count = 3000;
    const dues = Array.from({ length: count }, (_, i) => t0 + 100 + ((i * 7919) % 5000));
    await Promise.all(dues.map((dueMs, i) => putTimed(store, { body: `m${i}`, dueMs })));
    await timer.settled();
    expect(timer.status().pendingMessages).toBe(count);
    await clock.advanceAsync(5200);
    await timer.settled();
    const delivered = await deliveredIn(store);
    expect(delivered).toHaveLength(count);
    expect(delivered.filter((message) => message.storeTimestamp !== message.dueMs)).toEqual([]);
    const inOrder = delivered.every((message, i) => i === 0 || delivered[i - 1]!.dueMs <= message.dueMs);
    expect(inOrder).toBe(true);
  });

  it('uses one-minute buckets by default', () => {
    expect(TIMER_BUCKET_MS).toBe(60_000);
  });
});
