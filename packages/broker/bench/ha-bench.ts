// `BENCH=ha npm run bench:broker`: what replication costs a producer. The same sends (1 KiB,
// SEND_MESSAGE_V2 as a Java producer sends them) against three groups started in the same run,
// each as real `keel` processes (name server, master, slave) on loopback:
//
//   single        one ASYNC_MASTER, no slave
//   async         ASYNC_MASTER + SLAVE   (acknowledged at once; the slave copies behind)
//   sync          SYNC_MASTER + SLAVE    (acknowledged once the slave has the message)
//
// Per group, closed-loop phases at 1 and 64 sends in flight on one connection: sends per second
// and the acknowledgement latency (p50, p99) of every send. All flush ASYNC_FLUSH (the default):
// the figures compare replication, not disks. Medians of RUNS runs (default 3); HA_SENDS sends at 64
// in flight (default 20000), a fifth of that at 1.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createRequest,
  decodeKVTable,
  RequestCode,
  ResponseCode,
  type RemotingCommand,
} from '@keel/broker/internal';
import { findFreeBrokerPort } from '@keel/broker/testing';
import { BenchClient } from './bench-client';
import { startServer, stopServer, type ServerProcess } from './bench-cluster';
import { BENCH_TOPIC_QUEUES, sendRequest } from './bench-requests';
import { fmt, median, withTempDir } from './bench-util';
import { LatencyRecorder, type LatencySummary } from './latency-recorder';

const RUNS = Number(process.env.RUNS ?? 3);
const HA_SENDS = Number(process.env.HA_SENDS ?? 20_000);
const WARM_UP_SENDS = 3000;
const TOPIC = 'BenchHa';
const SLAVE_CONNECT_TIMEOUT_MS = 15_000;

type Mode = 'single' | 'async' | 'sync';
const MODES: readonly Mode[] = ['single', 'async', 'sync'];
const PHASES = [
  { name: '1 in flight', concurrency: 1, requests: Math.ceil(HA_SENDS / 5) },
  { name: '64 in flight', concurrency: 64, requests: HA_SENDS },
] as const;

interface PhaseResult {
  readonly sendsPerSecond: number;
  readonly latency: LatencySummary;
}

interface Group {
  readonly masterAddress: string;
  stop(): Promise<void>;
}

async function startGroup(dir: string, mode: Mode): Promise<Group> {
  const namesrvPort = await findFreeBrokerPort();
  const namesrvConfig = join(dir, 'namesrv.properties');
  writeFileSync(namesrvConfig, `listenPort=${namesrvPort}\nnamesrvRootDir=${join(dir, 'namesrv')}\n`);
  const servers: ServerProcess[] = [await startServer([], ['namesrv', '-c', namesrvConfig])];
  const broker = async (name: string, lines: readonly string[]): Promise<string> => {
    const port = await findFreeBrokerPort();
    const config = join(dir, `${name}.properties`);
    writeFileSync(
      config,
      [
        'brokerName=bench-ha',
        'brokerIP1=127.0.0.1',
        `listenPort=${port}`,
        `namesrvAddr=127.0.0.1:${namesrvPort}`,
        `storePathRootDir=${join(dir, name)}`,
        ...lines,
        '',
      ].join('\n'),
    );
    servers.push(await startServer([], ['broker', '-c', config]));
    return `127.0.0.1:${port}`;
  };
  const stop = async () => {
    for (const server of servers.reverse()) await stopServer(server);
  };
  try {
    const role = mode === 'sync' ? 'SYNC_MASTER' : 'ASYNC_MASTER';
    const masterAddress = await broker('master', ['brokerId=0', `brokerRole=${role}`]);
    if (mode !== 'single') {
      await broker('slave', ['brokerId=1', 'brokerRole=SLAVE']);
      await waitForSlave(masterAddress);
    }
    return { masterAddress, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function waitForSlave(masterAddress: string): Promise<void> {
  const client = await BenchClient.connect(masterAddress);
  try {
    const deadline = process.hrtime.bigint() + BigInt(SLAVE_CONNECT_TIMEOUT_MS) * 1_000_000n;
    while (process.hrtime.bigint() < deadline) {
      const response = await client.invoke(
        createRequest({ code: RequestCode.GET_BROKER_RUNTIME_INFO, opaque: 0 }),
      );
      if (decodeKVTable(response.body).table.get('keelHaSlaveCount') === '1') return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`no slave connected to ${masterAddress} within ${SLAVE_CONNECT_TIMEOUT_MS} ms`);
  } finally {
    await client.close();
  }
}

/** Closed loop: `concurrency` sends in flight, each timed from request to answer. */
async function sendPhase(
  client: BenchClient,
  requests: number,
  concurrency: number,
  sequenceBase: number,
): Promise<PhaseResult> {
  const latencies = new LatencyRecorder(requests);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < requests) {
      const i = next++;
      const started = process.hrtime.bigint();
      const response = await client.invoke(
        sendRequest({ topic: TOPIC, queueId: i % BENCH_TOPIC_QUEUES, sequence: sequenceBase + i }),
      );
      latencies.record(Number(process.hrtime.bigint() - started) / 1e6);
      expectSuccess(response, i);
    }
  };
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: Math.min(concurrency, requests) }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { sendsPerSecond: requests / seconds, latency: latencies.summary() };
}

