import { MemoryDisk } from '../../src/store/disk/memory-disk';
import type { Disk, DiskFile } from '../../src/store/disk/disk';
import { SegmentedFile } from '../../src/store/segment/segmented-file';
import { parseSegmentFileName, segmentFileName } from '../../src/store/segment/segment-name';

const DIR = '/store/log';

async function openLog(disk: Disk, segmentSizeBytes = 64, writeChunkBytes = 16): Promise<SegmentedFile> {
  return SegmentedFile.open({ disk, dir: DIR, segmentSizeBytes, writeChunkBytes });
}

function bytes(from: number, length: number): Buffer {
  return Buffer.from(Array.from({ length }, (_, i) => (from + i) % 251));
}

/** Counts datasync calls, to check that concurrent flushes share them. */
class CountingDisk extends MemoryDisk {
  datasyncs = 0;
  override async open(path: string): Promise<DiskFile> {
    return this.#wrap(await super.open(path));
  }
  override async openExisting(path: string): Promise<DiskFile> {
    return this.#wrap(await super.openExisting(path));
  }
  #wrap(file: DiskFile): DiskFile {
    const datasync = file.datasync.bind(file);
    file.datasync = async () => {
      this.datasyncs++;
      await datasync();
    };
    return file;
  }
}

describe('segment names', () => {
  it('are 20-digit zero-padded start offsets and parse back', () => {
    expect(segmentFileName(0)).toBe('00000000000000000000');
    expect(segmentFileName(1073741824)).toBe('00000000001073741824');
    expect(parseSegmentFileName('00000000001073741824')).toBe(1073741824);
    expect(parseSegmentFileName('0000000000107374182')).toBeUndefined();
    expect(parseSegmentFileName('checkpoint')).toBeUndefined();
  });
});

describe('SegmentedFile', () => {
  it('serves appended bytes from memory before commit and from disk after', async () => {
    const disk = new MemoryDisk();
    await disk.mkdirp(DIR);
    const log = await openLog(disk);
    for (let i = 0; i < 6; i++) log.append(bytes(i * 10, 10));
    expect(log.writeOffset).toBe(60);
    expect(log.committedOffset).toBe(0);
    expect(await log.read(15, 20)).toEqual(bytes(15, 20));
    await log.commit();
    expect(log.committedOffset).toBe(60);
    expect(await log.read(0, 60)).toEqual(bytes(0, 60));
  });

  it('never lets a reservation cross a segment boundary', async () => {
    const log = await openLog(new MemoryDisk());
    log.append(bytes(0, 60));
    expect(log.remainingInSegment()).toBe(4);
    expect(() => log.reserve(5)).toThrow(RangeError);
    log.padToSegmentEnd(Buffer.from([1, 2, 3, 4]));
    expect(log.writeOffset).toBe(64);
    expect(log.remainingInSegment()).toBe(64);
    log.append(bytes(100, 8));
    await log.commit();
    expect(log.segmentStarts()).toEqual([0, 64]);
    expect(await log.read(64, 8)).toEqual(bytes(100, 8));
    // A read is clamped to the segment holding its start.
    expect((await log.read(60, 20)).length).toBe(4);
  });

  it('makes data durable only on flush: a crash loses what was committed but not flushed', async () => {
    const disk = new MemoryDisk();
    const log = await openLog(disk);
    log.append(bytes(0, 30));
    expect(await log.flush()).toBe(30);
    log.append(bytes(30, 20));
    await log.commit();
    disk.crash();
    const reopened = await openLog(disk);
    await reopened.truncateTo(50);
    expect(await reopened.read(0, 30)).toEqual(bytes(0, 30));
    expect(await reopened.read(30, 20)).toEqual(Buffer.alloc(20));
  });

  it('shares one datasync among concurrent flushes (group commit)', async () => {
    const disk = new CountingDisk();
    const log = await openLog(disk, 1024, 1024);
    const flushes: Promise<number>[] = [];
    for (let i = 0; i < 50; i++) {
      log.append(bytes(i, 4));
      flushes.push(log.flush());
    }
    const covered = await Promise.all(flushes);
    expect(covered.every((offset) => offset >= 4)).toBe(true);
    expect(Math.max(...covered)).toBe(200);
    expect(disk.datasyncs).toBeLessThanOrEqual(3);
  });

  it('truncateTo zeroes the tail and deletes later segments', async () => {
    const disk = new MemoryDisk();
    const log = await openLog(disk);
    log.append(bytes(0, 64));
    log.append(bytes(64, 40));
    await log.flush();
    await log.close();
    const reopened = await openLog(disk);
    expect(reopened.segmentStarts()).toEqual([0, 64]);
    await reopened.truncateTo(50);
    expect(reopened.segmentStarts()).toEqual([0]);
    expect(reopened.writeOffset).toBe(50);
    reopened.append(bytes(200, 4));
    await reopened.flush();
    expect(await reopened.read(0, 54)).toEqual(Buffer.concat([bytes(0, 50), bytes(200, 4)]));
    const raw = Buffer.alloc(64);
    const file = await disk.openExisting(`${DIR}/${segmentFileName(0)}`);
    await file.read(raw, 0, 64, 0);
    expect(raw.subarray(54)).toEqual(Buffer.alloc(10));
  });

  it('rejects a segment whose size does not match the configured one', async () => {
    const disk = new MemoryDisk();
    const log = await openLog(disk, 64);
    log.append(bytes(0, 10));
    await log.close();
    await expect(openLog(disk, 128)).rejects.toThrow(/segment is 64 bytes, expected 128/);
  });

  it('deletes old segments but never the newest', async () => {
    const log = await openLog(new MemoryDisk());
    for (let i = 0; i < 4; i++) log.append(bytes(i, 64));
    log.append(bytes(9, 8));
    await log.flush();
    expect(await log.deleteSegmentsBefore(191)).toEqual([0, 64]);
    expect(log.minOffset).toBe(128);
    expect(await log.deleteSegmentsBefore(10_000)).toEqual([128, 192]);
    expect(log.segmentStarts()).toEqual([256]);
    expect(await log.read(0, 10)).toEqual(Buffer.alloc(0));
  });
});
