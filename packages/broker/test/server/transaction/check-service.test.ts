import { MessageConst } from '../../../src/protocol/message/message-const';
import { createOffsetMessageId } from '../../../src/protocol/message/message-id';
import { RequestCode } from '../../../src/protocol/remoting/request-code';
import { ResponseCode } from '../../../src/protocol/remoting/response-code';
import { isOneway } from '../../../src/protocol/remoting/remoting-command';
import { brokerRuntimeInfo } from '../../../src/server/processor/broker-runtime-info';
import { SystemTopic } from '../../../src/server/topic/system-topics';
import { TransactionService } from '../../../src/server/transaction/transaction-service';
import { readTransactionSnapshot } from '../../../src/server/transaction/transaction-state-file';
import { waitFor } from '../../../src/testing/await-event';
import {
  COMMIT,
  decodeCheck,
  endTransaction,
  fakeProducer,
  heartbeat,
  openTxBroker,
  propertiesOf,
  queueMessages,
  ROLLBACK,
  sendHalf,
  TX_GROUP,
  type TxBroker,
} from './transaction-fixtures';

// transactionTimeOut 6 s, transactionCheckInterval 60 s, transactionCheckMax 3 (transaction-fixtures).
const INTERVAL = 60_000;
const STATE_PATH = '/data/store/config/transactionState.json';

