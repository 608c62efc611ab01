// End to end against the built binary: `keel namesrv` and `keel broker` run as separate processes,
// as an operator runs them, and the test talks to them over TCP. What only a real process shows:
// signals, exit codes, the files left on disk, and what survives SIGTERM and SIGKILL.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../../src/common/clock';
import { PullMessageResponseHeader } from '../../../src/protocol/headers/pull-headers';
import { SendMessageResponseHeader } from '../../../src/protocol/headers/send-headers';
import type { RemotingCommand } from '../../../src/protocol/remoting/remoting-command';
import { ResponseCode } from '../../../src/protocol/remoting/response-code';
import { BROKER_PID_FILE_NAME } from '../../../src/server/broker-config';
import { waitFor } from '../../../src/testing/await-event';
import { RemotingClient } from '../../../src/transport/remoting-client';
import { messagesOf, pull, send } from '../../server/integration/broker-requests';
import { assertKeelBuilt, KeelProcesses, type KeelProcess } from './keel-process';
import { commitOffset, queryOffset, routeOf } from './keel-requests';
import {
  prepareBroker,
  startBrokerProcess,
  startNameServerProcess,
  type BrokerSetup,
  type NameServerProcess,
} from './keel-servers';

const EXIT_TIMEOUT_MS = 10_000;

