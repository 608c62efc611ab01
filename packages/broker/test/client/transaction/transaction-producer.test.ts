// The transactional producer against a fake broker: what the half send carries, how every local
// outcome (and every way of failing to give one) becomes END_TRANSACTION, and how checks are
// answered, bounded and routed to their group.

import { ConfigError, IllegalStateError } from '../../../src/common/errors';
import { FakeClock } from '../../../src/common/fake-clock';
import { BrokerResponseError, InvalidMessageError } from '../../../src/client/client-errors';
import { LocalTransactionState } from '../../../src/client/transaction/local-transaction-state';
import { InvalidTransactionStateError } from '../../../src/client/transaction/transaction-errors';
import {
  TransactionProducer,
  type LocalTransactionExecutor,
} from '../../../src/client/transaction/transaction-producer';
import type {
  TransactionCheckListener,
  TransactionProducerOptions,
} from '../../../src/client/transaction/transaction-producer-options';
import { CommitOrRollback } from '../../../src/protocol/headers/transaction-headers';
import { MessageConst } from '../../../src/protocol/message/message-const';
import { MessageSysFlag } from '../../../src/protocol/message/message-sys-flag';
import { RemotingFlag } from '../../../src/protocol/remoting/remoting-command';
import { RequestCode } from '../../../src/protocol/remoting/request-code';
import { ResponseCode } from '../../../src/protocol/remoting/response-code';
import { decodeHeartbeatData } from '../../../src/protocol/bodies/heartbeat-data';
import { findFreeBrokerPort } from '../../../src/testing/servers';
import { waitFor } from '../../../src/testing/await-event';
import {
  HALF_PHYSICAL_OFFSET,
  HALF_QUEUE_OFFSET,
  startFakeTransactionBroker,
  type FakeTransactionBroker,
} from './fake-transaction-broker';

const GROUP = 'tx-unit-pg';
const TOPIC = 'TxTopic';

