// `npm run bench:broker`: the broker's CPU cost per send and per pull request.
//  1. Micro-costs, in this process, no sockets: frame decode, header decode, store append and read,
//     response encode (micro-costs.ts).
//  2. End to end over loopback: a name server and a broker in child processes running `keel`,
//     driven from this process with RemotingClient; the broker's CPU per request is read inside
//     the broker process (bench-cluster.ts), so the load generator's CPU is not counted.
// Figures are medians of RUNS runs; a table, then one JSON line.
// Options: RUNS (default 5); SENDS (default 50000, requests per send phase at C=64 and C=512; C=1
// sends a fifth); PULLS (default 10000 at C=16; C=1 a fourth); PROFILE_DIR (write a CPU profile of
// the broker process of run 1 there, for profile-top.js).
//  3. The client benchmark (client-bench.ts): Keel's Producer against NATS JetStream and RabbitMQ.
// BENCH selects the parts: `broker`, `client`, or `all` (default); `tx` runs only the
// transactional-send benchmark (tx-bench.ts), `ha` only the replication benchmark (ha-bench.ts):
// `all` leaves both out.
import { loadavg } from 'node:os';
import { ResponseCode } from '@keel/broker/internal';
import type { RemotingCommand } from '@keel/broker/internal';
import { fmt, median, withTempDir } from './bench-util';
import { BENCH_TOPIC_QUEUES, pullRequest, sendRequest } from './bench-requests';
import { startBenchCluster } from './bench-cluster';
import { BenchClient } from './bench-client';
import type { OpCost } from './cost-timer';
import { codecCosts, PULL_BATCH, storeCosts } from './micro-costs';
import { runLoad, type LoadResult } from './request-load';
import { runClientBench } from './client-bench';
import { runTxBench } from './tx-bench';
import { runHaBench } from './ha-bench';

const RUNS = Number(process.env.RUNS ?? 5);
const SENDS = Number(process.env.SENDS ?? 50_000);
const PULLS = Number(process.env.PULLS ?? 10_000);
const PROFILE_DIR = process.env.PROFILE_DIR;
const BENCH = process.env.BENCH ?? 'all';
const STORE_PUTS = 100_000;
const STORE_GETS = 3_000;
const WARM_UP_SENDS = 5_000;
/** Messages in the pulled queue: 500 distinct pulls of 32 (16,000 records, about 19 MB). */
const PULL_QUEUE_MESSAGES = 500 * PULL_BATCH;
const SEND_TOPIC = 'BenchTopic';
const PULL_TOPIC = 'BenchPull';

interface Phase {
  readonly name: string;
  readonly kind: 'send' | 'pull';
  readonly concurrency: number;
  readonly requests: number;
}

const PHASES: readonly Phase[] = [
  { name: 'send 1 KiB, 1 in flight', kind: 'send', concurrency: 1, requests: Math.ceil(SENDS / 5) },
  { name: 'send 1 KiB, 64 in flight', kind: 'send', concurrency: 64, requests: SENDS },
  { name: 'send 1 KiB, 512 in flight', kind: 'send', concurrency: 512, requests: SENDS },
  { name: 'pull 32 × 1 KiB, 1 in flight', kind: 'pull', concurrency: 1, requests: Math.ceil(PULLS / 4) },
  { name: 'pull 32 × 1 KiB, 16 in flight', kind: 'pull', concurrency: 16, requests: PULLS },
];

function expectCode(expected: number, what: string) {
  return (response: RemotingCommand, i: number): void => {
    if (response.code !== expected) {
      throw new Error(`${what} ${i}: response code ${response.code} (${response.remark ?? 'no remark'})`);
    }
  };
}

const sendTo =
  (topic: string, queues: number, sequenceBase: number) =>
  (i: number): RemotingCommand =>
    sendRequest({ topic, queueId: i % queues, sequence: sequenceBase + i });

function pullAt(i: number): RemotingCommand {
  const offset = (i % (PULL_QUEUE_MESSAGES / PULL_BATCH)) * PULL_BATCH;
  return pullRequest({ topic: PULL_TOPIC, queueId: 0, offset, maxMessages: PULL_BATCH });
}

function checkFullPull(response: RemotingCommand, i: number): void {
  expectCode(ResponseCode.SUCCESS, 'pull')(response, i);
  if (response.body.length < PULL_BATCH * 1024)
    throw new Error(`pull ${i} returned ${response.body.length} bytes`);
}

