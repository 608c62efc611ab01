import { indexKeyHash } from '../../../src/protocol/message/java-string-hash';
import type { Disk, DiskFile } from '../../../src/store/disk/disk';
import { MemoryDisk } from '../../../src/store/disk/memory-disk';
import { IndexFile } from '../../../src/store/index/index-file';
import {
  type IndexFileGeometry,
  INDEX_HEADER,
  slotPosition,
} from '../../../src/store/index/index-file-layout';
import { StoreCorruptionError } from '../../../src/store/store-errors';
import { ALL_TIME, slotMate } from './index-test-helpers';

const PATH = '/index/20240101000000000';
const SMALL: IndexFileGeometry = { maxHashSlotNum: 16, maxIndexNum: 64 };
const T0 = Date.UTC(2024, 0, 1);

async function newFile(disk: Disk, geometry = SMALL): Promise<IndexFile> {
  await disk.mkdirp('/index');
  return IndexFile.create({ disk, path: PATH, geometry, seedEndPhyOffset: 0, seedEndTimestampMs: 0 });
}

/** Records every write and datasync, to check the order a flush uses. */
class RecordingDisk extends MemoryDisk {
  readonly log: string[] = [];
  override async openExisting(path: string): Promise<DiskFile> {
    const file = await super.openExisting(path);
    const write = file.write.bind(file);
    const datasync = file.datasync.bind(file);
    file.write = async (buffer, offset, length, position) => {
      this.log.push(`write@${position}+${length}`);
      await write(buffer, offset, length, position);
    };
    file.datasync = async () => {
      this.log.push('sync');
      await datasync();
    };
    return file;
  }
}

