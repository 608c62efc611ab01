// Half messages survive a SIGKILL of a real `keel broker` process (the built CLI: run
// `npx tsc -b packages/broker` first): after the restart the open ones are checked and resolved,
// the resolved ones are never checked nor delivered again. Real time, 1 s timeout and interval.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../../src/common/clock';
import { PullMessageResponseHeader } from '../../../src/protocol/headers/pull-headers';
import { ResponseCode } from '../../../src/protocol/remoting/response-code';
import { waitFor } from '../../../src/testing/await-event';
import { RemotingClient } from '../../../src/transport/remoting-client';
import { assertKeelBuilt, KeelProcesses } from '../../cli/process/keel-process';
import { prepareBroker, startBrokerProcess, startNameServerProcess } from '../../cli/process/keel-servers';
import { messagesOf, pull } from '../integration/broker-requests';
import { RawTxProducer } from './raw-tx-producer';

const TOPIC = 'TxAfterKill';
const GROUP = 'tx-kill-group';

describe('transactions across a SIGKILL of keel broker', () => {
  const processes = new KeelProcesses();
  // Unset when beforeAll failed: the teardown must not hide that failure behind its own.
  let root: string | undefined;
  let reader: RemotingClient | undefined;
  const producers: RawTxProducer[] = [];

  beforeAll(() => {
    assertKeelBuilt();
    root = mkdtempSync(join(tmpdir(), 'keel-tx-kill-'));
    reader = new RemotingClient({ clock: systemClock });
  });

  afterAll(async () => {
    for (const producer of producers) await producer.close();
    await reader?.close();
    await processes.killAll();
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  });

  it('open half messages are checked and resolved after the restart; resolved ones stay resolved', async () => {
    const dir = root!;
    const nameServer = await startNameServerProcess(processes, dir);
    const setup = await prepareBroker(dir, nameServer.address, {
      brokerName: 'tx-kill',
      transactionTimeOut: 1000,
      transactionCheckInterval: 1000,
      transactionCheckMax: 10,
    });
    let broker = await startBrokerProcess(processes, setup);
    // No heartbeat before the kill: nothing is checked yet, every open half message stays open.
    const before = new RawTxProducer(GROUP, setup.address);
    producers.push(before);
    const committed = await before.sendHalf(TOPIC, 'committed before the kill');
    const openA = await before.sendHalf(TOPIC, 'A: committed on check', ['commit']);
    expect((await before.endAndWait(committed, 'commit')).code).toBe(ResponseCode.SUCCESS);
    // A check round saves the progress; what follows is only in the queues when the broker dies.
    const stateFile = join(setup.storeDir, 'config', 'transactionState.json');
    await waitFor(() => existsSync(stateFile), { timeoutMs: 5000, description: 'the first saved progress' });
    const rolledBack = await before.sendHalf(TOPIC, 'rolled back before the kill');
    const openB = await before.sendHalf(TOPIC, 'B: rolled back on check', ['rollback']);
    const openC = await before.sendHalf(TOPIC, 'C: committed on check', ['commit']);
    expect((await before.endAndWait(rolledBack, 'rollback')).code).toBe(ResponseCode.SUCCESS);

    broker.signal('SIGKILL');
    await broker.waitForExit(5000);
    broker = await startBrokerProcess(processes, setup);

    const after = new RawTxProducer(GROUP, setup.address);
    producers.push(after);
    after.setAnswers(openA.msgId, ['commit']);
    after.setAnswers(openB.msgId, ['rollback']);
    after.setAnswers(openC.msgId, ['commit']);
    await after.heartbeat();
    await waitFor(async () => (await delivered(setup.address)).length === 3, {
      timeoutMs: 6000,
      description: 'the open half messages resolved after the restart',
    });
    expect((await delivered(setup.address)).sort()).toEqual([
      'A: committed on check',
      'C: committed on check',
      'committed before the kill',
    ]);
    const checked = after.checks.map((check) => check.msgId).sort();
    expect(checked).toEqual([openA.msgId, openB.msgId, openC.msgId].sort());

    // Nothing is resolved twice: duplicates are refused, and no check comes for what is resolved.
    for (const [half, answer] of [
      [committed, 'commit'],
      [rolledBack, 'commit'],
      [openA, 'commit'],
      [openB, 'commit'],
    ] as const) {
      expect((await after.endAndWait(half, answer)).code).toBe(ResponseCode.SYSTEM_ERROR);
    }
    expect(await delivered(setup.address)).toHaveLength(3);
    expect(after.checks).toHaveLength(3);
  }, 30_000);

  /** Bodies delivered to TOPIC (every queue), in queue order. */
  async function delivered(address: string): Promise<string[]> {
    const bodies: string[] = [];
    for (let queueId = 0; queueId < 4; queueId++) {
      let offset = 0;
      for (;;) {
        const response = await pull(reader!, address, {
          group: 'tx-kill-reader',
          topic: TOPIC,
          queueId,
          offset,
        });
        if (response.code !== ResponseCode.SUCCESS) break;
        bodies.push(...messagesOf(response).map((m) => m.body?.toString() ?? ''));
        offset = PullMessageResponseHeader.decode(response.extFields).nextBeginOffset;
      }
    }
    return bodies;
  }
});
