// `npm run bench:store`: the store's append, group-commit and recovery speed, next to the disk's
// own limits measured in the same run. 1 KiB message bodies, in-process (no network).
// Options: RUNS (default 3), MESSAGES (async run, default 400000), RSS_GIB (default 0: skip).
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { systemClock } from '@keel/broker';
import { hostAddressOf } from '@keel/broker/internal';
import { MessageStore, NodeDisk, defaultStoreConfig, CommitLog } from '@keel/broker/internal';
import type { PutMessageRequest } from '@keel/broker/internal';
import { fmt, median, seconds, withTempDir } from './bench-util';

const RUNS = Number(process.env.RUNS ?? 3);
const MESSAGES = Number(process.env.MESSAGES ?? 400_000);
const RSS_GIB = Number(process.env.RSS_GIB ?? 0);
const BODY = Buffer.alloc(1024, 'k');
const SEGMENT_BYTES = 256 * 1024 * 1024;
/** Stored size of one benchmark message: 91 fixed bytes + body + the topic 'BenchTopic'. */
const RECORD_BYTES = 91 + 1024 + 'BenchTopic'.length;

const BORN_HOST = hostAddressOf('127.0.0.1', 40000);
const STORE_HOST = hostAddressOf('127.0.0.1', 10911);

function request(queueId: number): PutMessageRequest {
  return {
    fields: {
      queueId,
      flag: 0,
      queueOffset: 0,
      physicalOffset: 0,
      sysFlag: 0,
      bornTimestamp: 1_700_000_000_000,
      bornHost: BORN_HOST,
      storeTimestamp: 0,
      storeHost: STORE_HOST,
      reconsumeTimes: 0,
      preparedTransactionOffset: 0,
      body: BODY,
      topic: 'BenchTopic',
      properties: '',
    },
  };
}

async function openStore(dir: string, flushDiskType: 'ASYNC_FLUSH' | 'SYNC_FLUSH'): Promise<MessageStore> {
  return MessageStore.open({
    disk: new NodeDisk(),
    clock: systemClock,
    config: defaultStoreConfig(dir, { flushDiskType, mappedFileSizeCommitLog: SEGMENT_BYTES }),
  });
}

/** Disk limit 1: sequential positional writes of 4 MiB, one fdatasync at the end (MB/s). */
async function sequentialWriteMBps(dir: string, totalBytes: number): Promise<number> {
  const file = await open(join(dir, 'seq'), 'w+');
  const chunk = Buffer.alloc(4 << 20, 'k');
  const start = process.hrtime.bigint();
  for (let at = 0; at < totalBytes; at += chunk.length) await file.write(chunk, 0, chunk.length, at);
  await file.datasync();
  const elapsed = seconds(start);
  await file.close();
  return totalBytes / 1e6 / elapsed;
}

/** Disk limit 2: fdatasync'd 4 KiB writes per second on a preallocated file. */
async function fdatasyncRate(dir: string, durationS = 2): Promise<number> {
  const file = await open(join(dir, 'sync'), 'w+');
  const page = Buffer.alloc(4096, 's');
  for (let i = 0; i < 1024; i++) await file.write(page, 0, page.length, i * 4096);
  await file.datasync();
  let count = 0;
  const start = process.hrtime.bigint();
  while (seconds(start) < durationS) {
    await file.write(page, 0, page.length, (count % 1024) * 4096);
    await file.datasync();
    count++;
  }
  const rate = count / seconds(start);
  await file.close();
  return rate;
}

async function appendAsync(
  dir: string,
  messages: number,
): Promise<{ rate: number; mbps: number; bytes: number }> {
  const store = await openStore(dir, 'ASYNC_FLUSH');
  const start = process.hrtime.bigint();
  // Up to 4 batches of 4,096 puts awaiting acknowledgement, as a network-fed broker has many
  // requests in flight: appends go on while the previous batches are being written.
  const batches: Promise<unknown>[] = [];
  for (let i = 0; i < messages; i++) {
    const put = store.putMessage(request(i & 7));
    if ((i & 4095) === 4095) {
      batches.push(put);
      if (batches.length > 4) await batches.shift();
    }
  }
  await Promise.all(batches);
  await store.putMessage(request(0));
  const elapsed = seconds(start);
  const bytes = store.commitLogOffsets().max;
  await store.close();
  return { rate: messages / elapsed, mbps: bytes / 1e6 / elapsed, bytes };
}

