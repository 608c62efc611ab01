import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { systemClock } from '../../../src/common/clock';
import { NodeDisk } from '../../../src/store/disk/node-disk';
import {
  DEFAULT_INDEX_FILE_GEOMETRY,
  type IndexFileGeometry,
} from '../../../src/store/index/index-file-layout';
import { IndexService } from '../../../src/store/index/index-service';

// A measurement, not a benchmark gate: it prints rates on the real disk and asserts only results.
const RECORDS = 100_000;
const QUERIES = 10_000;
const T0 = Date.UTC(2024, 0, 1);

function rate(count: number, ms: number): string {
  return `${Math.round((count / ms) * 1000).toLocaleString('en-US')}/s`;
}

async function timed<T>(body: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const result = await body();
  return [result, performance.now() - start];
}

async function measure(
  root: string,
  geometry: IndexFileGeometry,
  label: string,
  lines: string[],
): Promise<void> {
  const open = (): Promise<IndexService> =>
    IndexService.open({ disk: new NodeDisk(), clock: systemClock, storePathRootDir: root, ...geometry });
  const service = await open();
  const [, putMs] = await timed(async () => {
    for (let i = 0; i < RECORDS; i++) {
      await service.buildIndex({
        topic: 'Bench',
        commitLogOffset: i * 200,
        storeTimestampMs: T0 + Math.floor(i / 10),
        keys: `order-${i}`,
        uniqKey: `7F0000010B3818B4AAC2${i.toString(16).padStart(12, '0')}`,
        transactionType: 'NOT_TYPE',
      });
    }
  });
  const [, flushMs] = await timed(() => service.flush());
  const query = async (target: IndexService): Promise<number> => {
    const [, ms] = await timed(async () => {
      for (let q = 0; q < QUERIES; q++) {
        const i = (q * 7919) % RECORDS;
        const { phyOffsets } = await target.queryOffsets(
          'Bench',
          `order-${i}`,
          32,
          0,
          Number.MAX_SAFE_INTEGER,
        );
        if (!phyOffsets.includes(i * 200)) throw new Error(`order-${i} not found`);
      }
    });
    return ms;
  };
  const liveMs = await query(service);
  await service.close();
  const [reopened, loadMs] = await timed(open);
  const reloadedMs = await query(reopened);
  lines.push(
    `${label}: ${reopened.fileNames.length} file(s); ${RECORDS * 2} puts in ${putMs.toFixed(0)} ms ` +
      `(${rate(RECORDS * 2, putMs)}); flush ${flushMs.toFixed(0)} ms; load ${loadMs.toFixed(0)} ms; ` +
      `queries ${rate(QUERIES, liveMs)} live, ${rate(QUERIES, reloadedMs)} after reload`,
  );
  await reopened.close();
}

describe('index timing on NodeDisk (printed, not asserted)', () => {
  let root = '';
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'keel-index-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('measures puts/s and queries/s', async () => {
    const lines: string[] = [];
    const rssBefore = process.memoryUsage().rss;
    await measure(root, DEFAULT_INDEX_FILE_GEOMETRY, 'default 420 MB file (active, slots in memory)', lines);
    await measure(
      join(root, 'rolled'),
      { maxHashSlotNum: 100_000, maxIndexNum: 100_001 },
      'files of 100,000 entries (mostly sealed: disk reads)',
      lines,
    );
    lines.push(
      `RSS grew ${((process.memoryUsage().rss - rssBefore) / 2 ** 20).toFixed(0)} MiB during the runs`,
    );
    console.log(lines.join('\n'));
  }, 120_000);
});