describe('IndexFile', () => {
  it('returns what was put, newest first, before and after a flush', async () => {
    const file = await newFile(new MemoryDisk());
    file.put('T#a', 100, T0);
    file.put('T#b', 200, T0 + 10);
    file.put('T#a', 300, T0 + 20);
    expect(await file.query('T#a', 0, ALL_TIME, 10)).toEqual([300, 100]);
    expect(await file.query('T#b', 0, ALL_TIME, 10)).toEqual([200]);
    expect(await file.query('T#zzz', 0, ALL_TIME, 10)).toEqual([]);
    await file.flush();
    expect(await file.query('T#a', 0, ALL_TIME, 10)).toEqual([300, 100]);
    expect(file.indexCount).toBe(4);
    expect([file.beginPhyOffset, file.endPhyOffset, file.beginTimestampMs, file.endTimestampMs]).toEqual([
      100,
      300,
      T0,
      T0 + 20,
    ]);
  });

  it('keeps keys of one slot apart by hash, and returns every key of an equal hash', async () => {
    const file = await newFile(new MemoryDisk());
    const mate = slotMate('T', 'a', SMALL.maxHashSlotNum);
    file.put('T#a', 1, T0);
    file.put(`T#${mate}`, 2, T0);
    file.put('T#Aa', 3, T0);
    file.put('T#BB', 4, T0); // "T#Aa" and "T#BB" have the same Java hashCode
    expect(indexKeyHash('T#Aa')).toBe(indexKeyHash('T#BB'));
    expect(await file.query('T#a', 0, ALL_TIME, 10)).toEqual([1]);
    expect(await file.query(`T#${mate}`, 0, ALL_TIME, 10)).toEqual([2]);
    expect(await file.query('T#Aa', 0, ALL_TIME, 10)).toEqual([4, 3]);
  });

  it('filters by time at second granularity and stops at the first older entry', async () => {
    const file = await newFile(new MemoryDisk());
    for (let i = 0; i < 5; i++) file.put('T#k', i, T0 + i * 1000 + 999);
    // Stored times are begin + whole seconds: T0+999 (begin), T0+1999, T0+2999, ...
    expect(await file.query('T#k', T0 + 1999, T0 + 3999, 10)).toEqual([3, 2, 1]);
    expect(await file.query('T#k', T0 + 2000, T0 + 2999, 10)).toEqual([2]);
    expect(await file.query('T#k', 0, T0 - 1, 10)).toEqual([]);
    expect(file.isTimeMatched(0, T0)).toBe(false);
    expect(file.isTimeMatched(T0 + 3000, ALL_TIME)).toBe(true);
  });

  it('returns at most maxNum offsets', async () => {
    const file = await newFile(new MemoryDisk());
    for (let i = 0; i < 10; i++) file.put('T#k', i, T0 + i);
    expect(await file.query('T#k', 0, ALL_TIME, 3)).toEqual([9, 8, 7]);
    expect(await file.query('T#k', 0, ALL_TIME, 0)).toEqual([]);
  });

  it('refuses puts when full', async () => {
    const file = await newFile(new MemoryDisk(), { maxHashSlotNum: 4, maxIndexNum: 3 });
    expect(file.put('T#a', 1, T0)).toBe(true);
    expect(file.put('T#b', 2, T0)).toBe(true);
    expect(file.isFull).toBe(true);
    expect(file.put('T#c', 3, T0)).toBe(false);
  });

  it('reloads what was flushed, as an active or a sealed file', async () => {
    const disk = new MemoryDisk();
    const file = await newFile(disk);
    for (let i = 0; i < 20; i++) file.put(`T#k${i % 7}`, i * 10, T0 + i * 100);
    await file.close();
    for (const active of [false, true]) {
      const reopened = await IndexFile.open({ disk, path: PATH, geometry: SMALL, active });
      expect(reopened.indexCount).toBe(21);
      expect(reopened.endPhyOffset).toBe(190);
      expect(await reopened.query('T#k3', 0, ALL_TIME, 10)).toEqual([170, 100, 30]);
      if (active) expect(reopened.put('T#k3', 200, T0 + 5000)).toBe(true);
      if (active) expect(await reopened.query('T#k3', 0, ALL_TIME, 2)).toEqual([200, 170]);
      await reopened.close();
    }
  });

  it('serves queries from buffered, written-back and synced entries alike', async () => {
    const file = await newFile(new MemoryDisk());
    file.put('T#k', 1, T0);
    await file.writeBack();
    expect(file.bufferedEntryBytes).toBe(0);
    file.put('T#k', 2, T0);
    await file.flush();
    file.put('T#k', 3, T0);
    expect(file.bufferedEntryBytes).toBe(20);
    expect(await file.query('T#k', 0, ALL_TIME, 10)).toEqual([3, 2, 1]);
  });

  it('flushes entries, then slots, then the header, with a datasync after each', async () => {
    const disk = new RecordingDisk();
    const file = await newFile(disk, { maxHashSlotNum: 2048, maxIndexNum: 64 });
    file.put('T#a', 1, T0);
    disk.log.length = 0;
    await file.flush();
    const entryAt = INDEX_HEADER.SIZE + 2048 * 4 + 20;
    expect(disk.log[0]).toBe(`write@${entryAt}+20`);
    expect(disk.log[1]).toBe('sync');
    expect(disk.log[2]).toMatch(/^write@(40|4096|8192)\+/);
    expect(disk.log.slice(3)).toEqual(['sync', `write@0+${INDEX_HEADER.SIZE}`, 'sync']);
    disk.log.length = 0;
    await file.flush();
    expect(disk.log).toEqual([]); // nothing new, nothing written
  });

  it('heals slots that a flush cut short left pointing past indexCount', async () => {
    const disk = new MemoryDisk();
    const file = await newFile(disk);
    file.put('T#a', 1, T0);
    await file.flush();
    file.put('T#a', 2, T0);
    file.put('T#b', 3, T0);
    await file.flush();
    // Put the header back to the first flush's, as if the second stopped before its header.
    const raw = await disk.openExisting(PATH);
    const header = Buffer.alloc(INDEX_HEADER.SIZE);
    await raw.read(header, 0, INDEX_HEADER.SIZE, 0);
    header.writeInt32BE(2, INDEX_HEADER.INDEX_COUNT_AT);
    header.writeInt32BE(1, INDEX_HEADER.HASH_SLOT_COUNT_AT);
    header.writeUInt32BE(0, INDEX_HEADER.END_PHY_OFFSET_AT);
    header.writeUInt32BE(1, INDEX_HEADER.END_PHY_OFFSET_AT + 4);
    await raw.write(header, 0, INDEX_HEADER.SIZE, 0);
    const reopened = await IndexFile.open({ disk, path: PATH, geometry: SMALL, active: true });
    expect(reopened.indexCount).toBe(2);
    expect(await reopened.query('T#a', 0, ALL_TIME, 10)).toEqual([1]);
    expect(await reopened.query('T#b', 0, ALL_TIME, 10)).toEqual([]);
    // The healed slots were written back: the sealed view (disk only) agrees.
    const sealed = await IndexFile.open({ disk, path: PATH, geometry: SMALL, active: false });
    expect(await sealed.query('T#b', 0, ALL_TIME, 10)).toEqual([]);
    const slot = Buffer.alloc(4);
    await raw.read(slot, 0, 4, slotPosition(indexKeyHash('T#b') % SMALL.maxHashSlotNum));
    expect(slot.readInt32BE(0)).toBe(0);
  });

  it('rejects a file whose size does not match the configured geometry, or whose header lies', async () => {
    const disk = new MemoryDisk();
    const file = await newFile(disk);
    file.put('T#a', 7, T0);
    await file.close();
    await expect(
      IndexFile.open({ disk, path: PATH, geometry: { maxHashSlotNum: 8, maxIndexNum: 64 }, active: true }),
    ).rejects.toThrow(/maxHashSlotNum=8/);
    const raw = await disk.openExisting(PATH);
    await raw.write(Buffer.from([0, 0, 0, 0, 0, 0, 0, 8]), 0, 8, INDEX_HEADER.END_PHY_OFFSET_AT);
    await expect(IndexFile.open({ disk, path: PATH, geometry: SMALL, active: false })).rejects.toThrow(
      StoreCorruptionError,
    );
  });
});