/** Async append through putMessages, batches of `batchSize`, up to 64 batches in flight. */
async function appendAsyncBatched(dir: string, messages: number, batchSize: number): Promise<number> {
  const store = await openStore(dir, 'ASYNC_FLUSH');
  const batch = Array.from({ length: batchSize }, (_, i) => request(i & 7));
  const start = process.hrtime.bigint();
  const inFlight: Promise<unknown>[] = [];
  for (let sent = 0; sent < messages; sent += batchSize) {
    inFlight.push(store.putMessages(batch));
    if (inFlight.length > 64) await inFlight.shift();
  }
  await Promise.all(inFlight);
  const rate = messages / seconds(start);
  await store.close();
  return rate;
}

/** SYNC_FLUSH through putMessages: `batches` concurrent batches of `batchSize` awaiting fdatasync. */
async function appendSyncBatched(
  dir: string,
  batches: number,
  batchSize: number,
  durationS: number,
): Promise<number> {
  const store = await openStore(dir, 'SYNC_FLUSH');
  const batch = Array.from({ length: batchSize }, (_, i) => request(i & 7));
  let done = 0;
  const start = process.hrtime.bigint();
  const worker = async (): Promise<void> => {
    while (seconds(start) < durationS) {
      const results = await store.putMessages(batch);
      if (results.some((r) => r.status !== 'PUT_OK')) throw new Error('a sync batched put failed');
      done += results.length;
    }
  };
  await Promise.all(Array.from({ length: batches }, worker));
  const rate = done / seconds(start);
  await store.close();
  return rate;
}

/** Disk limit 3: sequential 8 MiB reads of the commit log the async run wrote (MB/s). */
async function sequentialReadMBps(dir: string): Promise<number> {
  const buffer = Buffer.allocUnsafeSlow(8 << 20);
  let bytes = 0;
  const start = process.hrtime.bigint();
  for (const name of await readdir(dir)) {
    const file = await open(join(dir, name), 'r');
    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      bytes += bytesRead;
    }
    await file.close();
  }
  return bytes / 1e6 / seconds(start);
}

async function appendSync(dir: string, inFlight: number, durationS: number): Promise<number> {
  const store = await openStore(dir, 'SYNC_FLUSH');
  let done = 0;
  let failed = 0;
  const start = process.hrtime.bigint();
  const worker = async (id: number): Promise<void> => {
    while (seconds(start) < durationS) {
      const result = await store.putMessage(request(id & 7));
      if (result.status === 'PUT_OK') done++;
      else failed++;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, (_, id) => worker(id)));
  const rate = done / seconds(start);
  await store.close();
  if (failed > 0) throw new Error(`${failed} sync puts failed`);
  return rate;
}

/** Scans (verifies magic, sizes and CRC of) every record the async run wrote. */
async function recoveryScanGBps(dir: string): Promise<number> {
  const commitLog = await CommitLog.open({
    disk: new NodeDisk(),
    dir: join(dir, 'commitlog'),
    clock: systemClock,
    segmentSizeBytes: SEGMENT_BYTES,
    flushDiskType: 'ASYNC_FLUSH',
    flushIntervalMs: 500,
    syncFlushTimeoutMs: 5000,
    writeChunkBytes: 4 << 20,
  });
  const start = process.hrtime.bigint();
  const outcome = await commitLog.verify(0);
  const rate = outcome.verifiedBytes / 1e9 / seconds(start);
  await commitLog.close();
  return rate;
}

