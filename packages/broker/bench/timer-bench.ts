// `npm run bench:timer`: a broker holding 1,000,000 pending timed messages (issue 6's target).
//
// In process, no network: a real broker context (openBrokerContext: store on the real disk,
// managers, timer service) with the send path's routing (routeSentMessage, which reads
// TIMER_DELIVER_MS and parks the message in the timer topic) and the store's putMessages in batches
// of 256. 128-byte bodies, each message with a UNIQ_KEY as producers send them. Due times are
// spread evenly (in a shuffled order) over [WINDOW_FROM_S, WINDOW_TO_S) after the start.
//
// Measured: broker RSS before sending and with every message pending (both after a full GC), peak
// RSS while delivering, and the lateness of each delivery = the delivered copy's store time minus
// its due time (taken at the store's dispatch of the copy, so measuring costs no reads).
//
// The sends are paced at RATE messages/s (default 30,000: what one broker takes from producers over
// the network, docs/benchmarks.md "Client benchmark"; timed messages cannot be batched). Unpaced
// (RATE=0) the process stores 150k/s, and the garbage of that burst leaves V8 and malloc holding
// a few hundred MiB that show up in RSS although nothing in them is live (heapUsed after GC ~7 MiB).
//
// Options (environment): MESSAGES (1000000), WINDOW_FROM_S (60), WINDOW_TO_S (120), RUNS (1),
// RATE (30000; 0 = as fast as possible), FILL_ONLY=1 (stop once everything is pending),
// MEMORY_DETAIL=1 (print process.memoryUsage() and /proc/self/status with everything pending);
// QUICK=1 for a smoke run: 20,000 messages due 5 to 10 s ahead. CONTROL=1 stores the same messages
// without a delivery time (no timer involved) and reports only the RSS figures: what the store
// itself grows by for as many messages, to set the timer's share apart.
// Run with --expose-gc (the npm script does) so the RSS figures are taken after a collection.

import { cpus, loadavg, totalmem } from 'node:os';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseProperties, sleep, systemClock } from '@keel/broker';
import {
  hostAddressOf,
  messagePropertiesToString,
  MessageConst,
  NodeDisk,
  openBrokerContext,
  resolveBrokerConfig,
  routeSentMessage,
  type PutMessageRequest,
} from '@keel/broker/internal';
import { fmt, median, seconds, withTempDir } from './bench-util';

const QUICK = process.env.QUICK === '1';
const MESSAGES = Number(process.env.MESSAGES ?? (QUICK ? 20_000 : 1_000_000));
const WINDOW_FROM_MS = 1000 * Number(process.env.WINDOW_FROM_S ?? (QUICK ? 5 : 60));
const WINDOW_TO_MS = 1000 * Number(process.env.WINDOW_TO_S ?? (QUICK ? 10 : 120));
const RUNS = Number(process.env.RUNS ?? 1);
const CONTROL = process.env.CONTROL === '1';
const FILL_ONLY = process.env.FILL_ONLY === '1';
const RATE = Number(process.env.RATE ?? 30_000);
const TOPIC = 'TimerBench';
const QUEUES = 8;
const BATCH = 256;
const BODY = Buffer.alloc(128, 't');
const BORN_HOST = hostAddressOf('127.0.0.1', 40000);
const MIB = 1024 * 1024;

interface RunResult {
  readonly fillSeconds: number;
  readonly rssBeforeMiB: number;
  readonly rssPendingMiB: number;
  readonly rssPeakMiB: number;
  /** The process's RSS high-water mark (VmHWM) once everything is pending. */
  readonly rssHighWaterAtFullMiB: number;
  readonly heapPendingMiB: number;
  readonly arrayBuffersPendingMiB: number;
  readonly loadedAtFull: number;
  readonly bucketBytes: number;
  readonly latenessMs: Float64Array;
  readonly deliverSeconds: number;
  /** Process CPU (user + system) over the delivery phase, per message. */
  readonly deliverCpuUs: number;
  /** The three seconds of the window with the latest delivery: `second:max lateness`. */
  readonly worstSeconds: string;
  /** One-minute load average when delivery starts and ends (the machine is shared). */
  readonly loadBefore: number;
  readonly loadAfter: number;
}

const log = {
  level: 'warn' as const,
  component: 'bench',
  isEnabled: (level: string) => level === 'error' || level === 'warn',
  error: (message: string, fields?: object) => console.error(`ERROR ${message}`, fields ?? ''),
  warn: (message: string, fields?: object) => console.error(`WARN ${message}`, fields ?? ''),
  info: () => undefined,
  debug: () => undefined,
  child: () => log,
};

function rssMiB(): number {
  return process.memoryUsage().rss / MIB;
}

