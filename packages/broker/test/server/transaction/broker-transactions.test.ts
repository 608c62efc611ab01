// Transactions against a real broker over TCP, driven by a raw-remoting producer (no Keel client),
// plus `keel admin tx` against the same cluster. Real time: transactionTimeOut and
// transactionCheckInterval are 1 s, so the whole file takes a few seconds.

import { adminCommand } from '../../../src/cli/admin-command';
import { runKeel } from '../../../src/cli/keel';
import { AdminClient } from '../../../src/client/admin/admin-client';
import { systemClock } from '../../../src/common/clock';
import { PullMessageResponseHeader } from '../../../src/protocol/headers/pull-headers';
import { ResponseCode } from '../../../src/protocol/remoting/response-code';
import type { Broker } from '../../../src/server/broker';
import { waitFor } from '../../../src/testing/await-event';
import { RemotingClient } from '../../../src/transport/remoting-client';
import { captureIo, createTestCli, type TestCli } from '../../cli/cli-fixtures';
import { startClientCluster, type ClientTestCluster } from '../../client/client-cluster-fixture';
import { messagesOf, pull } from '../integration/broker-requests';
import { RawTxProducer } from './raw-tx-producer';

const TOPIC = 'TxOrders';
const GROUP = 'raw-tx-group';

