import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../../src/common/clock';
import { NodeDisk } from '../../../src/store/disk/node-disk';
import type { IndexFileGeometry } from '../../../src/store/index/index-file-layout';
import { IndexService } from '../../../src/store/index/index-service';

// The index on the real file system: the same round trip the MemoryDisk tests check, through
// NodeDisk, across several rolled files and a reload. (Speed is measured by benchmarks, not here.)
const RECORDS = 3_000;
const T0 = Date.UTC(2024, 0, 1);
const SMALL: IndexFileGeometry = { maxHashSlotNum: 1_000, maxIndexNum: 2_001 };

async function findsEveryKey(service: IndexService): Promise<string[]> {
  const missing: string[] = [];
  for (let i = 0; i < RECORDS; i += 7) {
    const { phyOffsets } = await service.queryOffsets('Orders', `order-${i}`, 32, 0, Number.MAX_SAFE_INTEGER);
    if (!phyOffsets.includes(i * 200)) missing.push(`order-${i}`);
  }
  return missing;
}

describe('index service on NodeDisk', () => {
  let root = '';
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'keel-index-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('finds every key across rolled files, before and after a reload', async () => {
    const open = (): Promise<IndexService> =>
      IndexService.open({ disk: new NodeDisk(), clock: systemClock, storePathRootDir: root, ...SMALL });
    const service = await open();
    for (let i = 0; i < RECORDS; i++) {
      await service.buildIndex({
        topic: 'Orders',
        commitLogOffset: i * 200,
        storeTimestampMs: T0 + Math.floor(i / 10),
        keys: `order-${i}`,
        uniqKey: `7F0000010B3818B4AAC2${i.toString(16).padStart(12, '0')}`,
        transactionType: 'NOT_TYPE',
      });
    }
    expect(service.fileNames.length).toBeGreaterThan(2);
    expect(await findsEveryKey(service)).toEqual([]);
    await service.close();
    const reopened = await open();
    expect(await findsEveryKey(reopened)).toEqual([]);
    await reopened.close();
  }, 60_000);
});
