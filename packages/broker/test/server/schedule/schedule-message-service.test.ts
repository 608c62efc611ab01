// The schedule service on a MemoryDisk store with a fake clock: when parked delay-level messages are
// delivered, what the delivered copy carries, how offsets are persisted and resumed, and what
// happens to records that cannot be delivered.

import { FakeClock, FAKE_CLOCK_DEFAULT_EPOCH_MS } from '../../../src/common/fake-clock';
import { tagsCode } from '../../../src/protocol/message/java-string-hash';
import { MessageConst } from '../../../src/protocol/message/message-const';
import { parseMessageProperties } from '../../../src/protocol/message/message-properties';
import { effectiveDueAt } from '../../../src/server/schedule/due-time';
import { SystemTopic } from '../../../src/server/topic/system-topics';
import { MemoryDisk } from '../../../src/store/disk/memory-disk';
import type { PutMessageRequest } from '../../../src/store/message-store';
import { DelayOffsetFile } from '../../../src/store/metadata/delay-offset-file';
import { capturingLogger } from '../processor/processor-fixtures';
import {
  advance,
  bodiesIn,
  DELAY_OFFSETS_PATH,
  FLUSH_DELAY_OFFSET_INTERVAL_MS,
  GatedSyncDisk,
  messagesIn,
  openScheduleRig,
  park,
  plainPut,
  refused,
  settled,
  type ScheduleRig,
} from './schedule-fixtures';

const T0 = FAKE_CLOCK_DEFAULT_EPOCH_MS;

async function persistedOffset(disk: MemoryDisk, level: number): Promise<number | undefined> {
  const file = await DelayOffsetFile.load({ disk, path: DELAY_OFFSETS_PATH, clock: new FakeClock() });
  return file.get(level);
}