describe('keel namesrv and keel broker as real processes', () => {
  const nameServers = new KeelProcesses();
  const brokers = new KeelProcesses();
  let root: string;
  let nameServer: NameServerProcess;
  let client: RemotingClient;
  let dir: string;

  beforeAll(async () => {
    assertKeelBuilt();
    root = mkdtempSync(join(tmpdir(), 'keel-processes-'));
    nameServer = await startNameServerProcess(nameServers, root);
  });

  afterAll(async () => {
    await brokers.killAll();
    await nameServers.killAll();
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  });

  beforeEach(() => {
    client = new RemotingClient({ clock: systemClock });
    dir = mkdtempSync(join(root, 'broker-'));
  });

  afterEach(async () => {
    await client.close();
    await brokers.killAll();
  });

  /** A broker of its own per test: its registrations must not answer for another test's topics. */
  function brokerSetup(brokerName: string, settings: Record<string, string | number> = {}) {
    return prepareBroker(dir, nameServer.address, { brokerName, ...settings });
  }

  async function sendOk(setup: BrokerSetup, topic: string, body: string): Promise<number> {
    const response = await send(client, setup.address, { topic, body, queueId: 0 });
    expect(response.code).toBe(ResponseCode.SUCCESS);
    return SendMessageResponseHeader.decode(response.extFields).queueOffset;
  }

  /** Every message of the queue from offset 0, by queue offset. */
  async function pullAll(setup: BrokerSetup, topic: string, queueId: number): Promise<Map<number, string>> {
    const messages = new Map<number, string>();
    let offset = 0;
    for (;;) {
      const response = await pull(client, setup.address, { group: 'e2e-reader', topic, queueId, offset });
      if (response.code !== ResponseCode.SUCCESS) return messages;
      for (const message of messagesOf(response)) {
        messages.set(message.queueOffset, message.body?.toString() ?? '');
      }
      offset = PullMessageResponseHeader.decode(response.extFields).nextBeginOffset;
    }
  }

  async function stopWithSigterm(broker: KeelProcess): Promise<void> {
    broker.signal('SIGTERM');
    expect(await broker.waitForExit(EXIT_TIMEOUT_MS)).toEqual({ code: 0, signal: null });
  }

  async function restart(setup: BrokerSetup): Promise<KeelProcess> {
    // The old connection may not have seen its close yet; a new request must not go to it.
    client.closeConnection(setup.address, 'broker restarted');
    return startBrokerProcess(brokers, setup);
  }

  it('serves sends and pulls and registers its topics with the name server', async () => {
    const setup = await brokerSetup('e2e-send');
    await startBrokerProcess(brokers, setup);
    const topic = 'E2eSendPull';

    expect(await sendOk(setup, topic, 'one')).toBe(0);
    expect(await sendOk(setup, topic, 'two')).toBe(1);

    const route = await waitFor(() => routeOf(client, nameServer.address, topic), {
      timeoutMs: 5000,
      description: `the name server's route of ${topic}`,
    });
    expect(route.brokerDatas.map((broker) => broker.brokerAddrs.get(0))).toEqual([setup.address]);
    expect(route.queueDatas[0]).toMatchObject({ brokerName: 'e2e-send' });
    expect([...(await pullAll(setup, topic, 0)).values()]).toEqual(['one', 'two']);
  });

  it('on SIGTERM answers a held pull, unregisters, removes its abort and pid files and exits 0', async () => {
    const setup = await brokerSetup('e2e-sigterm');
    const broker = await startBrokerProcess(brokers, setup);
    const topic = 'E2eSigterm';
    await sendOk(setup, topic, 'before shutdown');
    await waitFor(() => routeOf(client, nameServer.address, topic), { timeoutMs: 5000 });
    const abortFile = join(setup.storeDir, 'abort');
    const pidFile = join(setup.storeDir, BROKER_PID_FILE_NAME);
    expect(existsSync(abortFile)).toBe(true);
    expect(readFileSync(pidFile, 'utf8').trim()).toBe(String(broker.pid));

    const events: string[] = [];
    const held = pull(client, setup.address, { group: 'e2e-held', topic, offset: 1, suspendMs: 20_000 }).then(
      (response: RemotingCommand) => {
        events.push('pull answered');
        return response;
      },
    );
    void broker.exited.then(() => events.push('broker exited'));
    // The broker announces no "pull held" event to another process; give the request time to
    // arrive and be suspended, so the signal finds it held rather than still in flight.
    await new Promise((resolve) => systemClock.setTimeout(() => resolve(undefined), 300));
    expect(events).toEqual([]);
    const signalledAt = performance.now();
    broker.signal('SIGTERM');

    // Any response will do (a connection error or the 20 s suspend running out would not).
    await expect(held).resolves.toHaveProperty('code');
    expect(performance.now() - signalledAt).toBeLessThan(EXIT_TIMEOUT_MS);
    expect(await broker.waitForExit(EXIT_TIMEOUT_MS)).toEqual({ code: 0, signal: null });
    expect(events).toEqual(['pull answered', 'broker exited']);
    expect(existsSync(abortFile)).toBe(false);
    expect(existsSync(pidFile)).toBe(false);
    await waitFor(async () => (await routeOf(client, nameServer.address, topic)) === undefined, {
      timeoutMs: 5000,
      description: `the name server dropping the route of ${topic}`,
    });
  });

  it('stops through `keel shutdown broker -c` the same way', async () => {
    const setup = await brokerSetup('e2e-shutdown');
    const broker = await startBrokerProcess(brokers, setup);
    await sendOk(setup, 'E2eShutdown', 'x');

    const shutdown = brokers.spawn('keel shutdown', ['shutdown', 'broker', '-c', setup.propertiesPath]);

    expect(await shutdown.waitForExit(EXIT_TIMEOUT_MS)).toEqual({ code: 0, signal: null });
    expect(shutdown.output).toContain(`Sent SIGTERM to the broker (pid ${broker.pid})`);
    expect(await broker.waitForExit(EXIT_TIMEOUT_MS)).toEqual({ code: 0, signal: null });
    expect(existsSync(join(setup.storeDir, 'abort'))).toBe(false);
    expect(existsSync(join(setup.storeDir, BROKER_PID_FILE_NAME))).toBe(false);
  });

  it('keeps committed offsets and messages over a SIGTERM restart', async () => {
    const setup = await brokerSetup('e2e-restart');
    const broker = await startBrokerProcess(brokers, setup);
    const topic = 'E2eRestart';
    const queue = { group: 'e2e-restart-group', topic, queueId: 0 };
    for (const body of ['a', 'b', 'c']) await sendOk(setup, topic, body);
    await commitOffset(client, setup.address, queue, 2);
    expect(await queryOffset(client, setup.address, queue)).toBe(2);

    await stopWithSigterm(broker);
    await restart(setup);

    expect(await queryOffset(client, setup.address, queue)).toBe(2);
    expect([...(await pullAll(setup, topic, 0)).entries()]).toEqual([
      [0, 'a'],
      [1, 'b'],
      [2, 'c'],
    ]);
  });

  it('keeps every acknowledged SYNC_FLUSH message when SIGKILLed mid-stream', async () => {
    const setup = await brokerSetup('e2e-sigkill', { flushDiskType: 'SYNC_FLUSH' });
    const broker = await startBrokerProcess(brokers, setup);
    const topic = 'E2eSigkill';
    const total = 300;
    const inFlight = 20;
    const killAfterAcks = 150;
    const queues = 4;
    const acked: Array<{ readonly body: string; readonly queueId: number; readonly queueOffset: number }> =
      [];
    const failuresBeforeKill: string[] = [];
    let killed = false;
    let unanswered = 0;
    let next = 0;

    const worker = async () => {
      while (!killed && next < total) {
        const n = next++;
        const body = `durable message ${n}`;
        try {
          const response = await send(client, setup.address, { topic, body, queueId: n % queues });
          if (response.code === ResponseCode.SUCCESS) {
            const { queueId, queueOffset } = SendMessageResponseHeader.decode(response.extFields);
            acked.push({ body, queueId, queueOffset });
          } else if (!killed) {
            failuresBeforeKill.push(`message ${n}: code ${response.code} ${response.remark ?? ''}`);
          }
        } catch (error: unknown) {
          // After the kill, sends in flight fail with connection errors: they were never acknowledged.
          if (killed) unanswered++;
          else failuresBeforeKill.push(`message ${n}: ${String(error)}`);
        }
        if (!killed && acked.length >= killAfterAcks) {
          killed = true;
          broker.signal('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
    expect(failuresBeforeKill).toEqual([]);
    expect(killed).toBe(true);
    expect(await broker.waitForExit(EXIT_TIMEOUT_MS)).toEqual({ code: null, signal: 'SIGKILL' });
    // The kill hit sends in flight, and left the store as a crash leaves it.
    expect(unanswered).toBeGreaterThan(0);
    expect(existsSync(join(setup.storeDir, 'abort'))).toBe(true);

    await restart(setup);

    const stored = new Map<string, string>();
    for (let queueId = 0; queueId < queues; queueId++) {
      for (const [offset, body] of await pullAll(setup, topic, queueId))
        stored.set(`${queueId}:${offset}`, body);
    }
    // Collected and compared once, so a failure lists every lost message.
    const lost = acked.filter((ack) => stored.get(`${ack.queueId}:${ack.queueOffset}`) !== ack.body);
    expect(lost).toEqual([]);
    expect(acked.length).toBeGreaterThanOrEqual(killAfterAcks);
  });

  it('refuses `brokerld=1` naming the line and brokerId, exits non-zero and creates no store', async () => {
    const storeDir = join(dir, 'store');
    const propertiesPath = join(dir, 'broker.properties');
    writeFileSync(
      propertiesPath,
      ['brokerName=e2e-typo', 'brokerld=1', `storePathRootDir=${storeDir}`, ''].join('\n'),
    );

    const broker = brokers.spawn('keel broker', ['broker', '-c', propertiesPath]);

    const exit = await broker.waitForExit(EXIT_TIMEOUT_MS);
    expect(exit.signal).toBeNull();
    expect(exit.code).not.toBe(0);
    expect(broker.output).toContain(`${propertiesPath}:2: brokerld: unknown key, did you mean brokerId?`);
    expect(existsSync(storeDir)).toBe(false);
  });
});
