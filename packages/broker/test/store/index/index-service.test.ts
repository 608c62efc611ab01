import { FakeClock } from '../../../src/common/fake-clock';
import { MemoryDisk } from '../../../src/store/disk/memory-disk';
import { indexKeysOf } from '../../../src/store/index/index-dispatch';
import { StoreErrorCodes } from '../../../src/store/store-errors';
import { ALL_TIME, INDEX_DIR, message, openService } from './index-test-helpers';

const T0 = Date.UTC(2024, 0, 1);
const SMALL = { maxHashSlotNum: 16, maxIndexNum: 8 }; // 7 entries per file

async function offsets(
  service: Awaited<ReturnType<typeof openService>>,
  key: string,
  maxNum = 100,
  beginMs = 0,
  endMs = ALL_TIME,
): Promise<number[]> {
  return (await service.queryOffsets('T', key, maxNum, beginMs, endMs)).phyOffsets;
}

describe('indexKeysOf', () => {
  it('indexes topic#UNIQ_KEY and topic#k for every non-empty space-separated key', () => {
    expect(indexKeysOf(message(0, T0, ' a  b ', { uniqKey: 'U1' }))).toEqual(['T#U1', 'T#a', 'T#b']);
    expect(
      indexKeysOf({ topic: 'T', commitLogOffset: 0, storeTimestampMs: T0, transactionType: 'NOT_TYPE' }),
    ).toEqual([]);
  });
});

describe('IndexService', () => {
  it('builds and queries across rolled files, newest first', async () => {
    const disk = new MemoryDisk();
    const clock = new FakeClock(T0);
    const service = await openService(disk, SMALL, clock);
    for (let i = 0; i < 10; i++) {
      await service.buildIndex(message(i * 100, T0 + i * 1000, `k${i % 2} x${i}`, { uniqKey: `U${i}` }));
      clock.advance(1000);
    }
    // 3 entries per record, 7 per file: a record never straddles files.
    expect(service.fileNames).toHaveLength(5);
    expect(await offsets(service, 'k0')).toEqual([800, 600, 400, 200, 0]);
    expect(await offsets(service, 'U3')).toEqual([300]);
    expect(await offsets(service, 'k1', 3)).toEqual([900, 700, 500]);
    expect(await offsets(service, 'k0', 100, T0 + 2000, T0 + 6000)).toEqual([600, 400, 200]);
    const result = await service.queryOffsets('T', 'k0', 1, 0, ALL_TIME);
    expect(result.indexLastUpdatePhyOffset).toBe(900);
    expect(result.indexLastUpdateTimestampMs).toBe(T0 + 9000);
    await service.close();
  });

  it('skips ROLLBACK records and records at or below what is already indexed', async () => {
    const service = await openService(new MemoryDisk(), SMALL);
    await service.buildIndex(message(100, T0, 'a', { transactionType: 'ROLLBACK' }));
    await service.buildIndex(message(200, T0, 'a', { transactionType: 'PREPARED' }));
    await service.buildIndex(message(300, T0, 'a', { transactionType: 'COMMIT' }));
    await service.buildIndex(message(300, T0, 'a'));
    await service.buildIndex(message(250, T0, 'a'));
    expect(await offsets(service, 'a')).toEqual([300, 200]);
    await service.close();
  });

  it('indexes a record at commit-log offset 0 in a fresh store', async () => {
    const service = await openService(new MemoryDisk(), SMALL);
    await service.buildIndex(message(0, T0, 'a'));
    expect(await offsets(service, 'a')).toEqual([0]);
    await service.close();
  });

  it('reloads after close, with the newest file active and re-dispatch idempotent', async () => {
    const disk = new MemoryDisk();
    const clock = new FakeClock(T0);
    const first = await openService(disk, SMALL, clock);
    const records = Array.from({ length: 9 }, (_, i) => message(i * 10, T0 + i, `k${i % 3}`));
    for (const r of records) await first.buildIndex(r);
    await first.close();
    const second = await openService(disk, SMALL, clock);
    expect(second.fileNames).toHaveLength(2);
    for (const r of records) await second.buildIndex(r); // a replay indexes nothing twice
    await second.buildIndex(message(90, T0 + 9, 'k0'));
    expect(await offsets(second, 'k0')).toEqual([90, 60, 30, 0]);
    await second.close();
  });

  it('names files by the clock and never reuses a name within one millisecond', async () => {
    const disk = new MemoryDisk();
    const clock = new FakeClock(new Date(2024, 4, 6, 7, 8, 9, 10).getTime());
    const service = await openService(disk, { maxHashSlotNum: 4, maxIndexNum: 2 }, clock);
    for (let i = 0; i < 3; i++) await service.buildIndex(message(i, T0, 'a'));
    expect(service.fileNames).toEqual(['20240506070809010', '20240506070809011', '20240506070809012']);
    expect(await disk.list(INDEX_DIR)).toEqual(service.fileNames);
    await service.close();
  });

  it('deletes old files below the commit-log minimum, never the newest', async () => {
    const disk = new MemoryDisk();
    const service = await openService(disk, { maxHashSlotNum: 4, maxIndexNum: 2 });
    for (let i = 0; i < 4; i++) await service.buildIndex(message(i * 100, T0, 'a'));
    expect(service.fileNames).toHaveLength(4);
    expect(await service.deleteFilesBelow(150)).toBe(2); // ends 0 and 100 are below 150
    expect(await offsets(service, 'a')).toEqual([300, 200]);
    expect(await service.deleteFilesBelow(10_000)).toBe(1);
    expect(service.fileNames).toHaveLength(1);
    expect(await disk.list(INDEX_DIR)).toEqual(service.fileNames);
    expect(await offsets(service, 'a')).toEqual([300]);
    await service.close();
  });

  it('lets a deletion wait for queries that are reading the files it removes', async () => {
    const service = await openService(new MemoryDisk(), { maxHashSlotNum: 4, maxIndexNum: 2 });
    for (let i = 0; i < 3; i++) await service.buildIndex(message(i * 100, T0, 'a'));
    const query = service.queryOffsets('T', 'a', 10, 0, ALL_TIME);
    const deletion = service.deleteFilesBelow(1000);
    expect((await query).phyOffsets).toEqual([200, 100, 0]);
    expect(await deletion).toBe(2);
    await service.close();
  });

  it('writes back buffered entries once they pass the threshold', async () => {
    const disk = new MemoryDisk();
    const service = await openService(disk, { maxHashSlotNum: 16, maxIndexNum: 100 }, new FakeClock(T0), 40);
    await service.buildIndex(message(1, T0, 'a'));
    await service.buildIndex(message(2, T0, 'b'));
    expect(await offsets(service, 'a')).toEqual([1]);
    await service.close();
  });

  it('refuses work once closed, with the store CLOSED code', async () => {
    const service = await openService(new MemoryDisk(), SMALL);
    await service.close();
    await expect(service.buildIndex(message(1, T0, 'a'))).rejects.toMatchObject({
      code: StoreErrorCodes.CLOSED,
    });
    await expect(service.queryOffsets('T', 'a', 1, 0, 1)).rejects.toMatchObject({
      code: StoreErrorCodes.CLOSED,
    });
  });

  it('removes a half-created file left by a crash during creation', async () => {
    const disk = new MemoryDisk();
    await disk.mkdirp(INDEX_DIR);
    await (await disk.open(`${INDEX_DIR}/20240101000000000.creating`)).close();
    const service = await openService(disk, SMALL);
    expect(await disk.list(INDEX_DIR)).toEqual([]);
    await service.close();
  });
});