describe('TransactionProducer against a fake broker', () => {
  let clock: FakeClock;
  let broker: FakeTransactionBroker;
  const producers: TransactionProducer[] = [];

  beforeEach(async () => {
    clock = new FakeClock();
    broker = await startFakeTransactionBroker(clock, [TOPIC]);
  });

  afterEach(async () => {
    for (const producer of producers.splice(0)) await producer.shutdown();
    await broker.close();
  });

  async function startProducer(
    overrides: Partial<TransactionProducerOptions> = {},
  ): Promise<TransactionProducer> {
    const producer = new TransactionProducer({
      group: GROUP,
      nameServer: broker.fake.address,
      clock,
      instanceName: 'tx-unit',
      checkLocalTransaction: () => LocalTransactionState.UNKNOW,
      ...overrides,
    });
    producers.push(producer);
    await producer.start();
    // Connects to the fake (name server and broker in one), over which the checks then come.
    await producer.clientInstance!.topicRoute(TOPIC);
    return producer;
  }

  describe('sendMessageInTransaction', () => {
    it('sends a half message (TRAN_MSG, PGROUP, prepared sysFlag), runs the local transaction with its id, and commits', async () => {
      const producer = await startProducer();
      const executed: string[] = [];
      const result = await producer.sendMessageInTransaction(
        { topic: TOPIC, body: 'order 1', keys: 'order-1', delayLevel: 2 },
        ({ transactionId, sendResult, message }) => {
          executed.push(`${transactionId}:${sendResult.msgId}:${String(message.keys)}`);
          return LocalTransactionState.COMMIT_MESSAGE;
        },
      );
      expect(executed).toEqual([`${result.msgId}:${result.msgId}:order-1`]);
      expect(result).toMatchObject({
        status: 'SEND_OK',
        transactionId: result.msgId,
        localState: 'COMMIT_MESSAGE',
        endTransactionSent: true,
        queueOffset: HALF_QUEUE_OFFSET,
      });
      expect(result.localError).toBeUndefined();

      const [half] = broker.sent();
      expect(half!.properties.get(MessageConst.PROPERTY_TRANSACTION_PREPARED)).toBe('true');
      expect(half!.properties.get(MessageConst.PROPERTY_PRODUCER_GROUP)).toBe(GROUP);
      expect(half!.properties.get(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX)).toBe(result.msgId);
      // Kept: Keel's broker applies the delay once the message is committed.
      expect(half!.properties.get(MessageConst.PROPERTY_DELAY_TIME_LEVEL)).toBe('2');
      expect(half!.header.sysFlag & MessageSysFlag.TRANSACTION_PREPARED_TYPE).toBe(
        MessageSysFlag.TRANSACTION_PREPARED_TYPE,
      );

      await broker.waitForEnds(1);
      const [end] = broker.ends();
      expect(end!.header).toEqual({
        producerGroup: GROUP,
        tranStateTableOffset: HALF_QUEUE_OFFSET,
        commitLogOffset: HALF_PHYSICAL_OFFSET,
        commitOrRollback: CommitOrRollback.COMMIT,
        fromTransactionCheck: false,
        msgId: result.msgId,
        transactionId: result.msgId,
        bname: 'broker-a',
      });
      expect(end!.request.flag & RemotingFlag.ONEWAY).toBe(RemotingFlag.ONEWAY);
      expect(end!.request.remark ?? '').toBe('');
      expect(end!.request.body).toHaveLength(0);
    });

    it.each([
      [LocalTransactionState.ROLLBACK_MESSAGE, CommitOrRollback.ROLLBACK],
      [LocalTransactionState.UNKNOW, CommitOrRollback.NOT_TYPE],
    ])('reports %s as commitOrRollback %d', async (state, code) => {
      const producer = await startProducer();
      const result = await producer.sendMessageInTransaction({ topic: TOPIC, body: 'x' }, async () => state);
      expect(result.localState).toBe(state);
      await broker.waitForEnds(1);
      expect(broker.ends().map((e) => e.header.commitOrRollback)).toEqual([code]);
    });

    it('answers UNKNOW when the local transaction throws, with the error in the remark and the result', async () => {
      const producer = await startProducer();
      const boom = new Error('db down');
      const result = await producer.sendMessageInTransaction({ topic: TOPIC, body: 'x' }, async () => {
        throw boom;
      });
      expect(result.localState).toBe('UNKNOW');
      expect(result.localError).toBe(boom);
      await broker.waitForEnds(1);
      const [end] = broker.ends();
      expect(end!.header.commitOrRollback).toBe(CommitOrRollback.NOT_TYPE);
      expect(end!.request.remark).toBe('executeLocalTransactionBranch exception: Error: db down');
      expect(producer.stats.callbackFailures).toBe(1);
    });

    // Fail closed: nothing but the exact state string commits.
    it.each([
      ['undefined', undefined],
      ['null', null],
      ['a near miss', 'COMMIT'],
      ['lower case', 'commit_message'],
      ['true', true],
      ['the wire value 8', CommitOrRollback.COMMIT],
      ['an object', { state: 'COMMIT_MESSAGE' }],
    ])('answers UNKNOW, never COMMIT, for %s', async (_name, value) => {
      const producer = await startProducer();
      const executeLocal = (() => value) as unknown as LocalTransactionExecutor;
      const result = await producer.sendMessageInTransaction({ topic: TOPIC, body: 'x' }, executeLocal);
      expect(result.localState).toBe('UNKNOW');
      expect(result.localError).toBeInstanceOf(InvalidTransactionStateError);
      await broker.waitForEnds(1);
      const [end] = broker.ends();
      expect(end!.header.commitOrRollback).toBe(CommitOrRollback.NOT_TYPE);
      expect(end!.request.remark).toMatch(/^executeLocalTransactionBranch returned .+, not COMMIT_MESSAGE/);
    });

    it.each([
      ['FLUSH_DISK_TIMEOUT', ResponseCode.FLUSH_DISK_TIMEOUT],
      ['FLUSH_SLAVE_TIMEOUT', ResponseCode.FLUSH_SLAVE_TIMEOUT],
      ['SLAVE_NOT_AVAILABLE', ResponseCode.SLAVE_NOT_AVAILABLE],
    ])('rolls back without running the local transaction after %s', async (status, code) => {
      const producer = await startProducer();
      broker.sendCode = code;
      const executeLocal = jest.fn(() => LocalTransactionState.COMMIT_MESSAGE);
      const result = await producer.sendMessageInTransaction({ topic: TOPIC, body: 'x' }, executeLocal);
      expect(executeLocal).not.toHaveBeenCalled();
      expect(result).toMatchObject({ status, localState: 'ROLLBACK_MESSAGE' });
      await broker.waitForEnds(1);
      expect(broker.ends().map((e) => e.header.commitOrRollback)).toEqual([CommitOrRollback.ROLLBACK]);
    });

    it('rejects without running the local transaction or ending anything when the half message is refused', async () => {
      const producer = await startProducer();
      broker.sendCode = ResponseCode.MESSAGE_ILLEGAL;
      const executeLocal = jest.fn(() => LocalTransactionState.COMMIT_MESSAGE);
      await expect(
        producer.sendMessageInTransaction({ topic: TOPIC, body: 'x' }, executeLocal),
      ).rejects.toThrow(BrokerResponseError);
      expect(executeLocal).not.toHaveBeenCalled();
      expect(broker.fake.count(RequestCode.END_TRANSACTION)).toBe(0);
    });

    it('refuses a call without a local transaction before sending anything', async () => {
      const producer = await startProducer();
      await expect(
        producer.sendMessageInTransaction(
          { topic: TOPIC, body: 'x' },
          undefined as unknown as LocalTransactionExecutor,
        ),
      ).rejects.toThrow(InvalidMessageError);
      expect(broker.sent()).toHaveLength(0);
    });

    it('refuses TRAN_MSG and PGROUP as user properties (the producer sets them)', async () => {
      const producer = await startProducer();
      await expect(
        producer.sendMessageInTransaction(
          { topic: TOPIC, body: 'x', properties: { PGROUP: 'someone-else' } },
          () => LocalTransactionState.COMMIT_MESSAGE,
        ),
      ).rejects.toThrow(/PGROUP is reserved/);
    });
  });

  describe('sendHalf and endTransaction', () => {
    it('sends a half message to the queue a sharding key picks, and ends it only when asked', async () => {
      const producer = await startProducer();
      const half = await producer.sendHalf(
        { topic: TOPIC, body: 'order 7', keys: 'order-7', properties: { KEEL_TX_ID: 'tx-7' } },
        { shardingKey: 'order-7' },
      );
      expect(half.transactionId).toBe(half.sendResult.msgId);
      expect(half.sendResult.status).toBe('SEND_OK');
      const [sent] = broker.sent();
      expect(sent!.properties.get(MessageConst.PROPERTY_TRANSACTION_PREPARED)).toBe('true');
      expect(sent!.properties.get(MessageConst.PROPERTY_PRODUCER_GROUP)).toBe(GROUP);
      expect(sent!.properties.get('KEEL_TX_ID')).toBe('tx-7');
      expect(sent!.header.sysFlag & MessageSysFlag.TRANSACTION_PREPARED_TYPE).toBe(
        MessageSysFlag.TRANSACTION_PREPARED_TYPE,
      );
      expect(sent!.header.queueId).toBe(half.sendResult.messageQueue.queueId);
      expect(broker.fake.count(RequestCode.END_TRANSACTION)).toBe(0);
      expect(producer.stats.transactionsSent).toBe(1);

      expect(await producer.endTransaction(half, LocalTransactionState.ROLLBACK_MESSAGE)).toBe(true);
      await broker.waitForEnds(1);
      const [end] = broker.ends();
      expect(end!.header).toMatchObject({
        producerGroup: GROUP,
        tranStateTableOffset: HALF_QUEUE_OFFSET,
        commitLogOffset: HALF_PHYSICAL_OFFSET,
        commitOrRollback: CommitOrRollback.ROLLBACK,
        fromTransactionCheck: false,
        msgId: half.transactionId,
      });
    });

    it('picks the same queue for the same sharding key every time', async () => {
      const producer = await startProducer();
      const queueIds = new Set<number>();
      for (let i = 0; i < 3; i++) {
        const half = await producer.sendHalf({ topic: TOPIC, body: `m${i}` }, { shardingKey: 'order-42' });
        queueIds.add(half.sendResult.messageQueue.queueId);
      }
      expect(queueIds.size).toBe(1);
      expect(new Set(broker.sent().map((m) => m.header.queueId))).toEqual(queueIds);
    });

    it('returns a soft send status for the caller to roll back', async () => {
      const producer = await startProducer();
      broker.sendCode = ResponseCode.FLUSH_DISK_TIMEOUT;
      const half = await producer.sendHalf({ topic: TOPIC, body: 'x' });
      expect(half.sendResult.status).toBe('FLUSH_DISK_TIMEOUT');
      expect(broker.fake.count(RequestCode.END_TRANSACTION)).toBe(0);
    });

    it('refuses a state that is not one of the three, sending nothing', async () => {
      const producer = await startProducer();
      const half = await producer.sendHalf({ topic: TOPIC, body: 'x' });
      await expect(
        producer.endTransaction(half, 'COMMIT' as unknown as LocalTransactionState),
      ).rejects.toThrow(InvalidTransactionStateError);
      expect(broker.fake.count(RequestCode.END_TRANSACTION)).toBe(0);
    });

    it('resolves false, counted, when END_TRANSACTION cannot be written', async () => {
      const producer = await startProducer();
      const half = await producer.sendHalf({ topic: TOPIC, body: 'x' });
      await producer.shutdown();
      expect(await producer.endTransaction(half, LocalTransactionState.COMMIT_MESSAGE)).toBe(false);
      expect(producer.stats.endTransactionFailures).toBe(1);
    });
  });

  describe('checks', () => {
    const checkOf = (uniqKey: string, offset: number) => ({
      group: GROUP,
      uniqKey,
      tranStateTableOffset: offset,
      commitLogOffset: 9000 + offset,
    });

    it('answers a check with END_TRANSACTION fromTransactionCheck=true, the check offsets and UNIQ_KEY', async () => {
      const seen: string[] = [];
      await startProducer({
        checkLocalTransaction: (message) => {
          seen.push(`${message.transactionId} ${message.topic} ${message.body.toString()}`);
          return LocalTransactionState.COMMIT_MESSAGE;
        },
      });
      broker.sendCheck(checkOf('AC11000100002A9F0000000000000001', 42));
      await broker.waitForEnds(1);
      expect(seen).toEqual(['AC11000100002A9F0000000000000001 TxTopic checked body']);
      expect(broker.ends()[0]!.header).toEqual({
        producerGroup: GROUP,
        tranStateTableOffset: 42,
        commitLogOffset: 9042,
        commitOrRollback: CommitOrRollback.COMMIT,
        fromTransactionCheck: true,
        msgId: 'AC11000100002A9F0000000000000001',
        transactionId: 'AC11000100002A9F0000000000000001',
        bname: 'broker-a',
      });
    });

    it('answers UNKNOW with the error as remark when the check listener throws', async () => {
      const producer = await startProducer({
        checkLocalTransaction: () => {
          throw new Error('lookup failed');
        },
      });
      broker.sendCheck(checkOf('AC11000100002A9F0000000000000002', 1));
      await broker.waitForEnds(1);
      const [end] = broker.ends();
      expect(end!.header.commitOrRollback).toBe(CommitOrRollback.NOT_TYPE);
      expect(end!.request.remark).toBe('checkLocalTransaction exception: Error: lookup failed');
      expect(producer.stats).toMatchObject({ checksReceived: 1, checksAnswered: 1, callbackFailures: 1 });
    });

    it('runs at most checkConcurrency checks, queues checkQueueCapacity more, refuses and counts the rest', async () => {
      const releases: Array<() => void> = [];
      let running = 0;
      let maxRunning = 0;
      const listener: TransactionCheckListener = async () => {
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        await new Promise<void>((resolve) => releases.push(resolve));
        running -= 1;
        return LocalTransactionState.ROLLBACK_MESSAGE;
      };
      const producer = await startProducer({
        checkLocalTransaction: listener,
        checkConcurrency: 2,
        checkQueueCapacity: 1,
      });
      for (let i = 0; i < 5; i++) broker.sendCheck(checkOf(`AC11000100002A9F00000000000001${i}0`, i));
      await waitFor(() => producer.stats.checksReceived === 5, { timeoutMs: 3000 });
      expect(producer.stats.checksRefused).toBe(2);
      expect(releases).toHaveLength(2);

      while (producer.stats.checksAnswered < 3) {
        for (const release of releases.splice(0)) release();
        await waitFor(() => releases.length > 0 || producer.stats.checksAnswered === 3, { timeoutMs: 3000 });
      }
      await broker.waitForEnds(3);
      expect(maxRunning).toBe(2);
      expect(
        broker
          .ends()
          .map((e) => e.header.tranStateTableOffset)
          .sort(),
      ).toEqual([0, 1, 2]);
    });

    it('routes checks by PGROUP to the producer of that group sharing the client instance', async () => {
      await startProducer({ checkLocalTransaction: () => LocalTransactionState.COMMIT_MESSAGE });
      const other = await startProducer({
        group: 'tx-unit-other',
        checkLocalTransaction: () => LocalTransactionState.ROLLBACK_MESSAGE,
      });
      expect(other.clientInstance).toBe(producers[0]!.clientInstance);
      broker.sendCheck({ ...checkOf('AC11000100002A9F0000000000000003', 1), group: 'tx-unit-other' });
      broker.sendCheck(checkOf('AC11000100002A9F0000000000000004', 2));
      await broker.waitForEnds(2);
      const byGroup = Object.fromEntries(
        broker.ends().map((e) => [e.header.producerGroup, e.header.commitOrRollback]),
      );
      expect(byGroup).toEqual({
        [GROUP]: CommitOrRollback.COMMIT,
        'tx-unit-other': CommitOrRollback.ROLLBACK,
      });
    });

    it('logs and counts a check it cannot answer (unknown group, no PGROUP, bad body) and keeps answering', async () => {
      const producer = await startProducer({
        checkLocalTransaction: () => LocalTransactionState.COMMIT_MESSAGE,
      });
      const instance = producer.clientInstance!;
      const failuresBefore = instance.backgroundFailures;
      broker.sendCheck({ ...checkOf('AC11000100002A9F0000000000000005', 1), group: 'nobody-here' });
      broker.sendCheck({ ...checkOf('AC11000100002A9F0000000000000006', 2), withoutGroup: true });
      broker.sendCheck({
        ...checkOf('AC11000100002A9F0000000000000007', 3),
        body: Buffer.from('not a record'),
      });
      await waitFor(() => instance.backgroundFailures === failuresBefore + 3, { timeoutMs: 3000 });
      broker.sendCheck(checkOf('AC11000100002A9F0000000000000008', 4));
      await broker.waitForEnds(1);
      expect(broker.ends().map((e) => e.header.tranStateTableOffset)).toEqual([4]);
    });

    it('drops and counts checks still waiting at shutdown', async () => {
      const releases: Array<() => void> = [];
      const producer = await startProducer({
        checkConcurrency: 1,
        checkLocalTransaction: async () => {
          await new Promise<void>((resolve) => releases.push(resolve));
          return LocalTransactionState.COMMIT_MESSAGE;
        },
      });
      for (let i = 0; i < 3; i++) broker.sendCheck(checkOf(`AC11000100002A9F00000000000002${i}0`, i));
      await waitFor(() => producer.stats.checksReceived === 3, { timeoutMs: 3000 });
      await producer.shutdown();
      expect(producer.stats.checksRefused).toBe(2);
      for (const release of releases.splice(0)) release();
      // The running check finishes after the client closed: its answer is counted as not sent.
      await waitFor(() => producer.stats.endTransactionFailures === 1, { timeoutMs: 3000 });
    });
  });

  describe('groups and options', () => {
    it('refuses a second running transactional producer of a group in one process, and allows one after shutdown', async () => {
      const first = await startProducer();
      const second = new TransactionProducer({
        group: GROUP,
        nameServer: broker.fake.address,
        clock,
        instanceName: 'tx-unit-second',
        checkLocalTransaction: () => LocalTransactionState.UNKNOW,
      });
      await expect(second.start()).rejects.toThrow(IllegalStateError);
      await expect(second.start()).rejects.toThrow(/already running in this process/);
      await first.shutdown();
      producers.push(second);
      await second.start();
      expect(second.state).toBe('running');
    });

    it('keeps its group when start is called twice', async () => {
      const producer = await startProducer();
      await expect(producer.start()).rejects.toThrow(/start it once/);
      const rival = new TransactionProducer({
        group: GROUP,
        nameServer: broker.fake.address,
        clock,
        checkLocalTransaction: () => LocalTransactionState.UNKNOW,
      });
      await expect(rival.start()).rejects.toThrow(/already running/);
    });

    it('announces the group to the brokers of `topics` at start, before sending anything', async () => {
      await startProducer({ topics: [TOPIC] });
      const heartbeats = broker.fake.requests.filter((r) => r.code === RequestCode.HEART_BEAT);
      expect(heartbeats.length).toBeGreaterThan(0);
      expect(decodeHeartbeatData(heartbeats.at(-1)!.body).producerDataSet.map((p) => p.groupName)).toContain(
        GROUP,
      );
    });

    it('fails start, and frees the group, when no name server answers', async () => {
      const unreachable = new TransactionProducer({
        group: GROUP,
        nameServer: `127.0.0.1:${await findFreeBrokerPort()}`,
        clock,
        requestTimeoutMs: 500,
        checkLocalTransaction: () => LocalTransactionState.UNKNOW,
      });
      await expect(unreachable.start()).rejects.toThrow();
      expect(unreachable.state).toBe('shutdown');
      const next = await startProducer();
      expect(next.state).toBe('running');
    });

    it('names missing or bad transactional options', () => {
      const base = { group: GROUP, nameServer: '127.0.0.1:9876' };
      expect(() => new TransactionProducer(base as TransactionProducerOptions)).toThrow(ConfigError);
      expect(() => new TransactionProducer(base as TransactionProducerOptions)).toThrow(
        /checkLocalTransaction: a transactional producer needs a check listener/,
      );
      expect(
        () =>
          new TransactionProducer({
            ...base,
            checkLocalTransaction: () => LocalTransactionState.UNKNOW,
            checkConcurrency: 0,
            checkQueueCapacity: -1,
            topics: ['bad topic'],
          }),
      ).toThrow(/3 problems[\s\S]*checkConcurrency[\s\S]*checkQueueCapacity[\s\S]*topics: "bad topic"/);
    });
  });
});
