// `npm run bench:tx`: what @keel/tx costs an application, against PostgreSQL (DATABASE_URL, default
// postgres://postgres@127.0.0.1:5432/test; a schema of its own, dropped at the end).
//
// Throughput, 32 transactions in flight, several rounds alternating which phase goes first:
//   plain  a TypeORM transaction inserting one row (no messaging)
//   keel   a @Transactional() method inserting the same row and publishing one message (barrier
//          row, sent with BEGIN once the method has published; half message before COMMIT,
//          END_TRANSACTION after it)
//   nopublish  runInTransaction inserting the row without publishing (Keel's transaction wrapper
//          alone: no barrier row, which only publishing transactions claim)
// Medians, and the keel/plain ratio per round (target ≥ 60%).
//
// Latency: commit → handler start, p50/p99 (targets ≤ 5 ms / ≤ 20 ms), measured with an @OnMessage
// handler running, for each of LATENCY_IN_FLIGHT (1,4) transactions in flight: the time from the
// COMMIT of the publishing transaction (its first afterCommit hook) to the handler's first line.
//
// The broker (the test kit's, ASYNC_FLUSH) runs in a child process. Options: TX_ROUNDS (5),
// TX_DURATION_MS (3000 per phase, after TX_WARM_UP_MS 1000), LATENCY_MS (5000), LATENCY_IN_FLIGHT (1,4),
// TX_PHASES.

import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { silentLogger } from '@keel/broker';
import {
  currentManager,
  currentTransaction,
  ensureKeelTables,
  KeelRuntime,
  OnMessage,
  publish,
  runInTransaction,
  Transactional,
  type Delivered,
} from '@keel/tx';
import { Column, DataSource, Entity, PrimaryColumn } from 'typeorm';

const ROUNDS = Number(process.env['TX_ROUNDS'] ?? 5);
const DURATION_MS = Number(process.env['TX_DURATION_MS'] ?? 3000);
const WARM_UP_MS = Number(process.env['TX_WARM_UP_MS'] ?? 1000);
const LATENCY_MS = Number(process.env['LATENCY_MS'] ?? 5000);
/** Latency is measured once per entry: alone (1) and with a few transactions overlapping. */
const LATENCY_IN_FLIGHT = (process.env['LATENCY_IN_FLIGHT'] ?? '1,4').split(',').map(Number);
/** Phases to run (comma-separated), e.g. TX_PHASES=keel under --cpu-prof. Default all three. */
const PHASES = (process.env['TX_PHASES'] ?? 'plain,keel,nopublish').split(',');
const IN_FLIGHT = 32;
const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const THROUGHPUT_TOPIC = 'bench-orders';
const LATENCY_TOPIC = 'bench-latency';

@Entity('bench_row')
class BenchRow {
  @PrimaryColumn('text')
  id!: string;

  @Column('text')
  payload!: string;
}

const PAYLOAD = 'x'.repeat(200);

class OrderService {
  /** Commit times by row id, for the latency phase. */
  readonly committedAt = new Map<string, number>();

  @Transactional()
  async place(id: string, topic: string): Promise<void> {
    if (topic === LATENCY_TOPIC) {
      // Registered before publish(), so it runs first after COMMIT: the commit's own time.
      currentTransaction().afterCommit(() => {
        this.committedAt.set(id, performance.now());
      });
    }
    await currentManager().insert(BenchRow, { id, payload: PAYLOAD });
    publish(topic, { id }, { key: id });
  }
}

class LatencyHandler {
  readonly startedAt = new Map<string, number>();

  @OnMessage({ topic: LATENCY_TOPIC, group: 'bench-latency-handler' })
  async handle(message: Delivered<{ id: string }>): Promise<void> {
    this.startedAt.set(message.body.id, performance.now());
  }
}

/** Runs `work` with `inFlight` callers for `durationMs`; returns completed calls per second. */
async function window(inFlight: number, durationMs: number, work: () => Promise<void>): Promise<number> {
  const end = performance.now() + durationMs;
  let done = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < end) {
        await work();
        done += 1;
      }
    }),
  );
  return done / ((performance.now() - started) / 1000);
}

async function phase(work: () => Promise<void>): Promise<number> {
  await window(IN_FLIGHT, WARM_UP_MS, work);
  return window(IN_FLIGHT, DURATION_MS, work);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const fmt = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** Commit → handler start of every transaction of a window, once the handler has caught up with a warm-up. */
async function measureLatency(
  orders: OrderService,
  latency: LatencyHandler,
  inFlight: number,
): Promise<{ readonly sent: number; readonly latencies: number[] }> {
  const caughtUp = async () => {
    const deadline = performance.now() + 30_000;
    while (latency.startedAt.size < orders.committedAt.size && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  orders.committedAt.clear();
  latency.startedAt.clear();
  await window(inFlight, WARM_UP_MS, () => orders.place(randomUUID(), LATENCY_TOPIC));
  await caughtUp();
  orders.committedAt.clear();
  latency.startedAt.clear();
  await window(inFlight, LATENCY_MS, () => orders.place(randomUUID(), LATENCY_TOPIC));
  await caughtUp();
  const latencies = [...orders.committedAt].flatMap(([id, committed]) => {
    const started = latency.startedAt.get(id);
    return started === undefined ? [] : [started - committed];
  });
  return { sent: orders.committedAt.size, latencies };
}

async function startBroker(): Promise<{ nameServer: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [join(__dirname, 'bench-broker-process.js')], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const nameServer = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((candidate) => candidate.startsWith('{'));
      if (line !== undefined) resolve((JSON.parse(line) as { nameServer: string }).nameServer);
    });
    child.on('exit', (code) =>
      reject(new Error(`the bench broker exited (${String(code)}) before it was ready`)),
    );
  });
  return { nameServer, child };
}