describe('the transaction check service', () => {
  let broker: TxBroker;

  beforeEach(async () => {
    broker = await openTxBroker();
  });

  afterEach(async () => {
    await broker.close();
  });

  /** The next round, started by the service's own timer. */
  async function nextRound() {
    broker.clock.advance(INTERVAL);
    return broker.context.transactions.runCheckRound();
  }

  it('asks a live producer of the group about a half message once transactionTimeOut has passed', async () => {
    const producer = fakeProducer(broker.context);
    const half = await sendHalf(broker.context, { topic: 'Orders', queueId: 1, body: 'order 7' });
    // A round before the timeout sends nothing.
    broker.clock.advance(5000);
    expect((await broker.context.transactions.runCheckRound()).checked).toBe(0);
    broker.clock.advance(1000);
    expect((await broker.context.transactions.runCheckRound()).checked).toBe(1);

    const [command] = producer.checks;
    expect(command?.code).toBe(RequestCode.CHECK_TRANSACTION_STATE);
    expect(isOneway(command!)).toBe(true);
    expect(Object.fromEntries(command!.extFields)).toEqual({
      tranStateTableOffset: String(half.halfOffset),
      commitLogOffset: String(half.commitLogOffset),
      msgId: half.uniqKey,
      transactionId: half.uniqKey,
      offsetMsgId: createOffsetMessageId(broker.context.storeHost, half.commitLogOffset),
      bname: 'broker-a',
    });
    const check = decodeCheck(command!);
    // The body is the stored half message with its real topic and queue switched back.
    expect([check.message.topic, check.message.queueId]).toEqual(['Orders', 1]);
    expect(check.message.physicalOffset).toBe(half.commitLogOffset);
    expect(check.message.queueOffset).toBe(half.halfOffset);
    expect(check.message.body?.toString()).toBe('order 7');
    expect(propertiesOf(check.message).get(MessageConst.PROPERTY_PRODUCER_GROUP)).toBe(TX_GROUP);
    expect(broker.context.transactions.table.get(half.halfOffset)?.checks).toBe(1);
  });

  it('runs rounds on its own every transactionCheckInterval and checks again an interval later', async () => {
    const producer = fakeProducer(broker.context);
    await sendHalf(broker.context);
    broker.clock.advance(INTERVAL);
    await waitFor(() => producer.checks.length === 1, { timeoutMs: 2000, description: 'the first check' });
    broker.clock.advance(INTERVAL - 1);
    await broker.context.transactions.runCheckRound();
    expect(producer.checks).toHaveLength(1);
    broker.clock.advance(1);
    await waitFor(() => producer.checks.length === 2, { timeoutMs: 2000, description: 'the second check' });
  });

  it('takes the producers of a group in turn', async () => {
    const a = fakeProducer(broker.context);
    const b = fakeProducer(broker.context);
    for (let i = 0; i < 4; i++) await sendHalf(broker.context);
    await nextRound();
    expect([a.checks.length, b.checks.length]).toEqual([2, 2]);
  });

  it('a failing send or record read does not stop the round, is not counted, and the progress is saved', async () => {
    const failing = fakeProducer(broker.context, 'group-a');
    const working = fakeProducer(broker.context, 'group-b');
    failing.failing = true;
    const unreadable = await sendHalf(broker.context, { group: 'group-b' });
    const ofA = await sendHalf(broker.context, { group: 'group-a' });
    const ofB = await sendHalf(broker.context, { group: 'group-b' });
    const read = broker.context.store.readMessageAt.bind(broker.context.store);
    let reads = 0;
    jest.spyOn(broker.context.store, 'readMessageAt').mockImplementation(async (offset) => {
      // The first read of `unreadable` works (details), the next one (for its check) fails.
      if (offset === unreadable.commitLogOffset && reads++ > 0) throw new Error('disk read failed');
      return read(offset);
    });

    const report = await nextRound();
    expect(report).toMatchObject({ checked: 1, failures: 2, progressSaved: true });
    expect(working.checks.map((c) => decodeCheck(c).tranStateTableOffset)).toEqual([ofB.halfOffset]);
    const { table } = broker.context.transactions;
    expect([table.get(unreadable.halfOffset)?.checks, table.get(ofA.halfOffset)?.checks]).toEqual([0, 0]);
    expect(table.get(ofB.halfOffset)?.checks).toBe(1);
    const saved = await readTransactionSnapshot(broker.disk, STATE_PATH);
    expect(saved?.snapshot.open.map((entry) => [entry.halfOffset, entry.checks])).toEqual([
      [unreadable.halfOffset, 0],
      [ofA.halfOffset, 0],
      [ofB.halfOffset, 1],
    ]);
    expect(broker.context.offsets.query('CID_RMQ_SYS_TRANS', SystemTopic.TRANS_HALF, 0)).toBe(
      unreadable.halfOffset,
    );

    // Next round both work again: the two missed ones are checked now.
    jest.restoreAllMocks();
    failing.failing = false;
    heartbeat(broker.context, 'group-a', failing);
    heartbeat(broker.context, 'group-b', working);
    expect((await nextRound()).checked).toBe(3);
  });

  it('does not check, nor count, while the group has no live producer', async () => {
    const half = await sendHalf(broker.context);
    for (let round = 0; round < 5; round++) {
      const report = await nextRound();
      expect(report).toMatchObject({ checked: 0, noProducer: 1, parked: 0 });
    }
    expect(broker.context.transactions.table.get(half.halfOffset)?.checks).toBe(0);
    const producer = fakeProducer(broker.context);
    await nextRound();
    expect(producer.checks).toHaveLength(1);
  });

  it('parks a half message after transactionCheckMax checks and stops checking it', async () => {
    const producer = fakeProducer(broker.context);
    const half = await sendHalf(broker.context, { topic: 'Orders', queueId: 1 });
    for (let round = 0; round < 3; round++) {
      heartbeat(broker.context, TX_GROUP, producer);
      expect(await nextRound()).toMatchObject({ checked: 1, parked: 0 });
    }
    heartbeat(broker.context, TX_GROUP, producer);
    expect(await nextRound()).toMatchObject({ checked: 0, parked: 1 });
    const entry = broker.context.transactions.table.get(half.halfOffset);
    expect(entry?.state).toBe('PARKED');
    const [copy] = await queueMessages(broker.context, SystemTopic.TRANS_CHECK_MAX_TIME);
    expect(propertiesOf(copy!).get(MessageConst.PROPERTY_TRANSACTION_PREPARED_QUEUE_OFFSET)).toBe(
      String(half.halfOffset),
    );
    expect(propertiesOf(copy!).get(MessageConst.PROPERTY_TRANSACTION_CHECK_TIMES)).toBe('3');
    expect(propertiesOf(copy!).get(MessageConst.PROPERTY_REAL_TOPIC)).toBe('Orders');
    expect(copy?.preparedTransactionOffset).toBe(half.commitLogOffset);

    heartbeat(broker.context, TX_GROUP, producer);
    expect(await nextRound()).toMatchObject({ checked: 0, parked: 0 });
    expect(producer.checks).toHaveLength(3);
    expect(broker.context.transactions.counters()).toMatchObject({ pending: 0, parked: 1, checksSent: 3 });
  });

  it('an operator resolves a parked half message with END_TRANSACTION; it is delivered once', async () => {
    const half = await sendHalf(broker.context, { topic: 'Orders', queueId: 1 });
    // No producer: after the timeout the message cannot be checked; make it over-checked instead.
    broker.context.transactions.table.get(half.halfOffset)!.checks = 3;
    fakeProducer(broker.context);
    expect(await nextRound()).toMatchObject({ parked: 1 });
    expect((await broker.context.transactions.list({ maxCount: 10 })).halfMessages).toMatchObject([
      { msgId: half.uniqKey, state: 'PARKED', checkTimes: 3, topic: 'Orders', producerGroup: TX_GROUP },
    ]);

    const response = await endTransaction(broker.context, half, COMMIT, { fromCheck: true });
    expect(response.code).toBe(ResponseCode.SUCCESS);
    expect(await queueMessages(broker.context, 'Orders', 1)).toHaveLength(1);
    expect((await endTransaction(broker.context, half, ROLLBACK, { fromCheck: true })).code).toBe(
      ResponseCode.SYSTEM_ERROR,
    );
    expect((await broker.context.transactions.list({ maxCount: 10 })).total).toBe(0);
    expect(broker.context.transactions.counters()).toMatchObject({ parked: 0, commits: 1 });
  });

  it('parks a half message sent without PGROUP once due: no producer can be asked about it', async () => {
    const half = await sendHalf(broker.context, { group: '' });
    broker.clock.advance(6000);
    expect(await broker.context.transactions.runCheckRound()).toMatchObject({ parked: 1, checked: 0 });
    expect(broker.context.transactions.table.get(half.halfOffset)?.state).toBe('PARKED');
  });

  it('resolved half messages are never checked', async () => {
    const producer = fakeProducer(broker.context);
    const committed = await sendHalf(broker.context);
    const rolledBack = await sendHalf(broker.context);
    const open = await sendHalf(broker.context);
    await endTransaction(broker.context, committed, COMMIT);
    await endTransaction(broker.context, rolledBack, ROLLBACK);
    await nextRound();
    expect(producer.checks.map((c) => decodeCheck(c).tranStateTableOffset)).toEqual([open.halfOffset]);
  });

  it('checks at most maxActionsPerRound messages a round, the longest waiting first', async () => {
    const producer = fakeProducer(broker.context);
    const halves = [];
    for (let i = 0; i < 5; i++) {
      halves.push(await sendHalf(broker.context));
      broker.clock.advance(1000);
    }
    const { context } = broker;
    // A second service over the same store, with a cap of 2 (the broker's own uses the default and
    // checks too, on its timer: the capped one's checks carry their own request id).
    const CAPPED_OPAQUE = 424_242;
    const capped = await TransactionService.open({
      config: context.config,
      store: context.store,
      producers: context.producers,
      offsets: context.offsets,
      disk: broker.disk,
      clock: broker.clock,
      log: context.log,
      storeHost: context.storeHost,
      nextOpaque: () => CAPPED_OPAQUE,
      maxActionsPerRound: 2,
    });
    for (let round = 0; round < 2; round++) {
      broker.clock.advance(INTERVAL);
      heartbeat(context, TX_GROUP, producer);
      expect(await capped.runCheckRound()).toMatchObject({ checked: 2, deferred: 3 });
    }
    const checkedByCapped = producer.checks.filter((c) => c.opaque === CAPPED_OPAQUE);
    expect(checkedByCapped.map((c) => decodeCheck(c).tranStateTableOffset)).toEqual(
      halves.slice(0, 4).map((h) => h.halfOffset),
    );
    await capped.close();
  });

  it('forgets open half messages, parked ones too, once retention deleted their records', async () => {
    const parked = await sendHalf(broker.context);
    broker.context.transactions.table.get(parked.halfOffset)!.checks = 3;
    fakeProducer(broker.context);
    expect(await nextRound()).toMatchObject({ parked: 1 });
    const prepared = await sendHalf(broker.context);
    const kept = await sendHalf(broker.context);
    const { store } = broker.context;
    const real = store.commitLogOffsets();
    // As if retention had removed the segment holding everything before `kept`.
    jest.spyOn(store, 'commitLogOffsets').mockReturnValue({ ...real, min: kept.commitLogOffset });
    expect(await nextRound()).toMatchObject({ expired: 2 });
    expect([...broker.context.transactions.table.entries()].map((entry) => entry.halfOffset)).toEqual([
      kept.halfOffset,
    ]);
    expect(prepared.halfOffset).toBeLessThan(kept.halfOffset);
    jest.restoreAllMocks();
  });

  it('reports its counters in GET_BROKER_RUNTIME_INFO', async () => {
    fakeProducer(broker.context);
    const committed = await sendHalf(broker.context);
    const rolledBack = await sendHalf(broker.context);
    await sendHalf(broker.context);
    await endTransaction(broker.context, committed, COMMIT);
    await endTransaction(broker.context, rolledBack, ROLLBACK);
    await nextRound();
    const info = await brokerRuntimeInfo(broker.context);
    expect({
      pending: info.get('keelTransactionHalfPending'),
      parked: info.get('keelTransactionHalfParked'),
      checks: info.get('keelTransactionChecksSent'),
      commits: info.get('keelTransactionCommits'),
      rollbacks: info.get('keelTransactionRollbacks'),
    }).toEqual({ pending: '1', parked: '0', checks: '1', commits: '1', rollbacks: '1' });
  });
});