/** One run of every phase against a fresh name server, broker and store. */
async function endToEndRun(run: number): Promise<Map<string, LoadResult>> {
  return withTempDir('keel-broker-bench-', async (dir) => {
    const profileArgs =
      run === 1 && PROFILE_DIR !== undefined ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
    const cluster = await startBenchCluster({ dir, brokerNodeArgs: profileArgs });
    const results = new Map<string, LoadResult>();
    let client: BenchClient | undefined;
    try {
      client = await BenchClient.connect(cluster.brokerAddress);
      const load = {
        client,
        brokerCpu: () => cluster.brokerCpu(),
      };
      const sendOk = expectCode(ResponseCode.SUCCESS, 'send');
      // Creates both topics, fills the pulled queue and lets the broker's JIT compile the hot paths.
      await runLoad({
        ...load,
        requests: WARM_UP_SENDS,
        concurrency: 64,
        request: sendTo(SEND_TOPIC, BENCH_TOPIC_QUEUES, 0),
        check: sendOk,
      });
      await runLoad({
        ...load,
        requests: PULL_QUEUE_MESSAGES,
        concurrency: 256,
        request: sendTo(PULL_TOPIC, 1, 1 << 30),
        check: sendOk,
      });
      let sequence = WARM_UP_SENDS;
      for (const phase of PHASES) {
        const request = phase.kind === 'send' ? sendTo(SEND_TOPIC, BENCH_TOPIC_QUEUES, sequence) : pullAt;
        const check = phase.kind === 'send' ? sendOk : checkFullPull;
        results.set(
          phase.name,
          await runLoad({
            ...load,
            requests: phase.requests,
            concurrency: phase.concurrency,
            request,
            check,
          }),
        );
        sequence += phase.requests;
      }
    } finally {
      await client?.close();
      await cluster.stop();
    }
    return results;
  });
}

async function microRun(): Promise<Map<string, OpCost>> {
  const store = await withTempDir('keel-broker-micro-', (dir) => storeCosts(dir, STORE_PUTS, STORE_GETS));
  return new Map(Object.entries({ ...codecCosts(store.pulledRecords), ...store.costs }));
}

function collect<T>(runs: ReadonlyArray<Map<string, T>>, name: string, pick: (value: T) => number): number[] {
  return runs.map((run) => {
    const value = run.get(name);
    if (value === undefined) throw new Error(`run without a figure for ${name}`);
    return pick(value);
  });
}

async function brokerBench(): Promise<void> {
  const loadBefore = loadavg();
  const microRuns: Array<Map<string, OpCost>> = [];
  const endToEndRuns: Array<Map<string, LoadResult>> = [];
  for (let run = 1; run <= RUNS; run++) {
    microRuns.push(await microRun());
    endToEndRuns.push(await endToEndRun(run));
    process.stderr.write(`run ${run}/${RUNS} done\n`);
  }

  const json: Record<string, unknown> = {
    bench: 'broker',
    runs: RUNS,
    loadavgBefore: loadBefore,
    loadavgAfter: loadavg(),
  };
  console.log(`| step (micro, one process) | wall ns/op | CPU ns/op | wall ns/op, runs |`);
  console.log('|---|---:|---:|---|');
  const micro: Record<string, OpCost> = {};
  for (const name of microRuns[0]?.keys() ?? []) {
    const walls = collect(microRuns, name, (c) => c.wallNsPerOp);
    const cost = {
      wallNsPerOp: median(walls),
      cpuNsPerOp: median(collect(microRuns, name, (c) => c.cpuNsPerOp)),
    };
    micro[name] = cost;
    console.log(
      `| ${name} | ${fmt(cost.wallNsPerOp)} | ${fmt(cost.cpuNsPerOp)} | ${walls.map((w) => fmt(w)).join(', ')} |`,
    );
  }
  console.log('');
  console.log(
    '| end to end, loopback | requests/s | broker CPU µs/request | of which kernel | requests per broker CPU-second | client CPU µs/request | broker µs, runs |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---|');
  const endToEnd: Record<string, LoadResult> = {};
  for (const phase of PHASES) {
    const brokerCpu = collect(endToEndRuns, phase.name, (r) => r.brokerCpuMicrosPerRequest);
    const result: LoadResult = {
      requestsPerSecond: median(collect(endToEndRuns, phase.name, (r) => r.requestsPerSecond)),
      brokerCpuMicrosPerRequest: median(brokerCpu),
      brokerSystemMicrosPerRequest: median(
        collect(endToEndRuns, phase.name, (r) => r.brokerSystemMicrosPerRequest),
      ),
      clientCpuMicrosPerRequest: median(
        collect(endToEndRuns, phase.name, (r) => r.clientCpuMicrosPerRequest),
      ),
    };
    endToEnd[phase.name] = result;
    console.log(
      `| ${phase.name} | ${fmt(result.requestsPerSecond)} | ${fmt(result.brokerCpuMicrosPerRequest, 1)} | ` +
        `${fmt(result.brokerSystemMicrosPerRequest, 1)} | ` +
        `${fmt(1e6 / result.brokerCpuMicrosPerRequest)} | ${fmt(result.clientCpuMicrosPerRequest, 1)} | ` +
        `${brokerCpu.map((c) => fmt(c, 1)).join(', ')} |`,
    );
  }
  json.micro = micro;
  json.endToEnd = endToEnd;
  console.log('');
  console.log(JSON.stringify(json));
}

async function main(): Promise<void> {
  if (!['all', 'broker', 'client', 'tx', 'ha'].includes(BENCH))
    throw new Error(`BENCH=${BENCH}: use all, broker, client, tx or ha`);
  if (BENCH === 'tx') {
    await runTxBench();
    return;
  }
  if (BENCH === 'ha') {
    await runHaBench();
    return;
  }
  if (BENCH !== 'client') await brokerBench();
  if (BENCH !== 'broker') await runClientBench();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
