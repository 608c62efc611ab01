// The client benchmark (issue 5), part of `npm run bench:broker` (BENCH=client runs only this):
// Keel's Producer against a `keel broker` + `keel namesrv`, and the same workloads against NATS
// JetStream and RabbitMQ when they listen on localhost. Broker, producer and consumer are separate
// processes: the producer and consumer are client-bench-worker.js children, results come over IPC.
//
// Per run: the disk's fdatasync rate; Keel ASYNC_FLUSH (512 in flight, sendBatch, latency at 5,000
// msgs/s), Keel SYNC_FLUSH (512 in flight, 1 in flight); NATS (512 sliding and windowed, latency);
// RabbitMQ (512 confirms outstanding, latency). Then medians, per-run ratios and the targets.
// Options: CLIENT_RUNS (default RUNS, else 3); CLIENT_DURATION_MS (3000, each throughput phase,
// after CLIENT_WARM_UP_MS = 1000 of the same load); LATENCY_MS (10000) at LATENCY_RATE (5000)
// after 1 s of warm-up; NATS_SERVERS (127.0.0.1:4222); RABBITMQ_URL (amqp://guest:guest@127.0.0.1:5672);
// CLIENT_PROFILE_DIR (a --cpu-prof of the Keel ASYNC_FLUSH 512-in-flight producer of run 1).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { withTempDir } from './bench-util';
import { startBenchCluster } from './bench-cluster';
import { BenchError, BenchErrorCode } from './bench-errors';
import { cpuFigure, Figure, latencyFigure, renderClientReport, type LatencySystem } from './client-report';
import { fdatasyncRate } from './fdatasync-rate';
import type { KeelTarget, NatsTarget, PeerTarget, RabbitMqTarget } from './peers/peer-target';
import { dropNatsStream, prepareNatsStream } from './peers/nats-peer';
import { dropRabbitQueue, prepareRabbitQueue } from './peers/rabbitmq-peer';
import { isListening } from './peers/reachability';
import { WorkerProcess } from './worker-process';
import type { ProducerJob, ProducerMode, ProducerResult } from './worker-protocol';

const RUNS = Number(process.env.CLIENT_RUNS ?? process.env.RUNS ?? 3);
const DURATION_MS = Number(process.env.CLIENT_DURATION_MS ?? 3000);
const WARM_UP_MS = Number(process.env.CLIENT_WARM_UP_MS ?? 1000);
const LATENCY_MS = Number(process.env.LATENCY_MS ?? 10_000);
const LATENCY_RATE = Number(process.env.LATENCY_RATE ?? 5000);
const NATS_SERVERS = process.env.NATS_SERVERS ?? '127.0.0.1:4222';
const RABBITMQ_URL = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const PROFILE_DIR = process.env.CLIENT_PROFILE_DIR;
const WINDOW = 512;
const BATCH_SIZE = 32;
/** 16 batches of 32: the same 512 messages in flight as the single-send phase. */
const BATCHES_IN_FLIGHT = 16;
/** How long a latency consumer may trail the producer's last send before it must report. */
const CONSUMER_GRACE_MS = 5000;

type Figures = Map<string, number>;

function producerJob(target: PeerTarget, mode: ProducerMode, window = WINDOW): ProducerJob {
  return {
    role: 'producer',
    target,
    mode,
    window,
    batchSize: BATCH_SIZE,
    rate: LATENCY_RATE,
    warmUpMs: WARM_UP_MS,
    durationMs: mode === 'paced' ? LATENCY_MS : DURATION_MS,
  };
}

async function measureProducer(job: ProducerJob, nodeArgs: readonly string[] = []): Promise<ProducerResult> {
  const worker = new WorkerProcess(job, nodeArgs);
  try {
    await worker.ready();
    worker.go();
    const result = await worker.result();
    if (result.role !== 'producer')
      throw new BenchError(BenchErrorCode.WORKER_FAILED, 'expected a producer result');
    return result;
  } catch (error) {
    worker.kill();
    throw error;
  }
}

async function throughputPhase(
  figures: Figures,
  name: string,
  job: ProducerJob,
  nodeArgs?: readonly string[],
) {
  const result = await measureProducer(job, nodeArgs);
  figures.set(name, result.messagesPerSecond);
  figures.set(cpuFigure(name), result.cpuMicrosPerMessage);
  process.stderr.write(`  ${name}: ${Math.round(result.messagesPerSecond)}\n`);
}

/** Send → listener latency at LATENCY_RATE: producer and consumer each in a child process. */
async function latencyPhase(figures: Figures, system: LatencySystem, target: PeerTarget): Promise<void> {
  const expected = Math.round((LATENCY_RATE * LATENCY_MS) / 1000);
  const producer = new WorkerProcess(producerJob(target, 'paced'));
  let consumer: WorkerProcess | undefined;
  try {
    await producer.ready();
    consumer = new WorkerProcess({ role: 'consumer', target, expected });
    await consumer.ready();
    producer.go();
    const sent = await producer.result();
    const late = setTimeout(() => consumer?.finish(), CONSUMER_GRACE_MS);
    const received = await consumer.result().finally(() => clearTimeout(late));
    if (sent.role !== 'producer' || received.role !== 'consumer')
      throw new BenchError(BenchErrorCode.WORKER_FAILED, 'latency workers answered out of role');
    const { latency } = received;
    figures.set(latencyFigure(system, 'p50'), latency.p50Ms);
    figures.set(latencyFigure(system, 'p99'), latency.p99Ms);
    figures.set(latencyFigure(system, 'p999'), latency.p999Ms);
    figures.set(`${system} latency: max ms`, latency.maxMs);
    figures.set(`${system} latency: messages not received`, expected - latency.count);
    figures.set(`${system} latency: producer's worst lag behind schedule, ms`, sent.maxLagMs);
    process.stderr.write(
      `  ${system} latency p50/p99/p999 ms: ${latency.p50Ms.toFixed(2)}/${latency.p99Ms.toFixed(2)}/${latency.p999Ms.toFixed(2)}\n`,
    );
  } catch (error) {
    producer.kill();
    consumer?.kill();
    throw error;
  }
}

