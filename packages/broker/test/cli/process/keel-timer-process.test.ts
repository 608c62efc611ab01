// Timed messages across a SIGKILL of a real `keel broker` process: messages sent with
// TIMER_DELIVER_MS a few seconds ahead, the broker killed before most are due and started again.
// Every acknowledged message arrives, none is stored before its time, and those due after the
// restart arrive on time.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../../src/common/clock';
import { PullMessageResponseHeader } from '../../../src/protocol/headers/pull-headers';
import { MessageConst } from '../../../src/protocol/message/message-const';
import { parseMessageProperties } from '../../../src/protocol/message/message-properties';
import { ResponseCode } from '../../../src/protocol/remoting/response-code';
import { waitFor } from '../../../src/testing/await-event';
import { RemotingClient } from '../../../src/transport/remoting-client';
import { messagesOf, pull, send } from '../../server/integration/broker-requests';
import { assertKeelBuilt, KeelProcesses } from './keel-process';
import { prepareBroker, startBrokerProcess, startNameServerProcess, type BrokerSetup } from './keel-servers';

const EXIT_TIMEOUT_MS = 10_000;
/** A restarted broker stores a message due after its restart within this of its time. */
const LATENESS_TOLERANCE_MS = 500;

interface Arrived {
  readonly body: string;
  readonly dueMs: number;
  readonly storeTimestamp: number;
}

describe('timed messages and a SIGKILLed keel broker', () => {
  const processes = new KeelProcesses();
  let root: string;
  let client: RemotingClient;

  beforeAll(() => {
    assertKeelBuilt();
    root = mkdtempSync(join(tmpdir(), 'keel-timer-process-'));
    client = new RemotingClient({ clock: systemClock });
  });

  afterAll(async () => {
    await client.close();
    await processes.killAll();
    rmSync(root, { recursive: true, force: true });
  });

  async function arrivedIn(setup: BrokerSetup, topic: string): Promise<Arrived[]> {
    const arrived: Arrived[] = [];
    let offset = 0;
    for (;;) {
      const response = await pull(client, setup.address, {
        group: 'timer-reader',
        topic,
        queueId: 0,
        offset,
      });
      if (response.code !== ResponseCode.SUCCESS) return arrived;
      for (const message of messagesOf(response)) {
        const properties = parseMessageProperties(message.properties);
        arrived.push({
          body: message.body?.toString() ?? '',
          dueMs: Number(properties.get(MessageConst.PROPERTY_TIMER_OUT_MS)),
          storeTimestamp: message.storeTimestamp,
        });
      }
      offset = PullMessageResponseHeader.decode(response.extFields).nextBeginOffset;
    }
  }

  it('delivers every pending timed message after a SIGKILL, on time and none early', async () => {
    const nameServer = await startNameServerProcess(processes, root);
    const setup = await prepareBroker(mkdtempSync(join(root, 'broker-')), nameServer.address, {
      brokerName: 'timer-kill',
      timerFlushIntervalMs: 200,
    });
    const broker = await startBrokerProcess(processes, setup);
    const topic = 'TimerKill';
    const base = systemClock.now();
    // Two due before the kill, the rest 4 to 6 s ahead: after the restart.
    const dues = [300, 600, ...Array.from({ length: 18 }, (_, i) => 4000 + i * 111)].map((ms) => base + ms);
    for (const [i, due] of dues.entries()) {
      const response = await send(client, setup.address, {
        topic,
        body: `timed ${i}`,
        queueId: 0,
        properties: { [MessageConst.PROPERTY_TIMER_DELIVER_MS]: String(due) },
      });
      expect(response.code).toBe(ResponseCode.SUCCESS);
    }
    await waitFor(async () => (await arrivedIn(setup, topic)).length >= 2, {
      timeoutMs: 5000,
      description: 'the two messages due before the kill',
    });

    broker.signal('SIGKILL');
    expect(await broker.waitForExit(EXIT_TIMEOUT_MS)).toEqual({ code: null, signal: 'SIGKILL' });
    client.closeConnection(setup.address, 'broker killed');
    await startBrokerProcess(processes, setup);
    const restartedAtMs = systemClock.now();

    const arrived = await waitFor(
      async () => {
        const all = await arrivedIn(setup, topic);
        return new Set(all.map((message) => message.body)).size >= dues.length ? all : undefined;
      },
      { timeoutMs: 15_000, description: 'every timed message after the restart' },
    );
    const lost = dues.map((_, i) => `timed ${i}`).filter((body) => !arrived.some((m) => m.body === body));
    expect(lost).toEqual([]);
    const early = arrived.filter((message) => message.storeTimestamp < message.dueMs);
    expect(early).toEqual([]);
    const dueAfterRestart = arrived.filter((message) => message.dueMs > restartedAtMs);
    expect(dueAfterRestart.length).toBeGreaterThan(0);
    const late = dueAfterRestart.filter(
      (message) => message.storeTimestamp - message.dueMs > LATENESS_TOLERANCE_MS,
    );
    expect(late).toEqual([]);
  }, 40_000);
});
