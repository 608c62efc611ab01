// The timer service under disk faults that change nothing durable: a delivered copy whose flush
// timed out (it is stored: counted, never stored again), and bucket reads that fail for a while
// (tried again after a growing pause, not in a loop; filing goes on).

import type { DiskFile } from '../../../src/store/disk/disk';
import { MemoryDisk } from '../../../src/store/disk/memory-disk';
import { capturingLogger } from '../processor/processor-fixtures';
import { deliveredIn, openTimerRig, putTimed, type TimerRig } from './timer-fixtures';

/** A MemoryDisk whose reads of timer bucket files fail while `failBucketReads` is set. */
class FlakyBucketDisk extends MemoryDisk {
  failBucketReads = false;
  bucketReads = 0;

  override async open(path: string): Promise<DiskFile> {
    return this.#flaky(await super.open(path));
  }

  override async openExisting(path: string): Promise<DiskFile> {
    return this.#flaky(await super.openExisting(path));
  }

  #flaky(file: DiskFile): DiskFile {
    if (!file.path.includes('/timer/buckets/')) return file;
    return {
      path: file.path,
      write: (buffer, offset, length, position) => file.write(buffer, offset, length, position),
      read: async (buffer, offset, length, position) => {
        this.bucketReads++;
        if (this.failBucketReads) throw new Error('EIO: i/o error');
        return file.read(buffer, offset, length, position);
      },
      datasync: () => file.datasync(),
      truncate: (size) => file.truncate(size),
      size: () => file.size(),
      close: () => file.close(),
    };
  }
}

describe('TimerService under disk faults', () => {
  let rig: TimerRig;

  afterEach(() => rig.close());

  it('counts a copy whose flush timed out as delivered and never stores it again', async () => {
    let timeouts = 1;
    rig = await openTimerRig({
      timerStore: (store) => ({
        readQueueEntries: (...args) => store.readQueueEntries(...args),
        maxOffsetInQueue: (...args) => store.maxOffsetInQueue(...args),
        minOffsetInQueue: (...args) => store.minOffsetInQueue(...args),
        readMessageAt: (...args) => store.readMessageAt(...args),
        flush: () => store.flush(),
        onDispatch: (listener) => store.onDispatch(listener),
        onConfirmed: (listener) => store.onConfirmed(listener),
        // The copy is appended; only the wait for its flush runs out (SYNC_FLUSH's syncFlushTimeout).
        putMessages: async (requests) =>
          (await store.putMessages(requests)).map((result) =>
            result.status === 'PUT_OK' && timeouts-- > 0
              ? { ...result, status: 'FLUSH_DISK_TIMEOUT' }
              : result,
          ),
      }),
    });
    await putTimed(rig.store, { body: 'once', dueMs: rig.clock.now() + 1000 });
    await rig.timer.settled();
    await rig.clock.advanceAsync(1000);
    await rig.timer.settled();
    // Well past the 1 s pause a refused copy would wait before it is tried again.
    await rig.clock.advanceAsync(5000);
    await rig.timer.settled();
    expect((await deliveredIn(rig.store)).map((message) => message.body)).toEqual(['once']);
    expect(rig.timer.status()).toMatchObject({ deliveredMessages: 1, pendingMessages: 0 });
  });

  it('tries a failing bucket read again after a growing pause, and delivers once reads work', async () => {
    const disk = new FlakyBucketDisk();
    const { log, lines } = capturingLogger();
    rig = await openTimerRig({ disk, log });
    const dueMs = rig.clock.now() + 5000;
    await putTimed(rig.store, { body: 'waits for the disk', dueMs });
    await rig.timer.settled();

    disk.failBucketReads = true;
    // The bucket is loaded 200 ms (the lead) before it starts; its read fails from then on.
    await rig.clock.advanceAsync(4900);
    const failed = () => lines.filter((line) => line.includes('reading a timer bucket failed')).length;
    expect(failed()).toBe(1);
    const readsAfterFirstFailure = disk.bucketReads;
    await rig.clock.advanceAsync(100);
    expect(disk.bucketReads).toBe(readsAfterFirstFailure);
    // Pauses of 1, 2, 4, 8 s, then 10 s each: 6 attempts by 35 s (25 s after the first), not one per ms.
    await rig.clock.advanceAsync(30_000);
    expect(failed()).toBe(6);
    expect(rig.timer.status()).toMatchObject({
      failure: undefined,
      deliveredMessages: 0,
      pendingMessages: 1,
    });

    // Filing is not stopped by failed reads: a message sent meanwhile is filed (written, not read).
    await putTimed(rig.store, { body: 'sent during the fault', dueMs: rig.clock.now() + 60_000 });
    await rig.timer.settled();
    expect(rig.timer.status().pendingMessages).toBe(2);

    disk.failBucketReads = false;
    await rig.clock.advanceAsync(10_000);
    await rig.timer.settled();
    expect((await deliveredIn(rig.store)).map((message) => message.body)).toEqual(['waits for the disk']);
    await rig.clock.advanceAsync(60_000);
    await rig.timer.settled();
    expect((await deliveredIn(rig.store)).map((message) => message.body)).toEqual([
      'waits for the disk',
      'sent during the fault',
    ]);
    expect(rig.timer.status().failure).toBeUndefined();
  });
});