/** VmHWM of /proc/self/status (Linux), or NaN where there is no such file. */
function highWaterMiB(): number {
  if (!existsSync('/proc/self/status')) return Number.NaN;
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return match === null ? Number.NaN : Number(match[1]) / 1024;
}

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc (npm run bench:timer does)');
  gc();
  gc();
}

/** Message i's due time: evenly spaced over the window, in a shuffled order (7919 is prime). */
function dueOf(base: number, i: number): number {
  const slot = (i * 7919) % MESSAGES;
  return base + WINDOW_FROM_MS + Math.floor((slot * (WINDOW_TO_MS - WINDOW_FROM_MS)) / MESSAGES);
}

function putOf(i: number, due: number): { put: PutMessageRequest; properties: Map<string, string> } {
  const properties = new Map<string, string>([
    [MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX, `b${i}`],
    [MessageConst.PROPERTY_WAIT_STORE_MSG_OK, 'true'],
  ]);
  if (!CONTROL) properties.set(MessageConst.PROPERTY_TIMER_DELIVER_MS, String(due));
  const put: PutMessageRequest = {
    fields: {
      topic: TOPIC,
      queueId: i % QUEUES,
      flag: 0,
      queueOffset: 0,
      physicalOffset: 0,
      sysFlag: 0,
      bornTimestamp: systemClock.now(),
      bornHost: BORN_HOST,
      storeTimestamp: 0,
      storeHost: BORN_HOST,
      reconsumeTimes: 0,
      preparedTransactionOffset: 0,
      body: BODY,
      properties: messagePropertiesToString(properties),
    },
    uniqKey: `b${i}`,
  };
  return { put, properties };
}

function dirBytes(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir)) total += statSync(join(dir, name)).size;
  return total;
}

async function runOnce(dir: string): Promise<RunResult> {
  const config = resolveBrokerConfig(parseProperties(''), {
    brokerName: 'timer-bench',
    brokerIP1: '127.0.0.1',
    storePathRootDir: dir,
  });
  const opened = await openBrokerContext({
    config,
    clock: systemClock,
    disk: new NodeDisk(),
    log,
    nextOpaque: () => 0,
    topicsChanged: () => undefined,
  });
  const { context } = opened;
  const timer = context.timer!;
  await context.topics.createOrUpdate({ topicName: TOPIC, readQueueNums: QUEUES, writeQueueNums: QUEUES });
  collectGarbage();
  const rssBeforeMiB = rssMiB();

  const base = systemClock.now();
  const lateness = new Float64Array(MESSAGES).fill(Number.NaN);
  let delivered = 0;
  context.store.onDispatch((request) => {
    if (request.topic !== TOPIC || request.uniqKey === undefined) return;
    const i = Number(request.uniqKey.slice(1));
    lateness[i] = request.storeTimestamp - dueOf(base, i);
    delivered++;
  });

  const fillStart = process.hrtime.bigint();
  const inFlight: Promise<unknown>[] = [];
  for (let first = 0; first < MESSAGES; first += BATCH) {
    const puts: PutMessageRequest[] = [];
    for (let i = first; i < Math.min(MESSAGES, first + BATCH); i++) {
      const { put, properties } = putOf(i, dueOf(base, i));
      const routed = await routeSentMessage(context, { put, properties, maxReconsumeTimes: undefined });
      if (!routed.ok) throw new Error(`message ${i} refused: ${routed.remark}`);
      puts.push(routed.put);
    }
    inFlight.push(
      context.store.putMessages(puts).then((results) => {
        const failed = results.find((result) => result.status !== 'PUT_OK');
        if (failed !== undefined) throw new Error(`a put failed: ${failed.status}`);
      }),
    );
    if (inFlight.length > 16) await inFlight.shift();
    const aheadMs = RATE > 0 ? ((first + BATCH) * 1000) / RATE - seconds(fillStart) * 1000 : 0;
    if (aheadMs >= 1) await sleep(systemClock, aheadMs);
  }
  await Promise.all(inFlight);
  await timer.settled();
  const fillSeconds = seconds(fillStart);
  if (systemClock.now() >= base + WINDOW_FROM_MS) {
    console.warn(`filling took ${fmt(fillSeconds, 1)} s, past the first due time: raise WINDOW_FROM_S`);
  }
  const full = timer.status();
  const expected = CONTROL ? 0 : MESSAGES;
  if (full.pendingMessages !== expected) throw new Error(`pending ${full.pendingMessages}, not ${expected}`);
  collectGarbage();
  const rssPendingMiB = rssMiB();
  const heapPendingMiB = process.memoryUsage().heapUsed / MIB;
  const arrayBuffersPendingMiB = process.memoryUsage().arrayBuffers / MIB;
  const rssHighWaterAtFullMiB = highWaterMiB();
  const bucketBytes = CONTROL ? 0 : dirBytes(join(dir, 'timer', 'buckets'));

  if (process.env.MEMORY_DETAIL === '1') {
    const usage = process.memoryUsage();
    console.log(
      `memory with all pending: ${JSON.stringify(usage, (_, v: unknown) => (typeof v === 'number' ? Math.round(v / MIB) : v))} MiB`,
    );
    const status = readFileSync('/proc/self/status', 'utf8');
    console.log(
      status
        .split('\n')
        .filter((line) => /^(Rss|VmRSS|VmHWM)/.test(line))
        .join('; '),
    );
  }
  let rssPeakMiB = rssPendingMiB;
  let deliverStart: bigint | undefined;
  let cpuAtStart: NodeJS.CpuUsage | undefined;
  const loadBefore = loadavg()[0]!;
  while (delivered < MESSAGES && !FILL_ONLY) {
    await sleep(systemClock, 250);
    if (deliverStart === undefined && delivered > 0) {
      deliverStart = process.hrtime.bigint();
      cpuAtStart = process.cpuUsage();
    }
    rssPeakMiB = Math.max(rssPeakMiB, rssMiB());
  }
  const deliverSeconds = deliverStart === undefined ? 0 : seconds(deliverStart);
  const cpu = process.cpuUsage(cpuAtStart);
  const deliverCpuUs = cpuAtStart === undefined ? 0 : (cpu.user + cpu.system) / MESSAGES;
  await opened.close();
  return {
    fillSeconds,
    rssBeforeMiB,
    rssPendingMiB,
    rssPeakMiB,
    rssHighWaterAtFullMiB,
    heapPendingMiB,
    arrayBuffersPendingMiB,
    loadedAtFull: full.loadedMessages,
    bucketBytes,
    latenessMs: lateness,
    deliverSeconds,
    deliverCpuUs,
    worstSeconds: worstSecondsOf(lateness, base),
    loadBefore,
    loadAfter: loadavg()[0]!,
  };
}