async function keelPhases(figures: Figures, dir: string, run: number): Promise<void> {
  const asyncDir = join(dir, 'keel-async');
  mkdirSync(asyncDir);
  const asyncCluster = await startBenchCluster({ dir: asyncDir, flushDiskType: 'ASYNC_FLUSH' });
  try {
    const keel = (topic: string): KeelTarget => ({
      system: 'keel',
      nameServer: asyncCluster.nameServerAddress,
      topic,
    });
    const profileArgs =
      run === 1 && PROFILE_DIR !== undefined ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
    await throughputPhase(
      figures,
      Figure.keelAsync512,
      producerJob(keel('ClientBench512'), 'window'),
      profileArgs,
    );
    await throughputPhase(
      figures,
      Figure.keelBatch,
      producerJob(keel('ClientBenchBatch'), 'batch-api', BATCHES_IN_FLIGHT),
    );
    await latencyPhase(figures, 'Keel', keel('ClientBenchLatency'));
  } finally {
    await asyncCluster.stop();
  }
  const syncDir = join(dir, 'keel-sync');
  mkdirSync(syncDir);
  const syncCluster = await startBenchCluster({ dir: syncDir, flushDiskType: 'SYNC_FLUSH' });
  try {
    const keel = (topic: string): KeelTarget => ({
      system: 'keel',
      nameServer: syncCluster.nameServerAddress,
      topic,
    });
    await throughputPhase(figures, Figure.keelSync512, producerJob(keel('ClientBenchSync512'), 'window'));
    await throughputPhase(figures, Figure.keelSyncOne, producerJob(keel('ClientBenchSyncOne'), 'window', 1));
  } finally {
    await syncCluster.stop();
  }
}

/** Runs `use` against a fresh stream or queue, dropped afterwards. */
async function onFresh<T extends NatsTarget | RabbitMqTarget>(
  target: T,
  use: () => Promise<void>,
): Promise<void> {
  if (target.system === 'nats') await prepareNatsStream(target);
  else await prepareRabbitQueue(target);
  try {
    await use();
  } finally {
    if (target.system === 'nats') await dropNatsStream(target);
    else await dropRabbitQueue(target);
  }
}

async function natsPhases(figures: Figures): Promise<void> {
  const target: NatsTarget = {
    system: 'nats',
    servers: NATS_SERVERS,
    stream: 'KEEL_CLIENT_BENCH',
    subject: 'keel.client.bench',
  };
  await onFresh(target, () => throughputPhase(figures, Figure.natsWindow512, producerJob(target, 'window')));
  await onFresh(target, () =>
    throughputPhase(figures, Figure.natsBatches512, producerJob(target, 'window-batches')),
  );
  figures.set(
    Figure.natsFastest,
    Math.max(figures.get(Figure.natsWindow512) ?? 0, figures.get(Figure.natsBatches512) ?? 0),
  );
  await onFresh(target, () => latencyPhase(figures, 'NATS', target));
}

async function rabbitPhases(figures: Figures): Promise<void> {
  const target: RabbitMqTarget = { system: 'rabbitmq', url: RABBITMQ_URL, queue: 'keel-client-bench' };
  await onFresh(target, () => throughputPhase(figures, Figure.rabbit512, producerJob(target, 'window')));
  await onFresh(target, () => latencyPhase(figures, 'RabbitMQ', target));
}

function hostAndPort(address: string, defaultPort: number): [string, number] {
  const url = new URL(address.includes('://') ? address : `tcp://${address}`);
  return [url.hostname, url.port === '' ? defaultPort : Number(url.port)];
}

async function clientRun(run: number): Promise<Figures> {
  return withTempDir('keel-client-bench-', async (dir) => {
    const figures: Figures = new Map();
    figures.set(Figure.fdatasyncRate, await fdatasyncRate(dir));
    await keelPhases(figures, dir, run);
    if (await isListening(...hostAndPort(NATS_SERVERS, 4222))) await natsPhases(figures);
    else process.stderr.write(`  NATS skipped: nothing listens on ${NATS_SERVERS}\n`);
    if (await isListening(...hostAndPort(RABBITMQ_URL, 5672))) await rabbitPhases(figures);
    else process.stderr.write(`  RabbitMQ skipped: nothing listens on ${RABBITMQ_URL}\n`);
    return figures;
  });
}

export async function runClientBench(): Promise<void> {
  const runs: Figures[] = [];
  for (let run = 1; run <= RUNS; run++) {
    process.stderr.write(`client bench run ${run}/${RUNS}\n`);
    runs.push(await clientRun(run));
  }
  console.log(`\n## Client benchmark: ${RUNS} runs, 1 KiB bodies\n`);
  console.log(renderClientReport(runs));
  console.log('');
  console.log(JSON.stringify({ bench: 'client', runs: runs.map((run) => Object.fromEntries(run)) }));
}

if (require.main === module) {
  runClientBench().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
