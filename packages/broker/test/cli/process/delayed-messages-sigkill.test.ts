// Delayed messages survive a SIGKILL of a real `keel broker`: every acknowledged message parked in
// SCHEDULE_TOPIC_XXXX reaches its topic after the restart, and none is delivered before its due
// time (store time of the parked record + its level's delay). Deliveries made since the last write
// of delayOffset.json may repeat (at-least-once); none may be missing.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../../src/common/clock';
import { PullMessageResponseHeader } from '../../../src/protocol/headers/pull-headers';
import type { DecodedStoredMessage } from '../../../src/protocol/message/stored-message-decoder';
import { ResponseCode } from '../../../src/protocol/remoting/response-code';
import { waitFor } from '../../../src/testing/await-event';
import { RemotingClient } from '../../../src/transport/remoting-client';
import { messagesOf, pull, send } from '../../server/integration/broker-requests';
import { assertKeelBuilt, KeelProcesses } from './keel-process';
import {
  prepareBroker,
  startBrokerProcess,
  startNameServerProcess,
  type NameServerProcess,
} from './keel-servers';

const DELAYS_MS = [1000, 3000, 5000];
const PER_LEVEL = 10;
const TOPIC = 'E2eDelayed';

describe('delayed messages across a broker SIGKILL', () => {
  const nameServers = new KeelProcesses();
  const brokers = new KeelProcesses();
  let root: string;
  let nameServer: NameServerProcess;
  let client: RemotingClient;

  beforeAll(async () => {
    assertKeelBuilt();
    root = mkdtempSync(join(tmpdir(), 'keel-delayed-'));
    nameServer = await startNameServerProcess(nameServers, root);
    client = new RemotingClient({ clock: systemClock });
  });

  afterAll(async () => {
    await client?.close();
    await brokers.killAll();
    await nameServers.killAll();
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  });

  async function pullAll(address: string, topic: string, queueId: number): Promise<DecodedStoredMessage[]> {
    const messages: DecodedStoredMessage[] = [];
    let offset = 0;
    for (;;) {
      const response = await pull(client, address, { group: 'e2e-delay-reader', topic, queueId, offset });
      if (response.code !== ResponseCode.SUCCESS) return messages;
      messages.push(...messagesOf(response));
      offset = PullMessageResponseHeader.decode(response.extFields).nextBeginOffset;
    }
  }

  it('delivers every parked message after the restart, none before its due time', async () => {
    const setup = await prepareBroker(mkdtempSync(join(root, 'broker-')), nameServer.address, {
      brokerName: 'e2e-delayed',
      messageDelayLevel: '1s 3s 5s',
      flushDelayOffsetInterval: 200,
    });
    const broker = await startBrokerProcess(brokers, setup);
    const sent: string[] = [];
    for (let i = 0; i < PER_LEVEL; i++) {
      for (let level = 1; level <= DELAYS_MS.length; level++) {
        const body = `level-${level}-${i}`;
        const response = await send(client, setup.address, {
          topic: TOPIC,
          body,
          queueId: 0,
          properties: { DELAY: String(level) },
        });
        expect([response.code, response.remark]).toEqual([ResponseCode.SUCCESS, undefined]);
        sent.push(body);
      }
    }
    // Level 1 is delivered (and its offset written) before the kill; levels 2 and 3 are still parked.
    await waitFor(async () => (await pullAll(setup.address, TOPIC, 0)).length >= PER_LEVEL, {
      timeoutMs: 5000,
      description: 'the level-1 messages delivered',
    });
    await new Promise<void>((resolve) => systemClock.setTimeout(resolve, 300));
    expect((await pullAll(setup.address, TOPIC, 0)).length).toBeLessThan(sent.length);
    broker.signal('SIGKILL');
    expect(await broker.waitForExit(10_000)).toEqual({ code: null, signal: 'SIGKILL' });

    client.closeConnection(setup.address, 'broker restarted');
    await startBrokerProcess(brokers, setup);
    const delivered = await waitFor(
      async () => {
        const messages = await pullAll(setup.address, TOPIC, 0);
        const bodies = new Set(messages.map((m) => m.body?.toString()));
        return sent.every((body) => bodies.has(body)) ? messages : undefined;
      },
      {
        timeoutMs: 15_000,
        intervalMs: 100,
        description: 'every delayed message delivered after the restart',
      },
    );

    // The parked records give each message's due time.
    const dueAt = new Map<string, number>();
    for (let level = 1; level <= DELAYS_MS.length; level++) {
      for (const parked of await pullAll(setup.address, 'SCHEDULE_TOPIC_XXXX', level - 1)) {
        dueAt.set(parked.body?.toString() ?? '', parked.storeTimestamp + DELAYS_MS[level - 1]!);
      }
    }
    expect(dueAt.size).toBe(sent.length);
    const early = delivered.filter((m) => m.storeTimestamp < dueAt.get(m.body?.toString() ?? '')!);
    expect(early.map((m) => m.body?.toString())).toEqual([]);
    // Each level-1 message at most twice (its offset was written 200 ms after delivery), the rest once.
    const counts = new Map<string, number>();
    for (const message of delivered) {
      const body = message.body?.toString() ?? '';
      counts.set(body, (counts.get(body) ?? 0) + 1);
    }
    expect([...counts.entries()].filter(([body, n]) => n > 1 && !body.startsWith('level-1-'))).toEqual([]);
  }, 40_000);
});