describe('ScheduleMessageService', () => {
  let rig: ScheduleRig | undefined;

  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  it('delivers a parked message to its real topic and queue at its due time, never before', async () => {
    rig = await openScheduleRig();
    await park(rig.store, { topic: 'Delayed', queueId: 2, level: 2, body: 'five seconds' });
    expect(rig.service.status().levels[1]).toMatchObject({
      mode: 'armed',
      nextDueAtMs: T0 + 5000,
      pending: 1,
    });

    await advance(rig, 4999);
    expect(await bodiesIn(rig.store, 'Delayed', 2)).toEqual([]);

    await advance(rig, 1);
    const [delivered] = await messagesIn(rig.store, 'Delayed', 2);
    expect(delivered?.body?.toString()).toBe('five seconds');
    expect(delivered?.storeTimestamp).toBe(T0 + 5000);
    expect(rig.service.status().levels[1]).toMatchObject({
      mode: 'idle',
      deliveredOffset: 1,
      maxOffset: 1,
      pending: 0,
      nextDueAtMs: undefined,
      delivered: 1,
    });
  });

  it('delivers a copy without DELAY that keeps REAL_TOPIC, REAL_QID and everything else of the message', async () => {
    rig = await openScheduleRig();
    await park(rig.store, {
      topic: 'Delayed',
      queueId: 1,
      level: 1,
      body: 'payload',
      tags: 'TagA',
      keys: 'order-7',
      properties: { traceId: 'abc', [MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX]: 'UNIQ1' },
    });
    await advance(rig, 1000);

    const [copy] = await messagesIn(rig.store, 'Delayed', 1);
    expect(copy).toMatchObject({
      topic: 'Delayed',
      queueId: 1,
      flag: 7,
      bornTimestamp: 1_700_000_000_000,
      reconsumeTimes: 0,
    });
    const properties = parseMessageProperties(copy!.properties);
    expect(Object.fromEntries(properties)).toEqual({
      traceId: 'abc',
      UNIQ_KEY: 'UNIQ1',
      TAGS: 'TagA',
      KEYS: 'order-7',
      REAL_TOPIC: 'Delayed',
      REAL_QID: '1',
    });
    // The copy is filed under its tag like any message: a TagA subscription finds it.
    const [entry] = await rig.store.readQueueEntries('Delayed', 1, 0, 1);
    expect(entry?.tagsCode).toBe(tagsCode('TagA'));
  });

  it('sets one timer for the head entry instead of polling the queue', async () => {
    rig = await openScheduleRig();
    await park(rig.store, { level: 3, body: 'ten seconds' });
    const reads = rig.seams.queueReads;

    await advance(rig, 9999);
    expect(rig.seams.queueReads).toBe(reads);
    expect(await bodiesIn(rig.store, 'Delayed')).toEqual([]);

    await advance(rig, 1);
    expect(await bodiesIn(rig.store, 'Delayed')).toEqual(['ten seconds']);
  });

  it('after delivering what is due, re-arms for exactly the next entry of the level', async () => {
    rig = await openScheduleRig();
    await park(rig.store, { level: 2, body: 'first' });
    await advance(rig, 2000);
    await park(rig.store, { level: 2, body: 'second' });

    await advance(rig, 3000);
    expect(await bodiesIn(rig.store, 'Delayed')).toEqual(['first']);
    expect(rig.service.status().levels[1]).toMatchObject({
      mode: 'armed',
      nextDueAtMs: T0 + 7000,
      pending: 1,
    });
    const reads = rig.seams.queueReads;

    await advance(rig, 1999);
    expect(await bodiesIn(rig.store, 'Delayed')).toEqual(['first']);
    expect(rig.seams.queueReads).toBe(reads);
    await advance(rig, 1);
    expect(await bodiesIn(rig.store, 'Delayed')).toEqual(['first', 'second']);
  });

  it('wakes an idle level when a message is parked, and keeps levels independent', async () => {
    rig = await openScheduleRig();
    await settled(rig.service);
    expect(rig.service.status().levels.map((level) => level.mode)).toEqual(['idle', 'idle', 'idle']);

    await park(rig.store, { level: 3, body: 'level 3' });
    await park(rig.store, { level: 1, body: 'level 1' });
    expect(rig.service.status().levels.map((level) => level.mode)).toEqual(['armed', 'idle', 'armed']);

    await advance(rig, 1000);
    expect(await bodiesIn(rig.store, 'Delayed')).toEqual(['level 1']);
    await advance(rig, 9000);
    expect(await bodiesIn(rig.store, 'Delayed')).toEqual(['level 1', 'level 3']);
  });

  it('treats a delivery time further ahead than now + the level delay as due now (the clock moved back)', async () => {
    const disk = new MemoryDisk();
    // Parked while the clock ran an hour ahead: due at T0 + 1 h + 10 s.
    const ahead = await openScheduleRig({ disk, clock: new FakeClock(T0 + 3_600_000) });
    await park(ahead.store, { level: 3, body: 'parked with a fast clock' });
    await ahead.close();

    // The clock is corrected (back by an hour): waiting for the stored time would take an hour.
    rig = await openScheduleRig({ disk, clock: new FakeClock(T0) });
    await settled(rig.service);
    expect(await bodiesIn(rig.store, 'Delayed')).toEqual(['parked with a fast clock']);
    expect(effectiveDueAt(T0 + 3_610_000, T0, 10_000)).toBe(T0);
  });

  it.each([
    ['due in the future within the delay', T0 + 9000, T0 + 9000],
    ['due exactly at now + delay', T0 + 10_000, T0 + 10_000],
    ['overdue', T0 - 5000, T0 - 5000],
    ['beyond now + delay', T0 + 10_001, T0],
  ])('effectiveDueAt: %s', (_name, deliveryTime, expected) => {
    expect(effectiveDueAt(deliveryTime, T0, 10_000)).toBe(expected);
  });

  it('persists a level offset only once the delivery below it is stored', async () => {
    rig = await openScheduleRig();
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    rig.seams.putMessages = async (_requests, real) => {
      await held;
      return real();
    };
    await park(rig.store, { level: 1, body: 'held' });
    await rig.clock.advanceAsync(1000);
    expect(rig.service.status().levels[0]?.mode).toBe('running');

    // The periodic write runs while the put is in flight: it must not claim the delivery.
    await rig.clock.advanceAsync(FLUSH_DELAY_OFFSET_INTERVAL_MS);
    await rig.service.persist();
    expect(await persistedOffset(rig.disk, 1)).toBeUndefined();

    release();
    await settled(rig.service);
    expect(await bodiesIn(rig.store, 'Delayed')).toEqual(['held']);
    await advance(rig, FLUSH_DELAY_OFFSET_INTERVAL_MS);
    expect(await persistedOffset(rig.disk, 1)).toBe(1);
  });

  it('flushes the commit log before recording a delivery: a power loss after the write loses no copy', async () => {
    const disk = new MemoryDisk();
    const clock = new FakeClock();
    const first = await openScheduleRig({ disk, clock });
    // Off the store's 500 ms flush ticks: the copy, stored at 1250, is on disk only if the write flushes.
    await clock.advanceAsync(250);
    await park(first.store, { level: 1, body: 'delivered before the power loss' });
    await first.store.flush();
    await advance(first, 1000);
    expect(await bodiesIn(first.store, 'Delayed')).toEqual(['delivered before the power loss']);
    // The periodic write (ASYNC_FLUSH: the copy is acknowledged, not yet on disk), then power loss.
    await first.service.persist();
    expect(await persistedOffset(disk, 1)).toBe(1);
    disk.crash();

    rig = await openScheduleRig({ disk, clock: new FakeClock(clock.now() + 10_000) });
    await settled(rig.service);
    expect(await bodiesIn(rig.store, 'Delayed')).toEqual(['delivered before the power loss']);
  });

  it('resumes each level from its persisted offset after a restart and delivers nothing twice', async () => {
    const disk = new MemoryDisk();
    const clock = new FakeClock();
    const first = await openScheduleRig({ disk, clock });
    await park(first.store, { level: 1, body: 'a' });
    await park(first.store, { level: 2, body: 'b' });
    await park(first.store, { level: 3, body: 'c' });
    await advance(first, 5000);
    expect(await bodiesIn(first.store, 'Delayed')).toEqual(['a', 'b']);
    await first.close();
    expect(await persistedOffset(disk, 1)).toBe(1);
    expect(await persistedOffset(disk, 2)).toBe(1);
    expect(await persistedOffset(disk, 3)).toBeUndefined();

    rig = await openScheduleRig({ disk, clock });
    await settled(rig.service);
    expect(rig.service.status().levels.map((level) => level.deliveredOffset)).toEqual([1, 1, 0]);
    expect(await bodiesIn(rig.store, 'Delayed')).toEqual(['a', 'b']);
    await advance(rig, 4999);
    expect(await bodiesIn(rig.store, 'Delayed')).toEqual(['a', 'b']);
    await advance(rig, 1);
    expect(await bodiesIn(rig.store, 'Delayed')).toEqual(['a', 'b', 'c']);
  });

  it('delivers at once what fell due while the broker was down', async () => {
    const disk = new MemoryDisk();
    const first = await openScheduleRig({ disk });
    await park(first.store, { level: 3, body: 'due during downtime' });
    await first.close();

    rig = await openScheduleRig({ disk, clock: new FakeClock(T0 + 60_000) });
    await settled(rig.service);
    const [copy] = await messagesIn(rig.store, 'Delayed');
    expect(copy?.storeTimestamp).toBe(T0 + 60_000);
  });

  it('resumes at the end of the queue when the persisted offset lies beyond it', async () => {
    const disk = new MemoryDisk();
    const offsets = await DelayOffsetFile.load({ disk, path: DELAY_OFFSETS_PATH, clock: new FakeClock() });
    offsets.set(1, 50);
    await offsets.persist();
    const { log, lines } = capturingLogger();
    rig = await openScheduleRig({ disk, log });
    expect(rig.service.status().levels[0]?.deliveredOffset).toBe(0);
    expect(lines.join('\n')).toMatch(
      /delay offset lies beyond the end of its queue.*level=1.*persisted=50.*end=0/,
    );

    await park(rig.store, { level: 1, body: 'not skipped' });
    await advance(rig, 1000);
    expect(await bodiesIn(rig.store, 'Delayed')).toEqual(['not skipped']);
  });

  it('skips and logs a parked record without REAL_TOPIC, then delivers the next one', async () => {
    const { log, lines } = capturingLogger();
    rig = await openScheduleRig({ log });
    const broken = plainPut({
      topic: SystemTopic.SCHEDULE,
      queueId: 0,
      body: 'no destination',
      properties: { DELAY: '1' },
    });
    expect((await rig.store.putMessage(broken)).status).toBe('PUT_OK');
    await park(rig.store, { level: 1, body: 'fine' });

    await advance(rig, 1000);
    expect(await bodiesIn(rig.store, 'Delayed')).toEqual(['fine']);
    expect(rig.service.status().levels[0]).toMatchObject({ skipped: 1, delivered: 1, deliveredOffset: 2 });
    expect(lines.join('\n')).toMatch(
      /delayed message skipped: it has no valid REAL_TOPIC.*level=1.*queueOffset=0/,
    );
  });

  it('skips an entry whose record is gone from the commit log, and one the store refuses', async () => {
    const { log, lines } = capturingLogger();
    rig = await openScheduleRig({ log });
    const gone = await park(rig.store, { level: 1, body: 'gone' });
    await park(rig.store, { level: 1, body: 'refused' });
    await park(rig.store, { level: 1, body: 'delivered' });
    rig.seams.read = (offset, real) => (offset === gone.physicalOffset ? Promise.resolve(undefined) : real());
    rig.seams.putMessages = async (requests) => {
      const isRefused = (request: PutMessageRequest) => request.fields.body.toString() === 'refused';
      const stored = await rig!.store.putMessages(requests.filter((request) => !isRefused(request)));
      return requests.map((request) => (isRefused(request) ? refused('MESSAGE_ILLEGAL') : stored.shift()!));
    };

    await advance(rig, 1000);
    expect(await bodiesIn(rig.store, 'Delayed')).toEqual(['delivered']);
    expect(rig.service.status().levels[0]).toMatchObject({ skipped: 2, delivered: 1, deliveredOffset: 3 });
    expect(lines.join('\n')).toMatch(/no longer in the commit log/);
    expect(lines.join('\n')).toMatch(/the store refused its copy: MESSAGE_ILLEGAL/);
  });

  it('retries a failed put with a growing backoff and keeps the order of the level', async () => {
    const { log, lines } = capturingLogger();
    rig = await openScheduleRig({ log });
    let failuresLeft = 2;
    rig.seams.putMessages = (requests, real) => {
      if (failuresLeft === 0) return real();
      failuresLeft--;
      return Promise.resolve(requests.map(() => refused('SERVICE_NOT_AVAILABLE')));
    };
    await park(rig.store, { level: 1, body: 'one' });
    await park(rig.store, { level: 1, body: 'two' });

    await advance(rig, 1000);
    expect(rig.service.status().levels[0]).toMatchObject({ mode: 'armed', failures: 1, deliveredOffset: 0 });
    await advance(rig, 99);
    expect(rig.service.status().levels[0]?.failures).toBe(1);
    await advance(rig, 1);
    // Second failure: the next retry waits twice as long.
    expect(rig.service.status().levels[0]).toMatchObject({ failures: 2, deliveredOffset: 0 });
    await advance(rig, 199);
    expect(await bodiesIn(rig.store, 'Delayed')).toEqual([]);
    await advance(rig, 1);
    expect(await bodiesIn(rig.store, 'Delayed')).toEqual(['one', 'two']);
    expect(rig.service.status().levels[0]).toMatchObject({ failures: 0, deliveredOffset: 2 });
    expect(lines.join('\n')).toMatch(
      /storing a due delayed message failed; retrying.*status=SERVICE_NOT_AVAILABLE/,
    );
  });

  it('waits for a parked message to become readable (SYNC_FLUSH) and delivers it once acknowledged', async () => {
    const disk = new GatedSyncDisk();
    rig = await openScheduleRig({ disk, syncFlush: true });
    disk.hold();
    const parking = park(rig.store, { level: 1, body: 'acknowledged late' });
    // Dispatched at once, readable only after the held fdatasync.
    expect(rig.service.status().levels[0]).toMatchObject({ mode: 'armed', nextDueAtMs: T0 + 1000 });
    await advance(rig, 1000);
    expect(rig.service.status().levels[0]?.mode).toBe('awaiting-visibility');
    expect(await bodiesIn(rig.store, 'Delayed')).toEqual([]);

    // No timer and no polling: the acknowledgement itself starts the pass.
    disk.release();
    await parking;
    await settled(rig.service);
    expect(await bodiesIn(rig.store, 'Delayed')).toEqual(['acknowledged late']);
    expect(rig.service.status().levels[0]?.mode).toBe('idle');
  });

  it('stores a burst due together in one batch (one durability wait), in queue order', async () => {
    rig = await openScheduleRig();
    const batches: number[] = [];
    rig.seams.putMessages = (requests, real) => {
      batches.push(requests.length);
      return real();
    };
    const bodies = Array.from({ length: 40 }, (_, i) => `burst-${i}`);
    for (const body of bodies) await park(rig.store, { level: 1, body });
    await advance(rig, 1000);
    expect(await bodiesIn(rig.store, 'Delayed')).toEqual(bodies);
    expect(batches).toEqual([40]);
  });

  it('stops the offset at the first failed put of a batch and retries from there', async () => {
    rig = await openScheduleRig();
    let fail = true;
    rig.seams.putMessages = async (requests, real) => {
      if (!fail) return real();
      fail = false;
      // The first two are stored, then the store gives out.
      const stored = await rig!.store.putMessages(requests.slice(0, 2));
      return [...stored, ...requests.slice(2).map(() => refused('SERVICE_NOT_AVAILABLE'))];
    };
    for (const body of ['a', 'b', 'c', 'd']) await park(rig.store, { level: 1, body });
    await advance(rig, 1000);
    expect(rig.service.status().levels[0]).toMatchObject({ deliveredOffset: 2, failures: 1, mode: 'armed' });
    await advance(rig, 100);
    expect(await bodiesIn(rig.store, 'Delayed')).toEqual(['a', 'b', 'c', 'd']);
  });

  it('retries when reading the queue throws, and then delivers', async () => {
    const { log, lines } = capturingLogger();
    rig = await openScheduleRig({ log });
    await park(rig.store, { level: 1, body: 'after an I/O error' });
    let fail = true;
    rig.seams.read = (_offset, real) => {
      if (!fail) return real();
      fail = false;
      return Promise.reject(new Error('EIO: simulated read failure'));
    };
    await advance(rig, 1000);
    expect(rig.service.status().levels[0]).toMatchObject({ mode: 'armed', failures: 1 });
    expect(lines.join('\n')).toMatch(/delay level delivery failed; retrying.*EIO: simulated read failure/);
    await advance(rig, 100);
    expect(await bodiesIn(rig.store, 'Delayed')).toEqual(['after an I/O error']);
  });

  it('delivers nothing on a SLAVE', async () => {
    rig = await openScheduleRig({ deliver: false });
    await park(rig.store, { level: 1, body: 'for the master to deliver' });
    await advance(rig, 60_000);
    expect(await bodiesIn(rig.store, 'Delayed')).toEqual([]);
    expect(rig.service.status()).toMatchObject({ delivering: false });
    expect(rig.service.status().levels[0]).toMatchObject({ mode: 'idle', pending: 1, delivered: 0 });
    expect(rig.seams.queueReads).toBe(0);
  });

  it('stop waits for a delivery in progress and persists it', async () => {
    const disk = new MemoryDisk();
    rig = await openScheduleRig({ disk });
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    rig.seams.putMessages = async (_requests, real) => {
      await held;
      return real();
    };
    await park(rig.store, { level: 1, body: 'in flight at stop' });
    await rig.clock.advanceAsync(1000);
    const stopping = rig.service.stop();
    release();
    await stopping;
    expect(await persistedOffset(disk, 1)).toBe(1);
    expect(await bodiesIn(rig.store, 'Delayed')).toEqual(['in flight at stop']);
  });
});
