import { FakeClock } from '../../src/common/fake-clock';
import type { DiskFile } from '../../src/store/disk/disk';
import { MemoryDisk } from '../../src/store/disk/memory-disk';
import { SegmentedFile } from '../../src/store/segment/segmented-file';
import { openStore, putRequest, smallConfig } from './store-fixtures';

/** A disk whose datasync can be made to hang, as a saturated or failing device does. */
class StallingDisk extends MemoryDisk {
  stalled = false;
  readonly #waiting: Array<() => void> = [];
  override async open(path: string): Promise<DiskFile> {
    return this.#wrap(await super.open(path));
  }
  override async openExisting(path: string): Promise<DiskFile> {
    return this.#wrap(await super.openExisting(path));
  }
  resume(): void {
    this.stalled = false;
    for (const release of this.#waiting.splice(0)) release();
  }
  #wrap(file: DiskFile): DiskFile {
    const datasync = file.datasync.bind(file);
    file.datasync = async () => {
      if (this.stalled) await new Promise<void>((resolve) => this.#waiting.push(resolve));
      await datasync();
    };
    return file;
  }
}

describe('SYNC_FLUSH timeout', () => {
  it('answers FLUSH_DISK_TIMEOUT when the fdatasync takes longer than syncFlushTimeout', async () => {
    const disk = new StallingDisk();
    const clock = new FakeClock();
    const store = await openStore(
      disk,
      smallConfig({ flushDiskType: 'SYNC_FLUSH', syncFlushTimeout: 5000 }),
      clock,
    );
    disk.stalled = true;
    const put = store.putMessage(putRequest({ body: 'slow' }));
    await clock.advanceAsync(4999);
    let settled = false;
    void put.then(() => (settled = true));
    await clock.advanceAsync(0);
    expect(settled).toBe(false);
    await clock.advanceAsync(2);
    const result = await put;
    expect(result.status).toBe('FLUSH_DISK_TIMEOUT');
    // The message is stored all the same and becomes readable once the disk catches up.
    disk.resume();
    await clock.advanceAsync(10);
    expect(store.maxOffsetInQueue('TopicTest', 0)).toBe(1);
    await store.close();
  });
});

describe('ASYNC_FLUSH on a stalled disk', () => {
  it('keeps one periodic flush in flight however many ticks pass while the disk hangs', async () => {
    const disk = new StallingDisk();
    const clock = new FakeClock();
    const store = await openStore(disk, smallConfig({ flushDiskType: 'ASYNC_FLUSH' }), clock);
    const flushes = jest.spyOn(SegmentedFile.prototype, 'flush');
    try {
      // The first message creates the segment (synced at creation); the second waits for a flush.
      await store.putMessage(putRequest({ body: 'creates the segment' }));
      await clock.advanceAsync(store.config.flushIntervalCommitLog);
      flushes.mockClear();
      disk.stalled = true;
      await store.putMessage(putRequest({ body: 'waits for the disk' }));
      await clock.advanceAsync(1000 * store.config.flushIntervalCommitLog);
      // The periodic flush and the periodic checkpoint (which flushes too) each wait on the disk
      // once; without the guard every one of the 1000 ticks would queue another flush behind them.
      expect(flushes.mock.calls.length).toBeGreaterThanOrEqual(1);
      expect(flushes.mock.calls.length).toBeLessThanOrEqual(2);
      disk.resume();
      await clock.advanceAsync(store.config.flushIntervalCommitLog);
      expect(store.commitLogOffsets().confirmed).toBe(store.commitLogOffsets().max);
    } finally {
      flushes.mockRestore();
      disk.resume();
      await store.close();
    }
  });
});
