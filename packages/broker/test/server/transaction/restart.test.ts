import { MessageConst } from '../../../src/protocol/message/message-const';
import { ResponseCode } from '../../../src/protocol/remoting/response-code';
import { SystemTopic } from '../../../src/server/topic/system-topics';
import { opRecordPut } from '../../../src/server/transaction/op-record';
import { takeSnapshot } from '../../../src/server/transaction/transaction-progress';
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

const INTERVAL = 60_000;

describe('transaction state across restarts', () => {
  let broker: TxBroker;

  beforeEach(async () => {
    broker = await openTxBroker();
  });

  afterEach(async () => {
    await broker.close();
  });

  function openState() {
    return [...broker.context.transactions.table.entries()].map((entry) => ({
      halfOffset: entry.halfOffset,
      state: entry.state,
      checks: entry.checks,
    }));
  }

  async function round() {
    broker.clock.advance(INTERVAL);
    return broker.context.transactions.runCheckRound();
  }

  it('a clean restart keeps open half messages with their check counts and parked states', async () => {
    const producer = fakeProducer(broker.context);
    const committed = await sendHalf(broker.context);
    const checked = await sendHalf(broker.context);
    const parked = await sendHalf(broker.context);
    broker.context.transactions.table.get(parked.halfOffset)!.checks = 3;
    await endTransaction(broker.context, committed, COMMIT);
    await round();
    const before = openState();
    expect(before).toEqual([
      { halfOffset: checked.halfOffset, state: 'PREPARED', checks: 1 },
      { halfOffset: parked.halfOffset, state: 'PARKED', checks: 3 },
    ]);

    await broker.restart();
    expect(openState()).toEqual(before);
    expect(broker.context.transactions.rebuild).toMatchObject({ fromSnapshot: true, halfMessagesRead: 0 });
    // The committed one stays resolved: a duplicate END_TRANSACTION has no effect.
    expect((await endTransaction(broker.context, committed, COMMIT)).code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(await queueMessages(broker.context, 'Orders', 1)).toHaveLength(1);
    heartbeat(broker.context, TX_GROUP, producer);
    await round();
    expect(producer.checks.map((c) => decodeCheck(c).tranStateTableOffset)).toEqual([
      checked.halfOffset,
      checked.halfOffset,
    ]);
  });

  it('after a crash, what happened since the last snapshot is read back from the queues', async () => {
    fakeProducer(broker.context);
    const early = await sendHalf(broker.context);
    const parkedLater = await sendHalf(broker.context);
    broker.context.transactions.table.get(parkedLater.halfOffset)!.checks = 3;
    await round(); // snapshot: both open; early has 1 check, parkedLater is parked now... and saved
    const late = await sendHalf(broker.context);
    const lateRolledBack = await sendHalf(broker.context);
    await endTransaction(broker.context, early, COMMIT);
    await endTransaction(broker.context, lateRolledBack, ROLLBACK);
    // No round since: the snapshot still lists `early` as open and knows nothing of the late ones.

    await broker.crashAndReopen();
    expect(broker.context.transactions.rebuild).toMatchObject({
      fromSnapshot: true,
      halfMessagesRead: 2,
      opRecordsRead: 2,
    });
    expect(openState()).toEqual([
      { halfOffset: parkedLater.halfOffset, state: 'PARKED', checks: 3 },
      { halfOffset: late.halfOffset, state: 'PREPARED', checks: 0 },
    ]);
    // None is resolved twice, none lost.
    expect((await endTransaction(broker.context, early, COMMIT)).code).toBe(ResponseCode.SYSTEM_ERROR);
    expect((await endTransaction(broker.context, lateRolledBack, COMMIT)).code).toBe(
      ResponseCode.SYSTEM_ERROR,
    );
    expect((await endTransaction(broker.context, late, COMMIT)).code).toBe(ResponseCode.SUCCESS);
    expect(
      (await queueMessages(broker.context, 'Orders', 1)).map((m) => m.preparedTransactionOffset),
    ).toEqual([early.commitLogOffset, late.commitLogOffset]);
  });

  it('after a crash right after parking, the parked copy makes the message PARKED again (no second copy)', async () => {
    fakeProducer(broker.context);
    const half = await sendHalf(broker.context);
    await round(); // saved with 1 check
    broker.context.transactions.table.get(half.halfOffset)!.checks = 3;
    jest.spyOn(broker.context.transactions, 'saveProgress').mockRejectedValueOnce(new Error('disk full'));
    expect(await round()).toMatchObject({ parked: 1, progressSaved: false });
    jest.restoreAllMocks();

    await broker.crashAndReopen();
    expect(openState()).toEqual([{ halfOffset: half.halfOffset, state: 'PARKED', checks: 1 }]);
    fakeProducer(broker.context);
    expect(await round()).toMatchObject({ parked: 0, checked: 0 });
    expect(await queueMessages(broker.context, SystemTopic.TRANS_CHECK_MAX_TIME)).toHaveLength(1);
  });

  it('without a snapshot the whole of the queues is read', async () => {
    const open = await sendHalf(broker.context);
    const committed = await sendHalf(broker.context);
    await endTransaction(broker.context, committed, COMMIT);
    await broker.disk.remove('/data/store/config/transactionState.json').catch(() => undefined);
    await broker.crashAndReopen();
    expect(broker.context.transactions.rebuild).toMatchObject({ fromSnapshot: false, halfMessagesRead: 2 });
    expect(openState()).toEqual([{ halfOffset: open.halfOffset, state: 'PREPARED', checks: 0 }]);
  });

  it('writes the committed message that a crash separated from its op record, once', async () => {
    const half = await sendHalf(broker.context, { topic: 'Orders', queueId: 1, body: 'order 9' });
    // What a crash between the two records of a commit leaves: the op record (COMMIT) alone.
    const op = await broker.context.store.putMessage(
      opRecordPut({
        halfOffset: half.halfOffset,
        halfCommitLogOffset: half.commitLogOffset,
        resolution: 'commit',
        nowMs: broker.clock.now(),
        storeHost: broker.context.storeHost,
      }),
    );
    expect(op.status).toBe('PUT_OK');

    await broker.crashAndReopen();
    expect(broker.context.transactions.rebuild.repairedCommit).toBe(true);
    const [real, ...more] = await queueMessages(broker.context, 'Orders', 1);
    expect(more).toEqual([]);
    expect(real?.body?.toString()).toBe('order 9');
    expect(real?.preparedTransactionOffset).toBe(half.commitLogOffset);
    expect(openState()).toEqual([]);

    await broker.crashAndReopen();
    expect(broker.context.transactions.rebuild.repairedCommit).toBe(false);
    expect(await queueMessages(broker.context, 'Orders', 1)).toHaveLength(1);
  });

  it('leaves a complete commit alone at start-up', async () => {
    const half = await sendHalf(broker.context);
    await endTransaction(broker.context, half, COMMIT);
    await broker.crashAndReopen();
    expect(broker.context.transactions.rebuild.repairedCommit).toBe(false);
    const [real] = await queueMessages(broker.context, 'Orders', 1);
    expect(propertiesOf(real!).get(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX)).toBe(half.uniqKey);
    expect(await queueMessages(broker.context, 'Orders', 1)).toHaveLength(1);
  });

  it('a snapshot taken while an op record is being written starts the op position before it', async () => {
    const half = await sendHalf(broker.context);
    const entry = broker.context.transactions.table.get(half.halfOffset)!;
    const { store } = broker.context;
    const putMessages = store.putMessages.bind(store);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let appended!: () => void;
    const inFlight = new Promise<void>((resolve) => (appended = resolve));
    jest.spyOn(store, 'putMessages').mockImplementation(async (puts) => {
      const results = putMessages(puts); // appends now, as the real call does
      appended();
      await gate;
      return results;
    });
    const committing = endTransaction(broker.context, half, COMMIT);
    await inFlight;
    // Appended, maybe already visible, not yet confirmed to the resolver: still open, floor 0.
    expect([entry.resolving, entry.opFloor]).toEqual(['commit', 0]);
    const during = takeSnapshot(store, broker.context.transactions.table);
    expect(during.opQueueOffset).toBe(0);
    expect(during.open.map((e) => e.halfOffset)).toEqual([half.halfOffset]);
    release();
    expect((await committing).code).toBe(ResponseCode.SUCCESS);
    jest.restoreAllMocks();
    const after = takeSnapshot(store, broker.context.transactions.table);
    expect([after.opQueueOffset, after.open]).toEqual([1, []]);
  });
});
