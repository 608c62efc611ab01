// Closed-loop load: `concurrency` requests in flight on one connection, each answered request
// replaced by the next, until `requests` have been answered. The broker's CPU is read before and
// after, so its cost per request excludes start-up and the load generator entirely.
import type { RemotingCommand } from '@keel/broker/internal';
import type { BenchClient } from './bench-client';
import type { CpuReport } from './broker-cpu-reporter';
import { cpuMicrosSince } from './cost-timer';

export interface LoadSpec {
  readonly client: BenchClient;
  readonly requests: number;
  readonly concurrency: number;
  /** The i-th request; built inside the loop, as a client would. */
  readonly request: (i: number) => RemotingCommand;
  /** Throws if the i-th response is not the expected success. */
  readonly check: (response: RemotingCommand, i: number) => void;
  readonly brokerCpu: () => Promise<CpuReport>;
}

export interface LoadResult {
  readonly requestsPerSecond: number;
  /** User + system. */
  readonly brokerCpuMicrosPerRequest: number;
  /** The part of brokerCpuMicrosPerRequest spent in the kernel (syscalls: TCP, file I/O). */
  readonly brokerSystemMicrosPerRequest: number;
  readonly clientCpuMicrosPerRequest: number;
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < spec.requests) {
      const i = next++;
      spec.check(await spec.client.invoke(spec.request(i)), i);
    }
  };
  const brokerBefore = await spec.brokerCpu();
  const clientCpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: Math.min(spec.concurrency, spec.requests) }, worker));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const clientCpu = cpuMicrosSince(clientCpuStart);
  const brokerAfter = await spec.brokerCpu();
  const brokerUser = brokerAfter.userMicros - brokerBefore.userMicros;
  const brokerSystem = brokerAfter.systemMicros - brokerBefore.systemMicros;
  return {
    requestsPerSecond: spec.requests / seconds,
    brokerCpuMicrosPerRequest: (brokerUser + brokerSystem) / spec.requests,
    brokerSystemMicrosPerRequest: brokerSystem / spec.requests,
    clientCpuMicrosPerRequest: clientCpu / spec.requests,
  };
}
