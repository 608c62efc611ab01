import { ConfigError } from '../../../src/common/errors';
import { MemoryDisk } from '../../../src/store/disk/memory-disk';
import { IndexFile } from '../../../src/store/index/index-file';
import {
  checkIndexFileGeometry,
  DEFAULT_INDEX_FILE_GEOMETRY,
  DEFAULT_INDEX_FILE_SIZE,
  indexFileSize,
  indexTimeDiffSeconds,
} from '../../../src/store/index/index-file-layout';
import {
  indexFileNameAt,
  isIndexFileName,
  nextIndexFileName,
} from '../../../src/store/index/index-file-name';

/** Hex laid out field by field: whitespace and `// comments` are ignored. */
function hex(text: string): Buffer {
  return Buffer.from(text.replace(/\/\/[^\n]*/g, '').replace(/\s+/g, ''), 'hex');
}

describe('index file layout', () => {
  it('has RocketMQ default size', () => {
    expect(indexFileSize(DEFAULT_INDEX_FILE_GEOMETRY)).toBe(420_000_040);
    expect(DEFAULT_INDEX_FILE_SIZE).toBe(420_000_040);
  });

  it('rejects geometries RocketMQ could not map, naming the option', () => {
    expect(() => checkIndexFileGeometry({ maxHashSlotNum: 0, maxIndexNum: 10 })).toThrow(/maxHashSlotNum/);
    expect(() => checkIndexFileGeometry({ maxHashSlotNum: 4, maxIndexNum: 1 })).toThrow(/maxIndexNum/);
    expect(() => checkIndexFileGeometry({ maxHashSlotNum: 5_000_000, maxIndexNum: 200_000_000 })).toThrow(
      ConfigError,
    );
  });

  it('computes timeDiff as Java does: whole seconds, 0 without a begin, clamped', () => {
    expect(indexTimeDiffSeconds(10_999, 10_000)).toBe(0);
    expect(indexTimeDiffSeconds(11_000, 10_000)).toBe(1);
    expect(indexTimeDiffSeconds(9_000, 10_000)).toBe(0);
    expect(indexTimeDiffSeconds(5_000, 0)).toBe(0);
    expect(indexTimeDiffSeconds(10_000 + 1000 * 2 ** 32, 10_000)).toBe(0x7fffffff);
  });

  it('writes a tiny file byte for byte as the reference layout says', async () => {
    // Java hashCode: "Aa" and "BB" are both 2112 (0x840, slot 0 of 4); "C" is 67 (0x43, slot 3).
    const disk = new MemoryDisk();
    await disk.mkdirp('/index');
    const t0 = 1_700_000_000_123; // 0x0000018bcfe5687b
    const file = await IndexFile.create({
      disk,
      path: '/index/20231114221320123',
      geometry: { maxHashSlotNum: 4, maxIndexNum: 4 },
      seedEndPhyOffset: 0,
      seedEndTimestampMs: 0,
    });
    expect(file.put('Aa', 0, t0)).toBe(true);
    expect(file.put('C', 100, t0 + 1500)).toBe(true);
    expect(file.put('BB', 0x1_0000_0010, t0 + 2999)).toBe(true);
    expect(file.isFull).toBe(true);
    expect(file.put('C', 200, t0 + 3000)).toBe(false);
    await file.close();

    const bytes = Buffer.alloc(136);
    const handle = await disk.openExisting('/index/20231114221320123');
    expect(await handle.size()).toBe(136);
    await handle.read(bytes, 0, 136, 0);
    const expected = hex(`
      0000018bcfe5687b 0000018bcfe57432            // beginTimestamp t0, endTimestamp t0 + 2999
      0000000000000000 0000000100000010            // beginPhyOffset 0, endPhyOffset 2^32 + 16
      00000002 00000004                            // hashSlotCount 2 (slots 0 and 3), indexCount 4
      00000003 00000000 00000000 00000002          // slots: 0 -> entry 3, 3 -> entry 2
      0000000000000000000000000000000000000000     // entry 0, never used
      00000840 0000000000000000 00000000 00000000  // #1 "Aa": hash 2112, offset 0, +0 s, no prev
      00000043 0000000000000064 00000001 00000000  // #2 "C": hash 67, offset 100, +1 s, no prev
      00000840 0000000100000010 00000002 00000001  // #3 "BB": hash 2112, offset 2^32 + 16, +2 s, prev #1
    `);
    expect(expected.length).toBe(136);
    expect(bytes.toString('hex')).toBe(expected.toString('hex'));
  });
});

describe('index file names', () => {
  it('are the local creation time as yyyyMMddHHmmssSSS', () => {
    const at = new Date(2024, 0, 2, 3, 4, 5, 6).getTime();
    expect(indexFileNameAt(at)).toBe('20240102030405006');
    expect(isIndexFileName('20240102030405006')).toBe(true);
    expect(isIndexFileName('20240102030405006.creating')).toBe(false);
  });

  it('always sort after the previous name, even when the clock does not move or goes back', () => {
    const at = new Date(2024, 0, 2, 3, 4, 5, 6).getTime();
    expect(nextIndexFileName(at, undefined)).toBe('20240102030405006');
    expect(nextIndexFileName(at, '20240102030405006')).toBe('20240102030405007');
    expect(nextIndexFileName(at - 60_000, '20240102030405006')).toBe('20240102030405007');
    expect(nextIndexFileName(at, '20241231235959999')).toBe('20250101000000000');
    expect(nextIndexFileName(at + 1, '20240102030405006')).toBe('20240102030405007');
  });
});