function worstSecondsOf(lateness: Float64Array, base: number): string {
  const worst = new Map<number, number>();
  lateness.forEach((late, i) => {
    const second = Math.floor((dueOf(base, i) - base) / 1000);
    worst.set(second, Math.max(worst.get(second) ?? 0, late));
  });
  return [...worst]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([second, late]) => `${second}s:${late}ms`)
    .join(' ');
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main(): Promise<void> {
  console.log(
    `timer bench: ${fmt(MESSAGES)} messages at ${RATE > 0 ? `${fmt(RATE)}/s` : 'full speed'}, due ${WINDOW_FROM_MS / 1000}–${WINDOW_TO_MS / 1000} s ahead, ` +
      `${RUNS} run(s); ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${fmt(totalmem() / 2 ** 30, 1)} GiB, node ${process.version}`,
  );
  const rows: Array<Record<string, number>> = [];
  for (let run = 1; run <= RUNS; run++) {
    const result = await withTempDir('keel-timer-bench-', (dir) => runOnce(dir));
    const sorted = Float64Array.from(result.latenessMs).sort();
    const missing = sorted.filter((value) => Number.isNaN(value)).length;
    if (missing > 0 && !FILL_ONLY) throw new Error(`${missing} messages were never delivered`);
    // Stored at once, without a time: only the RSS figures mean something.
    if (CONTROL || FILL_ONLY) sorted.fill(0);
    const row = {
      fillSeconds: result.fillSeconds,
      fillRate: MESSAGES / result.fillSeconds,
      rssBeforeMiB: result.rssBeforeMiB,
      rssPendingMiB: result.rssPendingMiB,
      rssGrowthMiB: result.rssPendingMiB - result.rssBeforeMiB,
      rssPeakMiB: result.rssPeakMiB,
      rssHighWaterAtFullMiB: result.rssHighWaterAtFullMiB,
      heapPendingMiB: result.heapPendingMiB,
      arrayBuffersPendingMiB: result.arrayBuffersPendingMiB,
      loadedAtFull: result.loadedAtFull,
      bucketMiB: result.bucketBytes / MIB,
      deliverSeconds: result.deliverSeconds,
      deliverCpuUsPerMessage: result.deliverCpuUs,
      loadBefore: result.loadBefore,
      loadAfter: result.loadAfter,
      earlyCount: sorted.filter((value) => value < 0).length,
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
      p999Ms: percentile(sorted, 99.9),
      maxMs: sorted[sorted.length - 1]!,
    };
    rows.push(row);
    console.log(
      `run ${run}: ${JSON.stringify(row, (_, value: unknown) => (typeof value === 'number' ? Math.round(value * 10) / 10 : value))}`,
    );
    console.log(`  latest seconds of the window: ${result.worstSeconds}`);
  }
  const keys = Object.keys(rows[0]!);
  console.log('\nmedians:');
  for (const key of keys) console.log(`  ${key.padEnd(16)} ${fmt(median(rows.map((row) => row[key]!)), 1)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