describe('transactions on a running broker', () => {
  let cluster: ClientTestCluster;
  let broker: Broker;
  let producer: RawTxProducer;
  let reader: RemotingClient;
  let admin: AdminClient;
  let cli: TestCli;

  beforeAll(async () => {
    cluster = await startClientCluster([]);
    broker = await cluster.startBroker('broker-a', {
      transactionTimeOut: 1000,
      transactionCheckInterval: 1000,
      transactionCheckMax: 2,
    });
    await broker.context.topics.createOrUpdate({ topicName: TOPIC, readQueueNums: 1, writeQueueNums: 1 });
    producer = new RawTxProducer(GROUP, broker.address);
    reader = new RemotingClient({ clock: systemClock });
    admin = new AdminClient({ nameServer: cluster.nameServer.address, clientIP: '127.0.0.1' });
    cli = createTestCli();
  });

  afterAll(async () => {
    cli.cleanup();
    await admin.close();
    await reader.close();
    await producer.close();
    await cluster.stop();
  });

  /** Bodies delivered to TOPIC queue 0, in order. */
  async function delivered(): Promise<string[]> {
    const bodies: string[] = [];
    let offset = 0;
    for (;;) {
      const response = await pull(reader, broker.address, { group: 'tx-reader', topic: TOPIC, offset });
      if (response.code !== ResponseCode.SUCCESS) return bodies;
      bodies.push(...messagesOf(response).map((m) => m.body?.toString() ?? ''));
      offset = PullMessageResponseHeader.decode(response.extFields).nextBeginOffset;
    }
  }

  it('commits, rolls back, resolves through checks, parks the unanswered, and an operator resolves those', async () => {
    await producer.heartbeat();
    const direct = await producer.sendHalf(TOPIC, 'direct commit');
    const checkedCommit = await producer.sendHalf(TOPIC, 'commit on check', ['commit']);
    const checkedRollback = await producer.sendHalf(TOPIC, 'rollback on check', ['rollback']);
    const unknownThenCommit = await producer.sendHalf(TOPIC, 'unknown, then commit', ['unknown', 'commit']);
    const silent = await producer.sendHalf(TOPIC, 'never answered');
    expect(await delivered()).toEqual([]);
    await producer.end(direct, 'commit');
    await waitFor(async () => (await delivered()).includes('direct commit'), { timeoutMs: 3000 });

    // Checks resolve the others; the silent one is parked after 2 checks.
    await waitFor(async () => (await admin.txList()).transactions.some((t) => t.state === 'PARKED'), {
      timeoutMs: 8000,
      description: 'the silent half message parked',
    });
    expect((await delivered()).sort()).toEqual(['commit on check', 'direct commit', 'unknown, then commit']);
    const checkedIds = producer.checks.map((check) => check.msgId);
    expect(checkedIds).not.toContain(direct.msgId);
    expect(checkedIds.filter((id) => id === checkedCommit.msgId)).toHaveLength(1);
    expect(checkedIds.filter((id) => id === checkedRollback.msgId)).toHaveLength(1);
    expect(checkedIds.filter((id) => id === unknownThenCommit.msgId)).toHaveLength(2);
    expect(checkedIds.filter((id) => id === silent.msgId)).toHaveLength(2);
    expect(producer.checks.every((check) => check.topic === TOPIC)).toBe(true);

    const { transactions } = await admin.txList();
    expect(transactions).toMatchObject([
      {
        msgId: silent.msgId,
        topic: TOPIC,
        producerGroup: GROUP,
        state: 'PARKED',
        checkTimes: 2,
        brokerName: 'broker-a',
      },
    ]);

    // The operator's commit, through the CLI; a second one finds nothing open.
    const io = captureIo();
    const code = await runKeel(
      ['admin', 'tx', 'commit', '-n', cluster.nameServer.address, '-i', silent.msgId],
      io,
      [adminCommand({ ...cli.env, clock: systemClock }, {})],
    );
    expect([code, io.errText()]).toEqual([0, '']);
    expect(io.outLines.join('\n')).toMatch(
      new RegExp(
        `^committed ${silent.msgId} \\(topic ${TOPIC}, group ${GROUP}, broker broker-a, commit-log offset \\d+, was PARKED\\)$`,
        'm',
      ),
    );
    await expect(admin.txCommit(silent.msgId)).rejects.toThrow(/no open half message/);
    expect((await delivered()).filter((body) => body === 'never answered')).toHaveLength(1);

    // A late duplicate from the producer changes nothing.
    expect((await producer.endAndWait(direct, 'commit')).code).toBe(ResponseCode.SYSTEM_ERROR);
    expect((await producer.endAndWait(checkedRollback, 'commit')).code).toBe(ResponseCode.SYSTEM_ERROR);
    expect((await delivered()).sort()).toEqual([
      'commit on check',
      'direct commit',
      'never answered',
      'unknown, then commit',
    ]);
    const status = await admin.brokerStatus('broker-a');
    expect(status.runtime.get('keelTransactionCommits')).toBe('4');
    expect(status.runtime.get('keelTransactionRollbacks')).toBe('1');
    expect(status.runtime.get('keelTransactionHalfPending')).toBe('0');
  }, 20_000);

  it('keel admin tx list shows open transactions as a table and rolls one back', async () => {
    const open = await producer.sendHalf(TOPIC, 'to roll back');
    const run = async (...args: string[]) => {
      const io = captureIo();
      const code = await runKeel(['admin', 'tx', ...args, '-n', cluster.nameServer.address], io, [
        adminCommand({ ...cli.env, clock: systemClock }, {}),
      ]);
      return { code, out: io.outLines.join('\n'), err: io.errText() };
    };
    const listed = await run('list');
    expect(listed.code).toBe(0);
    expect(listed.out).toMatch(
      /Broker\s+Message ID\s+Topic\s+Producer group\s+Age\s+Checks\s+Last check\s+State/,
    );
    expect(listed.out).toContain(open.msgId);
    expect(listed.out).toMatch(/PREPARED/);
    const rolledBack = await run('rollback', '-i', open.msgId);
    expect([rolledBack.code, rolledBack.out]).toEqual([
      0,
      expect.stringContaining(`rolled back ${open.msgId}`),
    ]);
    expect((await run('list')).out).toBe('no open transactions');
    const missing = await run('commit', '-i', open.msgId);
    expect([missing.code, missing.err]).toEqual([1, expect.stringContaining('no open half message')]);
    expect((await delivered()).includes('to roll back')).toBe(false);
  });

  it('keel admin tx commit of a msgId stored twice (a retried half send) commits the oldest only', async () => {
    const first = await producer.sendHalf(TOPIC, 'sent twice');
    const retried = await producer.sendHalf(TOPIC, 'sent twice', ['silence'], first.msgId);
    expect(retried.commitLogOffset).toBeGreaterThan(first.commitLogOffset);
    const io = captureIo();
    const code = await runKeel(
      ['admin', 'tx', 'commit', '-n', cluster.nameServer.address, '-i', first.msgId],
      io,
      [adminCommand({ ...cli.env, clock: systemClock }, {})],
    );
    expect([code, io.errText()]).toEqual([0, '']);
    expect(io.outLines).toEqual([
      expect.stringMatching(
        new RegExp(
          `^committed ${first.msgId} \\(.*commit-log offset ${first.commitLogOffset}, was (PREPARED|PARKED)\\)$`,
        ),
      ),
      expect.stringMatching(
        new RegExp(
          `^rolled back ${first.msgId} \\(.*commit-log offset ${retried.commitLogOffset}, was (PREPARED|PARKED)\\): ` +
            `a duplicate of the half message committed at broker-a commit-log offset ${first.commitLogOffset} \\(a retried half send\\)$`,
        ),
      ),
    ]);
    expect((await delivered()).filter((body) => body === 'sent twice')).toHaveLength(1);
    expect((await admin.txList({ msgId: first.msgId })).transactions).toEqual([]);
  });

  it('AdminClient.txRollback rolls back every open half message of the msgId', async () => {
    const first = await producer.sendHalf(TOPIC, 'rolled back twice');
    await producer.sendHalf(TOPIC, 'rolled back twice', ['silence'], first.msgId);
    const resolved = await admin.txRollback(first.msgId);
    expect(resolved.map((t) => [t.resolution, t.duplicateOf])).toEqual([
      ['rollback', undefined],
      ['rollback', undefined],
    ]);
    expect((await admin.txList({ msgId: first.msgId })).transactions).toEqual([]);
    expect((await delivered()).includes('rolled back twice')).toBe(false);
  });
});
