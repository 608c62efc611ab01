// A name server and a broker for the broker benchmark, each in its own child process running the
// shipped `keel` command (what an operator runs): the load generator in the parent then shares no
// event loop, heap or garbage collector with the broker, and the broker's CPU time is its own.
//
//   parent (load, RemotingClient) ──TCP──► child `keel broker` (+ broker-cpu-reporter, IPC)
//                                            └──registers──► child `keel namesrv`
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findFreeBrokerPort } from '@keel/broker/testing';
import type { CpuReport } from './broker-cpu-reporter';

/** packages/broker/dist/cli/main.js, from packages/broker/bench/dist. */
const KEEL_MAIN = join(__dirname, '..', '..', 'dist', 'cli', 'main.js');
const CPU_REPORTER = join(__dirname, 'broker-cpu-reporter.js');
const READY_TIMEOUT_MS = 30_000;
/** Log lines kept from each child, to explain a failed start. */
const KEPT_LOG_LINES = 20;

export interface BenchClusterOptions {
  readonly dir: string;
  /** Extra node options for the broker process, e.g. --cpu-prof. */
  readonly brokerNodeArgs?: readonly string[];
  /** Default ASYNC_FLUSH; SYNC_FLUSH acknowledges a send only after an fdatasync covering it. */
  readonly flushDiskType?: 'ASYNC_FLUSH' | 'SYNC_FLUSH';
}

export interface BenchCluster {
  readonly brokerAddress: string;
  readonly nameServerAddress: string;
  /** CPU time the broker process has used so far (every thread), in µs. */
  brokerCpu(): Promise<CpuReport>;
  stop(): Promise<void>;
}

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  readonly log: string[];
}

export function startServer(
  nodeArgs: readonly string[],
  keelArgs: readonly string[],
): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...nodeArgs, KEEL_MAIN, ...keelArgs], {
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  const log: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let pending = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `keel ${keelArgs.join(' ')} was not ready within ${READY_TIMEOUT_MS} ms:\n${log.join('\n')}`,
        ),
      );
    }, READY_TIMEOUT_MS);
    // Stderr is read for as long as the child lives: a pipe nobody drains would block its logger.
    child.stderr?.setEncoding('utf8').on('data', (text: string) => {
      const lines = (pending + text).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        log.push(line);
        if (log.length > KEPT_LOG_LINES) log.shift();
        if (/\] ready /.test(line)) {
          clearTimeout(timer);
          resolve({ child, exited, log });
        }
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(
        new Error(`keel ${keelArgs.join(' ')} exited with ${code} before it was ready:\n${log.join('\n')}`),
      );
    });
  });
}

export async function stopServer(server: ServerProcess): Promise<void> {
  if (server.child.connected) server.child.disconnect();
  if (server.child.exitCode === null) server.child.kill('SIGTERM');
  const code = await server.exited;
  if (code !== 0) throw new Error(`server exited with ${code}:\n${server.log.join('\n')}`);
}

function askCpu(child: ChildProcess): Promise<CpuReport> {
  return new Promise((resolve, reject) => {
    child.once('message', (message: unknown) => {
      const report = message as Partial<CpuReport>;
      if (typeof report.userMicros === 'number' && typeof report.systemMicros === 'number') {
        resolve({ userMicros: report.userMicros, systemMicros: report.systemMicros });
      } else {
        reject(new Error(`unexpected message from the broker process: ${JSON.stringify(message)}`));
      }
    });
    child.send('cpu');
  });
}

export async function startBenchCluster(options: BenchClusterOptions): Promise<BenchCluster> {
  const namesrvPort = await findFreeBrokerPort();
  const namesrvConfig = join(options.dir, 'namesrv.properties');
  writeFileSync(namesrvConfig, `listenPort=${namesrvPort}\nnamesrvRootDir=${join(options.dir, 'namesrv')}\n`);
  const namesrv = await startServer([], ['namesrv', '-c', namesrvConfig]);

  const brokerPort = await findFreeBrokerPort();
  const brokerConfig = join(options.dir, 'broker.properties');
  writeFileSync(
    brokerConfig,
    [
      'brokerName=bench-broker',
      'brokerIP1=127.0.0.1',
      `listenPort=${brokerPort}`,
      `namesrvAddr=127.0.0.1:${namesrvPort}`,
      `storePathRootDir=${join(options.dir, 'store')}`,
      `flushDiskType=${options.flushDiskType ?? 'ASYNC_FLUSH'}`,
      '',
    ].join('\n'),
  );
  let broker: ServerProcess;
  try {
    broker = await startServer(
      [...(options.brokerNodeArgs ?? []), '--require', CPU_REPORTER],
      ['broker', '-c', brokerConfig],
    );
  } catch (error: unknown) {
    await stopServer(namesrv);
    throw error;
  }
  return {
    brokerAddress: `127.0.0.1:${brokerPort}`,
    nameServerAddress: `127.0.0.1:${namesrvPort}`,
    brokerCpu: () => askCpu(broker.child),
    async stop() {
      await stopServer(broker);
      await stopServer(namesrv);
    },
  };
}