function expectSuccess(response: RemotingCommand, i: number): void {
  // A SYNC_MASTER answering FLUSH_SLAVE_TIMEOUT or SLAVE_NOT_AVAILABLE would not be measuring replication.
  if (response.code !== ResponseCode.SUCCESS) {
    throw new Error(`send ${i}: response code ${response.code} (${response.remark ?? 'no remark'})`);
  }
}

async function runMode(mode: Mode): Promise<Map<string, PhaseResult>> {
  return withTempDir(`keel-ha-bench-${mode}-`, async (dir) => {
    const group = await startGroup(dir, mode);
    const client = await BenchClient.connect(group.masterAddress);
    const results = new Map<string, PhaseResult>();
    try {
      await sendPhase(client, WARM_UP_SENDS, 64, 0);
      let sequence = WARM_UP_SENDS;
      for (const phase of PHASES) {
        results.set(phase.name, await sendPhase(client, phase.requests, phase.concurrency, sequence));
        sequence += phase.requests;
      }
    } finally {
      await client.close();
      await group.stop();
    }
    return results;
  });
}

export async function runHaBench(): Promise<void> {
  const runs = new Map<Mode, Array<Map<string, PhaseResult>>>(MODES.map((mode) => [mode, []]));
  for (let run = 1; run <= RUNS; run++) {
    // Modes interleaved within each run, so a slow patch of the machine hits all three alike.
    for (const mode of MODES) runs.get(mode)!.push(await runMode(mode));
    process.stderr.write(`run ${run}/${RUNS} done\n`);
  }
  console.log('| group | in flight | sends/s | ack p50 ms | ack p99 ms | sends/s, runs |');
  console.log('|---|---:|---:|---:|---:|---|');
  const json: Record<string, Record<string, unknown>> = {};
  for (const mode of MODES) {
    json[mode] = {};
    for (const phase of PHASES) {
      const all = runs.get(mode)!.map((run) => run.get(phase.name)!);
      const rates = all.map((r) => r.sendsPerSecond);
      const figure = {
        sendsPerSecond: median(rates),
        p50Ms: median(all.map((r) => r.latency.p50Ms)),
        p99Ms: median(all.map((r) => r.latency.p99Ms)),
      };
      json[mode][phase.name] = figure;
      console.log(
        `| ${mode} | ${phase.concurrency} | ${fmt(figure.sendsPerSecond)} | ${fmt(figure.p50Ms, 2)} | ` +
          `${fmt(figure.p99Ms, 2)} | ${rates.map((r) => fmt(r)).join(', ')} |`,
      );
    }
  }
  console.log('');
  console.log(JSON.stringify({ bench: 'ha', runs: RUNS, sends: HA_SENDS, results: json }));
}