async function peakRssWhileAppending(dir: string, gib: number): Promise<number> {
  const store = await openStore(dir, 'ASYNC_FLUSH');
  const messages = Math.ceil((gib * 1024 ** 3) / (BODY.length + 120));
  let peak = process.memoryUsage.rss();
  let last: Promise<unknown> = Promise.resolve();
  for (let i = 0; i < messages; i++) {
    last = store.putMessage(request(i & 7));
    if ((i & 4095) === 4095) {
      await last;
      peak = Math.max(peak, process.memoryUsage.rss());
    }
  }
  await last;
  await store.close();
  return Math.max(peak, process.memoryUsage.rss()) / 2 ** 20;
}

async function main(): Promise<void> {
  const rows: Record<string, number[]> = {};
  const record = (name: string, value: number): void => {
    (rows[name] ??= []).push(value);
  };
  for (let run = 1; run <= RUNS; run++) {
    await withTempDir('keel-bench-', async (dir) => {
      const asyncRun = await appendAsync(join(dir, 'a'), MESSAGES);
      record('async append msgs/s', asyncRun.rate);
      record('async append MB/s', asyncRun.mbps);
      record('recovery scan GB/s', await recoveryScanGBps(join(dir, 'a')));
      record('disk sequential read MB/s (same files)', await sequentialReadMBps(join(dir, 'a', 'commitlog')));
      record('disk sequential write MB/s', await sequentialWriteMBps(dir, asyncRun.bytes));
      record('async append, batches of 64, msgs/s', await appendAsyncBatched(join(dir, 'ab'), MESSAGES, 64));
      record('sync append, 512 in flight, msgs/s', await appendSync(join(dir, 's512'), 512, 3));
      record(
        'sync append, 8 batches of 64 in flight, msgs/s',
        await appendSyncBatched(join(dir, 'sb'), 8, 64, 3),
      );
      record('sync append, 1 in flight, msgs/s', await appendSync(join(dir, 's1'), 1, 3));
      record('disk fdatasync 4 KiB writes/s', await fdatasyncRate(dir));
    });
    process.stderr.write(`run ${run}/${RUNS} done\n`);
  }
  const m = (name: string): number => median(rows[name] ?? []);
  // Ratios are taken within each run (the disk's speed varies a lot between runs), then the median.
  const ratio = (label: string, numerator: (run: number) => number, denominator: string): void => {
    const perRun = (rows[denominator] ?? []).map((d, run) => (100 * numerator(run)) / d);
    console.log(`| ${label} | ${fmt(median(perRun), 1)}% | ${perRun.map((r) => fmt(r, 1)).join(', ')} |`);
  };
  const at = (name: string) => (run: number) => rows[name]?.[run] ?? Number.NaN;
  console.log(`| measure | median of ${RUNS} runs | runs |`);
  console.log('|---|---:|---|');
  for (const [name, values] of Object.entries(rows)) {
    console.log(
      `| ${name} | ${fmt(m(name), name.includes('GB/s') ? 2 : 0)} | ${values.map((v) => fmt(v, 1)).join(', ')} |`,
    );
  }
  console.log('');
  console.log('| ratio, per run | median | runs |');
  console.log('|---|---:|---|');
  ratio('async append MB/s / disk sequential write', at('async append MB/s'), 'disk sequential write MB/s');
  ratio(
    'async batched append MB/s / disk sequential write',
    (run) => (at('async append, batches of 64, msgs/s')(run) * RECORD_BYTES) / 1e6,
    'disk sequential write MB/s',
  );
  ratio(
    'recovery scan / disk sequential read',
    (run) => 1000 * at('recovery scan GB/s')(run),
    'disk sequential read MB/s (same files)',
  );
  ratio(
    'sync append 1 in flight / disk fdatasync rate',
    at('sync append, 1 in flight, msgs/s'),
    'disk fdatasync 4 KiB writes/s',
  );
  if (RSS_GIB > 0) {
    const rss = await withTempDir('keel-rss-', (dir) => peakRssWhileAppending(dir, RSS_GIB));
    console.log(`peak RSS while appending ${RSS_GIB} GiB: ${fmt(rss)} MiB`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
