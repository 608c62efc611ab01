import { systemClock } from '../../src/common/clock';
import { createRequest, createResponse } from '../../src/protocol/remoting/remoting-command';
import { ResponseCode } from '../../src/protocol/remoting/response-code';
import { ProcessorTable, RemotingServer } from '../../src/transport';
import { BenchClient } from '../../bench/bench-client';
import type { CpuReport } from '../../bench/broker-cpu-reporter';
import { runLoad } from '../../bench/request-load';

const ECHO = 9001;

describe('benchmark client and closed-loop load', () => {
  let server: RemotingServer;
  let client: BenchClient;
  let inFlight = 0;
  let maxInFlight = 0;

  beforeEach(async () => {
    inFlight = 0;
    maxInFlight = 0;
    const processors = new ProcessorTable().register(ECHO, async (request) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      // Answered a few turns later, and not in arrival order, so pipelined responses interleave.
      for (let turn = 0; turn < (request.body[0]! % 3) + 1; turn++) await new Promise(setImmediate);
      inFlight--;
      return createResponse(request, ResponseCode.SUCCESS, undefined, { body: request.body });
    });
    server = await RemotingServer.listen({
      name: 'echo',
      clock: systemClock,
      processors,
      port: 0,
      host: '127.0.0.1',
    });
    client = await BenchClient.connect(`127.0.0.1:${server.port}`);
  });

  afterEach(async () => {
    await client.close();
    await server.close({ graceMs: 100 });
  });

  it('matches pipelined responses to their requests and keeps `concurrency` in flight', async () => {
    const answered = new Set<number>();
    let cpuCalls = 0;
    // 1000 µs of user and 200 µs of system time between the two readings.
    const brokerCpu = async (): Promise<CpuReport> =>
      cpuCalls++ === 0 ? { userMicros: 5_000, systemMicros: 100 } : { userMicros: 6_000, systemMicros: 300 };
    const result = await runLoad({
      client,
      requests: 100,
      concurrency: 8,
      request: (i) => createRequest({ code: ECHO, opaque: 0, body: Buffer.from([i]) }),
      check: (response, i) => {
        expect(response.body[0]).toBe(i);
        answered.add(i);
      },
      brokerCpu,
    });
    expect(answered.size).toBe(100);
    expect(maxInFlight).toBe(8);
    expect(result.brokerCpuMicrosPerRequest).toBeCloseTo(1_200 / 100);
    expect(result.brokerSystemMicrosPerRequest).toBeCloseTo(200 / 100);
    expect(result.requestsPerSecond).toBeGreaterThan(0);
  });

  it('fails the load on the first unexpected response', async () => {
    const load = runLoad({
      client,
      requests: 20,
      concurrency: 4,
      request: (i) => createRequest({ code: ECHO, opaque: 0, body: Buffer.from([i]) }),
      check: (_response, i) => {
        if (i === 5) throw new Error('request 5 failed');
      },
      brokerCpu: async () => ({ userMicros: 0, systemMicros: 0 }),
    });
    await expect(load).rejects.toThrow('request 5 failed');
  });

  it('rejects requests once the connection is gone', async () => {
    await server.close({ graceMs: 0 });
    await expect(client.invoke(createRequest({ code: ECHO, opaque: 0 }))).rejects.toThrow(/closed/);
  });
});