async function main(): Promise<void> {
  const schema = `keel_bench_${process.pid}`;
  const admin = await new DataSource({ type: 'postgres', url: DATABASE_URL }).initialize();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const { nameServer, child } = await startBroker();
  const dataSource = await new DataSource({
    type: 'postgres',
    url: DATABASE_URL,
    schema,
    entities: [BenchRow],
    synchronize: true,
    extra: { max: IN_FLIGHT + 8, options: `-c search_path=${schema}` },
  }).initialize();
  try {
    await ensureKeelTables(dataSource);
    const orders = new OrderService();
    const latency = new LatencyHandler();
    const runtime = await KeelRuntime.start({
      dataSource,
      nameServer,
      producerGroup: 'bench-orders',
      services: [orders],
      handlers: [latency],
      logger: silentLogger,
      // The latency topic is created by the first publish, after the consumer subscribed: find its
      // route within a second rather than RocketMQ's default 30 s.
      consumer: { pollNameServerIntervalMs: 1000, rebalanceIntervalMs: 1000 },
    });
    const newId = () => randomUUID();
    const plain = () =>
      dataSource.transaction(async (manager) => {
        await manager.insert(BenchRow, { id: newId(), payload: PAYLOAD });
      });
    const keel = () => orders.place(newId(), THROUGHPUT_TOPIC);
    const noPublish = () =>
      runInTransaction(dataSource, async () => {
        await currentManager().insert(BenchRow, { id: newId(), payload: PAYLOAD });
      });

    // Once before the rounds: the topic is created on the first send, and the first round would
    // otherwise pay for it (and for the JIT warming the publishing path).
    if (PHASES.includes('keel')) await window(IN_FLIGHT, 2 * WARM_UP_MS, keel);
    const rounds: { plain: number; keel: number; nopublish: number }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const order =
        round % 2 === 0
          ? (['plain', 'keel', 'nopublish'] as const)
          : (['keel', 'nopublish', 'plain'] as const);
      const result = { plain: 0, keel: 0, nopublish: 0 };
      for (const name of order.filter((candidate) => PHASES.includes(candidate))) {
        result[name] = await phase(name === 'plain' ? plain : name === 'keel' ? keel : noPublish);
      }
      rounds.push(result);
      process.stdout.write(
        `round ${round + 1}: plain ${fmt(result.plain)}/s, keel ${fmt(result.keel)}/s, ` +
          `no publish ${fmt(result.nopublish)}/s, keel/plain ${fmt((100 * result.keel) / result.plain)}%\n`,
      );
    }

    const latencyLines: string[] = [];
    let undelivered = 0;
    for (const inFlight of LATENCY_IN_FLIGHT) {
      const measured = await measureLatency(orders, latency, inFlight);
      undelivered += measured.sent - measured.latencies.length;
      const l = measured.latencies;
      latencyLines.push(
        `commit → handler start, ${inFlight} in flight, ${l.length} of ${measured.sent} delivered: ` +
          `p10 ${fmt(percentile(l, 10), 2)} ms, p50 ${fmt(percentile(l, 50), 2)} ms, ` +
          `p90 ${fmt(percentile(l, 90), 2)} ms, p99 ${fmt(percentile(l, 99), 2)} ms, max ${fmt(Math.max(...l), 2)} ms`,
      );
    }
    await runtime.shutdown();

    const ratios = rounds.map((r) => (100 * r.keel) / r.plain);
    const lines = [
      '',
      `| measure (${IN_FLIGHT} in flight)            | median | rounds |`,
      '| ------------------------------------- | -----: | ------ |',
      `| plain TypeORM transaction (insert)/s  | ${fmt(median(rounds.map((r) => r.plain)))} | ${rounds.map((r) => fmt(r.plain)).join(', ')} |`,
      `| @Transactional insert + publish/s     | ${fmt(median(rounds.map((r) => r.keel)))} | ${rounds.map((r) => fmt(r.keel)).join(', ')} |`,
      `| runInTransaction insert, no publish/s | ${fmt(median(rounds.map((r) => r.nopublish)))} | ${rounds.map((r) => fmt(r.nopublish)).join(', ')} |`,
      `| keel / plain (per round)              | ${fmt(median(ratios))}% | ${ratios.map((r) => `${fmt(r)}%`).join(', ')} |`,
      '',
      ...latencyLines,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    if (undelivered > 0) {
      process.exitCode = 1;
      process.stderr.write('not every committed message reached the handler within 30 s\n');
    }
  } finally {
    await dataSource.destroy();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.destroy();
    child.kill('SIGTERM');
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench:tx failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
