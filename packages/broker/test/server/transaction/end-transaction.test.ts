import { MessageConst } from '../../../src/protocol/message/message-const';
import { MessageSysFlag, transactionType } from '../../../src/protocol/message/message-sys-flag';
import { ResponseCode } from '../../../src/protocol/remoting/response-code';
import { SystemTopic } from '../../../src/server/topic/system-topics';
import { PROPERTY_TRAN_RESOLUTION } from '../../../src/server/transaction/op-record';
import {
  COMMIT,
  endTransaction,
  openTxBroker,
  propertiesOf,
  queueMessages,
  ROLLBACK,
  sendHalf,
  UNKNOWN,
  type TxBroker,
} from './transaction-fixtures';

describe('END_TRANSACTION', () => {
  let broker: TxBroker;

  beforeEach(async () => {
    broker = await openTxBroker();
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await broker.close();
  });

  it('stores a TRAN_MSG send as a half message consumers of the topic do not see', async () => {
    const half = await sendHalf(broker.context, { topic: 'Orders', queueId: 1 });
    expect(await queueMessages(broker.context, 'Orders', 1)).toEqual([]);
    const [stored] = await queueMessages(broker.context, SystemTopic.TRANS_HALF);
    expect(stored?.physicalOffset).toBe(half.commitLogOffset);
    expect(broker.context.transactions.table.get(half.halfOffset)?.state).toBe('PREPARED');
  });

  it('commit writes the real message (real topic and queue, properties, COMMIT_TYPE, prepared offset) and an op record', async () => {
    const half = await sendHalf(broker.context, { topic: 'Orders', queueId: 1, body: 'order 42' });
    const response = await endTransaction(broker.context, half, COMMIT);
    expect([response.code, response.remark]).toEqual([ResponseCode.SUCCESS, undefined]);

    const [real, ...more] = await queueMessages(broker.context, 'Orders', 1);
    expect(more).toEqual([]);
    expect(real?.body?.toString()).toBe('order 42');
    expect(transactionType(real!.sysFlag)).toBe(MessageSysFlag.TRANSACTION_COMMIT_TYPE);
    expect(real?.preparedTransactionOffset).toBe(half.commitLogOffset);
    const properties = propertiesOf(real!);
    expect(properties.get(MessageConst.PROPERTY_TAGS)).toBe('created');
    expect(properties.get(MessageConst.PROPERTY_KEYS)).toBe('order-1');
    expect(properties.get(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX)).toBe(half.uniqKey);
    expect(properties.get(MessageConst.PROPERTY_PRODUCER_GROUP)).toBe(half.group);

    const [op] = await queueMessages(broker.context, SystemTopic.TRANS_OP_HALF);
    expect(op?.body?.toString()).toBe(String(half.halfOffset));
    expect(propertiesOf(op!).get(MessageConst.PROPERTY_TAGS)).toBe('d');
    expect(propertiesOf(op!).get(PROPERTY_TRAN_RESOLUTION)).toBe('COMMIT');
    expect(broker.context.transactions.table.get(half.halfOffset)).toBeUndefined();
    expect(broker.context.transactions.counters()).toMatchObject({ pending: 0, commits: 1, rollbacks: 0 });
  });

  it('commit of a message sent with a delay level parks the committed copy in the schedule topic', async () => {
    const half = await sendHalf(broker.context, { topic: 'Orders', queueId: 1, properties: { DELAY: '2' } });
    expect((await endTransaction(broker.context, half, COMMIT)).code).toBe(ResponseCode.SUCCESS);
    expect(await queueMessages(broker.context, 'Orders', 1)).toEqual([]);
    const [scheduled] = await queueMessages(broker.context, SystemTopic.SCHEDULE, 1);
    expect(propertiesOf(scheduled!).get(MessageConst.PROPERTY_REAL_TOPIC)).toBe('Orders');
    expect(propertiesOf(scheduled!).get(MessageConst.PROPERTY_REAL_QUEUE_ID)).toBe('1');
    expect(scheduled?.preparedTransactionOffset).toBe(half.commitLogOffset);
  });

  it('rollback writes only the op record', async () => {
    const half = await sendHalf(broker.context);
    expect((await endTransaction(broker.context, half, ROLLBACK)).code).toBe(ResponseCode.SUCCESS);
    expect(await queueMessages(broker.context, 'Orders', 1)).toEqual([]);
    const [op] = await queueMessages(broker.context, SystemTopic.TRANS_OP_HALF);
    expect(propertiesOf(op!).get(PROPERTY_TRAN_RESOLUTION)).toBe('ROLLBACK');
    expect(broker.context.transactions.counters()).toMatchObject({ pending: 0, commits: 0, rollbacks: 1 });
  });

  it('is processed when sent oneway, as producers send it', async () => {
    const half = await sendHalf(broker.context);
    await endTransaction(broker.context, half, COMMIT, { oneway: true });
    expect(await queueMessages(broker.context, 'Orders', 1)).toHaveLength(1);
  });

  it('a duplicate commit delivers once; a commit after a rollback delivers nothing', async () => {
    const committed = await sendHalf(broker.context);
    const rolledBack = await sendHalf(broker.context);
    expect((await endTransaction(broker.context, committed, COMMIT)).code).toBe(ResponseCode.SUCCESS);
    const again = await endTransaction(broker.context, committed, COMMIT);
    expect(again.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(again.remark).toMatch(/no longer open/);
    expect((await endTransaction(broker.context, committed, ROLLBACK)).code).toBe(ResponseCode.SYSTEM_ERROR);

    expect((await endTransaction(broker.context, rolledBack, ROLLBACK)).code).toBe(ResponseCode.SUCCESS);
    expect((await endTransaction(broker.context, rolledBack, COMMIT)).code).toBe(ResponseCode.SYSTEM_ERROR);

    expect(
      (await queueMessages(broker.context, 'Orders', 1)).map((m) => m.preparedTransactionOffset),
    ).toEqual([committed.commitLogOffset]);
    expect(await queueMessages(broker.context, SystemTopic.TRANS_OP_HALF)).toHaveLength(2);
  });

  it('of END_TRANSACTIONs arriving together for one half message, exactly one acts', async () => {
    const half = await sendHalf(broker.context);
    const responses = await Promise.all([
      endTransaction(broker.context, half, COMMIT),
      endTransaction(broker.context, half, ROLLBACK),
      endTransaction(broker.context, half, COMMIT),
      endTransaction(broker.context, half, COMMIT, { oneway: true }),
    ]);
    expect(responses.filter((response) => response.code === ResponseCode.SUCCESS)).toHaveLength(1);
    expect(await queueMessages(broker.context, SystemTopic.TRANS_OP_HALF)).toHaveLength(1);
    // The first to reach the table was the commit.
    expect(await queueMessages(broker.context, 'Orders', 1)).toHaveLength(1);
  });

  it('UNKNOW (0) changes nothing; other values are refused with the valid ones named', async () => {
    const half = await sendHalf(broker.context);
    const unknown = await endTransaction(broker.context, half, UNKNOWN);
    expect(unknown.code).toBe(ResponseCode.SUCCESS);
    expect(unknown.remark).toMatch(/stays open/);
    const bad = await endTransaction(broker.context, half, 5);
    expect([bad.code, bad.remark]).toEqual([
      ResponseCode.SYSTEM_ERROR,
      expect.stringMatching(/8 \(commit\), 12/),
    ]);
    expect(broker.context.transactions.table.get(half.halfOffset)?.state).toBe('PREPARED');
    expect(await queueMessages(broker.context, SystemTopic.TRANS_OP_HALF)).toEqual([]);
  });

  it("refuses with RocketMQ's remarks when the request does not match the half message", async () => {
    const half = await sendHalf(broker.context);
    const other = await sendHalf(broker.context);
    const cases: Array<[Parameters<typeof endTransaction>[3], RegExp]> = [
      [{ group: 'someone-else' }, /^The producer group wrong/],
      [{ tranStateTableOffset: other.halfOffset }, /^The transaction state table offset wrong/],
      [{ commitLogOffset: 999_999 }, /^Find prepared transaction message failed/],
    ];
    for (const [options, remark] of cases) {
      const response = await endTransaction(broker.context, half, COMMIT, options);
      expect([response.code, response.remark]).toEqual([
        ResponseCode.SYSTEM_ERROR,
        expect.stringMatching(remark),
      ]);
    }
    expect(broker.context.transactions.table.get(half.halfOffset)?.state).toBe('PREPARED');
    expect(await queueMessages(broker.context, 'Orders', 1)).toEqual([]);
  });

  it('refuses a commit-log offset that is not a half message', async () => {
    const half = await sendHalf(broker.context);
    expect((await endTransaction(broker.context, half, COMMIT)).code).toBe(ResponseCode.SUCCESS);
    const [real] = await queueMessages(broker.context, 'Orders', 1);
    const response = await endTransaction(broker.context, half, COMMIT, {
      commitLogOffset: real!.physicalOffset,
    });
    expect([response.code, response.remark]).toEqual([
      ResponseCode.SYSTEM_ERROR,
      expect.stringMatching(/in topic Orders, not a half message/),
    ]);
  });

  it('a second END_TRANSACTION while the first is being written has no effect', async () => {
    const half = await sendHalf(broker.context);
    const { store } = broker.context;
    const putMessages = store.putMessages.bind(store);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    jest.spyOn(store, 'putMessages').mockImplementationOnce(async (puts) => {
      const results = putMessages(puts);
      await gate;
      return results;
    });
    const first = endTransaction(broker.context, half, ROLLBACK);
    await new Promise((resolve) => setImmediate(resolve));
    const second = await endTransaction(broker.context, half, COMMIT);
    expect([second.code, second.remark]).toEqual([
      ResponseCode.SYSTEM_ERROR,
      expect.stringMatching(/being rolled back by another END_TRANSACTION/),
    ]);
    release();
    expect((await first).code).toBe(ResponseCode.SUCCESS);
    expect(await queueMessages(broker.context, 'Orders', 1)).toEqual([]);
  });

  it('a store that refuses the writes leaves the half message open', async () => {
    const half = await sendHalf(broker.context);
    jest.spyOn(broker.context.store, 'putMessages').mockResolvedValueOnce([
      {
        status: 'SERVICE_NOT_AVAILABLE',
        physicalOffset: -1,
        queueOffset: -1,
        totalSize: 0,
        storeTimestamp: 0,
      },
      {
        status: 'SERVICE_NOT_AVAILABLE',
        physicalOffset: -1,
        queueOffset: -1,
        totalSize: 0,
        storeTimestamp: 0,
      },
    ]);
    const refused = await endTransaction(broker.context, half, COMMIT);
    expect([refused.code, refused.remark]).toEqual([
      ResponseCode.SERVICE_NOT_AVAILABLE,
      expect.stringMatching(/stays open/),
    ]);
    expect(broker.context.transactions.table.get(half.halfOffset)).toMatchObject({
      state: 'PREPARED',
      resolving: undefined,
    });
    expect((await endTransaction(broker.context, half, COMMIT)).code).toBe(ResponseCode.SUCCESS);
  });

  it('writes appended but not confirmed count as done, and the caller is told', async () => {
    const half = await sendHalf(broker.context);
    const { store } = broker.context;
    const putMessages = store.putMessages.bind(store);
    jest
      .spyOn(store, 'putMessages')
      .mockImplementationOnce(async (puts) =>
        (await putMessages(puts)).map((result) => ({ ...result, status: 'SERVICE_NOT_AVAILABLE' as const })),
      );
    const response = await endTransaction(broker.context, half, COMMIT);
    expect([response.code, response.remark]).toEqual([
      ResponseCode.SYSTEM_ERROR,
      expect.stringMatching(/committed but the store could not confirm/),
    ]);
    expect(broker.context.transactions.table.get(half.halfOffset)).toBeUndefined();
  });

  it('refuses to commit a half message whose committed copy the store would refuse, and writes nothing', async () => {
    const longTopic = `Orders${'x'.repeat(120)}`;
    await broker.context.topics.createOrUpdate({ topicName: longTopic, readQueueNums: 4, writeQueueNums: 4 });
    // The copy is 103 bytes longer than the half message (its topic); maxMessageSize is 4096.
    const probe = await sendHalf(broker.context, { topic: longTopic, body: '' });
    const emptySize = (await broker.context.store.readMessageAt(probe.commitLogOffset))!.totalSize;
    const half = await sendHalf(broker.context, {
      topic: longTopic,
      body: 'x'.repeat(4096 - emptySize - 10),
    });
    const response = await endTransaction(broker.context, half, COMMIT);
    expect([response.code, response.remark]).toEqual([
      ResponseCode.SYSTEM_ERROR,
      expect.stringMatching(/maxMessageSize/),
    ]);
    expect(await queueMessages(broker.context, SystemTopic.TRANS_OP_HALF)).toEqual([]);
    expect(broker.context.transactions.table.get(half.halfOffset)?.state).toBe('PREPARED');
    // A rollback needs no copy: it works.
    expect((await endTransaction(broker.context, half, ROLLBACK)).code).toBe(ResponseCode.SUCCESS);
  });

  it('answers SLAVE_NOT_AVAILABLE on a slave', async () => {
    const slave = await openTxBroker(['brokerRole = SLAVE', 'brokerId = 1']);
    try {
      const half = { halfOffset: 0, commitLogOffset: 0, uniqKey: 'X', group: 'g' };
      const response = await endTransaction(slave.context, half, COMMIT);
      expect(response.code).toBe(ResponseCode.SLAVE_NOT_AVAILABLE);
    } finally {
      await slave.close();
    }
  });
});
