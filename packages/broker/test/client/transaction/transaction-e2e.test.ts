// Transactions end to end: the transactional producer, a real in-process name server and broker
// (check service every second, transactions checked after one second, two checks at most) and a
// push consumer. "Never delivered" is checked the strong way: the check listener of those topics
// answers COMMIT, so a check the broker should not have sent would show up as a delivery.

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { sleep, systemClock } from '../../../src/common/clock';
import { PushConsumer } from '../../../src/client/consumer/push-consumer';
import type { ConsumedMessage } from '../../../src/client/consumer/consumed-message';
import { endTransactionRequest, halfMessageOf } from '../../../src/client/transaction/end-transaction';
import { LocalTransactionState } from '../../../src/client/transaction/local-transaction-state';
import { TransactionProducer } from '../../../src/client/transaction/transaction-producer';
import type {
  TransactionalMessage,
  TransactionCheckListener,
} from '../../../src/client/transaction/transaction-producer-options';
import { waitFor } from '../../../src/testing/await-event';
import { startClientCluster, type ClientTestCluster } from '../client-cluster-fixture';
import {
  ClientsToClose,
  createTopic,
  fastConsumerOptions,
  nextInstanceName,
} from '../integration/consumer-test-kit';
import { assertKeelBuilt } from '../../cli/process/keel-process';
import { adminCommand } from '../../../src/cli/admin-command';
import { runKeel } from '../../../src/cli/keel';
import { captureIo, createTestCli } from '../../cli/cli-fixtures';

const CHECK_INTERVAL_MS = 1000;
const TIMEOUT_MS = 1000;
const CHECK_MAX = 2;
/**
 * How long a test watches for a delivery that must not happen. It must sleep: the event is an
 * absence. Two check rounds past the transaction timeout cover any check the broker could send.
 */
const SETTLE_MS = TIMEOUT_MS + 2 * CHECK_INTERVAL_MS + 500;
const CHILD = join(__dirname, 'crash', 'tx-producer-child.js');

const TOPICS = {
  commit: 'TxE2eCommit',
  rollback: 'TxE2eRollback',
  checkCommit: 'TxE2eCheckCommit',
  checkRollback: 'TxE2eCheckRollback',
  duplicate: 'TxE2eDuplicate',
  killed: 'TxE2eKilled',
  parked: 'TxE2eParked',
} as const;

/** What a consumer of one topic saw: deliveries per msgId (UNIQ_KEY = transactionId). */
class Deliveries {
  readonly byMsgId = new Map<string, ConsumedMessage[]>();

  add(message: ConsumedMessage): void {
    this.byMsgId.set(message.msgId, [...(this.byMsgId.get(message.msgId) ?? []), message]);
  }

  count(msgId: string): number {
    return this.byMsgId.get(msgId)?.length ?? 0;
  }

  async waitFor(msgId: string, timeoutMs = 5000): Promise<ConsumedMessage> {
    return waitFor(() => this.byMsgId.get(msgId)?.[0], { timeoutMs, description: `delivery of ${msgId}` });
  }
}

