import { FakeClock } from '../../src/common/fake-clock';
import { MemoryDisk } from '../../src/store/disk/memory-disk';
import { openStore, putRequest, smallConfig } from './store-fixtures';

describe('MessageStore retention wiring', () => {
  it('refuses messages while the disk is over the warning ratio and accepts them again once below', async () => {
    const disk = new MemoryDisk();
    const clock = new FakeClock();
    disk.setUsedSpaceRatio(0.95);
    const store = await openStore(disk, smallConfig(), clock);
    const refused = await store.putMessage(putRequest());
    expect(refused.status).toBe('SERVICE_NOT_AVAILABLE');
    expect(refused.error?.code).toBe('STORE_DISK_FULL');
    expect(store.retentionStatus()?.diskFull).toBe(true);
    disk.setUsedSpaceRatio(0.5);
    await clock.advanceAsync(61_000);
    expect(store.retentionStatus()?.diskFull).toBe(false);
    expect((await store.putMessage(putRequest())).status).toBe('PUT_OK');
    await store.close();
  });

  it('deletes expired segments on request and moves queue minimum offsets', async () => {
    const disk = new MemoryDisk();
    const clock = new FakeClock();
    const store = await openStore(disk, smallConfig(), clock);
    const body = 'x'.repeat(900);
    for (let i = 0; i < 20; i++) await store.putMessage(putRequest({ body }));
    // Ages the segments by back-dating them; advancing the clock 73 hours would also fire a
    // quarter of a million flush and checkpoint ticks for nothing.
    for (const name of await disk.list('/data/store/commitlog')) {
      disk.setModifiedAtMs(`/data/store/commitlog/${name}`, clock.now() - 73 * 3600 * 1000);
    }
    const before = store.commitLogOffsets().min;
    // Deletions are spaced by deleteCommitLogFilesInterval on the (fake) clock.
    const pass = store.deleteExpiredCommitLog();
    await clock.advanceAsync(10_000);
    await pass;
    expect(store.commitLogOffsets().min).toBeGreaterThan(before);
    const min = store.minOffsetInQueue('TopicTest', 0);
    expect(min).toBeGreaterThan(0);
    const stale = await store.getMessage('TopicTest', 0, 0, { maxMessages: 32, maxBytes: 1 << 20 });
    expect(stale.status).toBe('OFFSET_TOO_SMALL');
    expect(stale.nextBeginOffset).toBe(min);
    await store.close();
  });
});