describe('transactions end to end (producer, broker, consumer)', () => {
  let cluster: ClientTestCluster;
  let producer: TransactionProducer;
  const clients = new ClientsToClose();
  /** Check answers per real topic; every check is recorded. */
  const checkAnswers = new Map<string, TransactionCheckListener>();
  const checks: TransactionalMessage[] = [];
  const deliveries = new Map<string, Deliveries>();

  beforeAll(async () => {
    cluster = await startClientCluster([]);
    await cluster.startBroker('broker-a', {
      transactionCheckInterval: CHECK_INTERVAL_MS,
      transactionTimeOut: TIMEOUT_MS,
      transactionCheckMax: CHECK_MAX,
    });
    for (const topic of Object.values(TOPICS)) await createTopic(cluster, topic, 2);
    producer = new TransactionProducer({
      group: 'tx-e2e-pg',
      nameServer: cluster.nameServer.address,
      instanceName: nextInstanceName('tx-e2e'),
      clock: systemClock,
      checkLocalTransaction: (message) => {
        checks.push(message);
        const answer = checkAnswers.get(message.topic);
        return answer === undefined ? LocalTransactionState.UNKNOW : answer(message);
      },
    });
    await producer.start();
    for (const topic of Object.values(TOPICS)) {
      const seen = new Deliveries();
      deliveries.set(topic, seen);
      const consumer = clients.track(new PushConsumer(fastConsumerOptions(cluster, `tx-e2e-cg-${topic}`)));
      consumer.subscribe(topic, '*');
      consumer.onMessages((messages) => {
        for (const message of messages) seen.add(message);
        return 'CONSUME_SUCCESS';
      });
      await consumer.start();
    }
  }, 30_000);

  afterAll(async () => {
    await clients.closeAll();
    await producer?.shutdown();
    await cluster?.stop();
  });

  const seen = (topic: string): Deliveries => deliveries.get(topic)!;
  const checksOf = (msgId: string): number => checks.filter((m) => m.transactionId === msgId).length;
  const brokerAddress = (): string => cluster.brokers.get('broker-a')!.address;

  /** A committed transaction on `topic`, delivered: proves the consumer is caught up to it. */
  async function marker(topic: string): Promise<void> {
    const result = await producer.sendMessageInTransaction(
      { topic, body: 'marker' },
      () => LocalTransactionState.COMMIT_MESSAGE,
    );
    await seen(topic).waitFor(result.msgId);
  }

  it('commit: delivered once, with its keys, tags and properties, and never checked', async () => {
    const result = await producer.sendMessageInTransaction(
      {
        topic: TOPICS.commit,
        body: 'order 1 created',
        keys: 'order-1',
        tags: 'created',
        properties: { source: 'e2e' },
      },
      () => LocalTransactionState.COMMIT_MESSAGE,
    );
    expect(result).toMatchObject({
      status: 'SEND_OK',
      localState: 'COMMIT_MESSAGE',
      endTransactionSent: true,
    });
    const delivered = await seen(TOPICS.commit).waitFor(result.msgId);
    expect(delivered).toMatchObject({ topic: TOPICS.commit, tags: 'created', keys: ['order-1'] });
    expect(delivered.body.toString()).toBe('order 1 created');
    expect(delivered.properties.get('source')).toBe('e2e');
    await sleep(systemClock, SETTLE_MS);
    expect(seen(TOPICS.commit).count(result.msgId)).toBe(1);
    expect(checksOf(result.msgId)).toBe(0);
  });

  it('rollback: never delivered, never checked', async () => {
    checkAnswers.set(TOPICS.rollback, () => LocalTransactionState.COMMIT_MESSAGE);
    const result = await producer.sendMessageInTransaction(
      { topic: TOPICS.rollback, body: 'rolled back' },
      () => LocalTransactionState.ROLLBACK_MESSAGE,
    );
    await marker(TOPICS.rollback);
    await sleep(systemClock, SETTLE_MS);
    expect(seen(TOPICS.rollback).count(result.msgId)).toBe(0);
    expect(checksOf(result.msgId)).toBe(0);
  });

  it('UNKNOW, then a check that commits: delivered once', async () => {
    checkAnswers.set(TOPICS.checkCommit, () => LocalTransactionState.COMMIT_MESSAGE);
    const result = await producer.sendMessageInTransaction(
      { topic: TOPICS.checkCommit, body: 'decided later', keys: 'late-1' },
      () => LocalTransactionState.UNKNOW,
    );
    const delivered = await seen(TOPICS.checkCommit).waitFor(
      result.msgId,
      TIMEOUT_MS + 3 * CHECK_INTERVAL_MS,
    );
    expect(delivered.keys).toEqual(['late-1']);
    const checked = checks.find((m) => m.transactionId === result.msgId)!;
    expect(checked).toMatchObject({ topic: TOPICS.checkCommit, keys: ['late-1'] });
    expect(checked.body.toString()).toBe('decided later');
    await sleep(systemClock, SETTLE_MS);
    expect(seen(TOPICS.checkCommit).count(result.msgId)).toBe(1);
    expect(checksOf(result.msgId)).toBe(1);
  });

  it('UNKNOW, then a check that rolls back: never delivered, checked once', async () => {
    checkAnswers.set(TOPICS.checkRollback, () => LocalTransactionState.ROLLBACK_MESSAGE);
    const result = await producer.sendMessageInTransaction(
      { topic: TOPICS.checkRollback, body: 'abandoned' },
      () => {
        throw new Error('the local transaction failed midway');
      },
    );
    expect(result.localState).toBe('UNKNOW');
    await waitFor(() => checksOf(result.msgId) === 1, {
      timeoutMs: TIMEOUT_MS + 3 * CHECK_INTERVAL_MS,
      description: 'the check',
    });
    await marker(TOPICS.checkRollback);
    await sleep(systemClock, SETTLE_MS);
    expect(seen(TOPICS.checkRollback).count(result.msgId)).toBe(0);
    expect(checksOf(result.msgId)).toBe(1);
  });

  it('duplicate and conflicting END_TRANSACTIONs: a commit delivers once, a commit after a rollback never', async () => {
    checkAnswers.set(TOPICS.duplicate, () => LocalTransactionState.COMMIT_MESSAGE);
    const committed = await producer.sendMessageInTransaction(
      { topic: TOPICS.duplicate, body: 'committed' },
      () => LocalTransactionState.COMMIT_MESSAGE,
    );
    const rolledBack = await producer.sendMessageInTransaction(
      { topic: TOPICS.duplicate, body: 'rolled back' },
      () => LocalTransactionState.ROLLBACK_MESSAGE,
    );
    const replay = async (result: typeof committed, state: LocalTransactionState, fromCheck: boolean) =>
      producer.clientInstance!.invokeOneway(
        brokerAddress(),
        endTransactionRequest({
          producerGroup: 'tx-e2e-pg',
          half: halfMessageOf(result),
          state,
          fromTransactionCheck: fromCheck,
          remark: undefined,
          serializeType: 'ROCKETMQ',
        }),
      );
    await seen(TOPICS.duplicate).waitFor(committed.msgId);
    await replay(committed, LocalTransactionState.COMMIT_MESSAGE, false);
    await replay(committed, LocalTransactionState.COMMIT_MESSAGE, true);
    await replay(committed, LocalTransactionState.ROLLBACK_MESSAGE, false);
    await replay(rolledBack, LocalTransactionState.COMMIT_MESSAGE, false);
    await replay(rolledBack, LocalTransactionState.COMMIT_MESSAGE, true);
    await marker(TOPICS.duplicate);
    await sleep(systemClock, SETTLE_MS);
    expect(seen(TOPICS.duplicate).count(committed.msgId)).toBe(1);
    expect(seen(TOPICS.duplicate).count(rolledBack.msgId)).toBe(0);
  });

  it('checks answered UNKNOW up to transactionCheckMax: parked, not checked again; resolved by `keel admin tx commit` or a late answer, once', async () => {
    checkAnswers.set(TOPICS.parked, () => LocalTransactionState.UNKNOW);
    const unknown = () => LocalTransactionState.UNKNOW;
    const byAdmin = await producer.sendMessageInTransaction(
      { topic: TOPICS.parked, body: 'for the operator' },
      unknown,
    );
    const byLateAnswer = await producer.sendMessageInTransaction(
      { topic: TOPICS.parked, body: 'answered late' },
      unknown,
    );
    const transactions = cluster.brokers.get('broker-a')!.context.transactions;
    const parkedItem = (msgId: string) => async () =>
      (await transactions.list({ maxCount: 10, msgId })).halfMessages.find((item) => item.state === 'PARKED');
    const waitParked = { timeoutMs: TIMEOUT_MS + (CHECK_MAX + 3) * CHECK_INTERVAL_MS, description: 'parked' };
    const parked = await waitFor(parkedItem(byAdmin.msgId), waitParked);
    await waitFor(parkedItem(byLateAnswer.msgId), waitParked);
    expect(parked).toMatchObject({ topic: TOPICS.parked, producerGroup: 'tx-e2e-pg', checkTimes: CHECK_MAX });
    expect(checksOf(byAdmin.msgId)).toBe(CHECK_MAX);
    expect(transactions.counters().parked).toBeGreaterThanOrEqual(2);
    await sleep(systemClock, 2 * CHECK_INTERVAL_MS); // an absence: no check after parking
    expect(checksOf(byAdmin.msgId)).toBe(CHECK_MAX);
    expect(checksOf(byLateAnswer.msgId)).toBe(CHECK_MAX);
    expect(seen(TOPICS.parked).byMsgId.size).toBe(0);

    const io = captureIo();
    const cli = createTestCli();
    try {
      const args = ['admin', 'tx', 'commit', '-n', cluster.nameServer.address, '-i', byAdmin.msgId];
      const code = await runKeel(args, io, [adminCommand({ ...cli.env, clock: systemClock }, {})]);
      expect(io.errText()).toBe('');
      expect(code).toBe(0);
      expect(io.outLines.join('\n')).toContain(`committed ${byAdmin.msgId}`);
    } finally {
      cli.cleanup();
    }
    // The producer learns the outcome after all: a parked message still takes its answer.
    await producer.clientInstance!.invokeOneway(
      brokerAddress(),
      endTransactionRequest({
        producerGroup: 'tx-e2e-pg',
        half: halfMessageOf(byLateAnswer),
        state: LocalTransactionState.COMMIT_MESSAGE,
        fromTransactionCheck: false,
        remark: undefined,
        serializeType: 'ROCKETMQ',
      }),
    );
    expect((await seen(TOPICS.parked).waitFor(byAdmin.msgId)).body.toString()).toBe('for the operator');
    expect((await seen(TOPICS.parked).waitFor(byLateAnswer.msgId)).body.toString()).toBe('answered late');
    await marker(TOPICS.parked);
    expect(seen(TOPICS.parked).count(byAdmin.msgId)).toBe(1);
    expect(seen(TOPICS.parked).count(byLateAnswer.msgId)).toBe(1);
  }, 20_000);

  it('producer SIGKILLed after the half message: another instance of the group commits it on the check', async () => {
    assertKeelBuilt();
    const group = 'tx-e2e-killed-pg';
    const child = spawn(process.execPath, [CHILD, cluster.nameServer.address, group, TOPICS.killed], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
    let transactionId: string;
    try {
      transactionId = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).on('line', (line) => {
          const [kind, id] = line.split(' ');
          if (kind === 'half' && id !== undefined) resolve(id);
        });
        void closed.then(() => reject(new Error(`the child exited before its half message: ${stderr}`)));
      });
    } finally {
      child.kill('SIGKILL');
      await closed;
    }

    const resolverChecks: string[] = [];
    const resolver = clients.track(
      new TransactionProducer({
        group,
        nameServer: cluster.nameServer.address,
        instanceName: nextInstanceName('tx-e2e-resolver'),
        clock: systemClock,
        topics: [TOPICS.killed],
        checkLocalTransaction: (message) => {
          resolverChecks.push(message.transactionId);
          return message.transactionId === transactionId
            ? LocalTransactionState.COMMIT_MESSAGE
            : LocalTransactionState.UNKNOW;
        },
      }),
    );
    await resolver.start();
    const delivered = await seen(TOPICS.killed).waitFor(transactionId, TIMEOUT_MS + 4 * CHECK_INTERVAL_MS);
    expect(delivered.body.toString()).toBe('sent by the killed producer');
    expect(delivered.keys).toEqual(['killed-order']);
    expect(resolverChecks).toContain(transactionId);
    await sleep(systemClock, SETTLE_MS);
    expect(seen(TOPICS.killed).count(transactionId)).toBe(1);
  }, 20_000);
});
