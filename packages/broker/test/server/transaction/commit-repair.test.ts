// The repair of a commit a crash cut in two (the op record stored, the committed message not): it
// is written once, right behind its op record, before any other service writes, and no later
// start writes it again, wherever it ended up.

import { FakeClock } from '../../../src/common/fake-clock';
import { MessageConst } from '../../../src/protocol/message/message-const';
import type { BrokerContext } from '../../../src/server/broker-context';
import type { OpenedBrokerContext } from '../../../src/server/open-broker-context';
import { committedMessagePut } from '../../../src/server/transaction/committed-message';
import { opRecordPut } from '../../../src/server/transaction/op-record';
import { MemoryDisk } from '../../../src/store/disk/memory-disk';
import type { PutMessageResult } from '../../../src/store/message-store';
import { sendStored } from '../delivery/send-fixtures';
import {
  openTxContext,
  queueMessages,
  sendHalf,
  txBrokerConfig,
  type SentHalf,
} from './transaction-fixtures';

describe('repairing a commit cut short by a crash', () => {
  const config = txBrokerConfig();
  let disk: MemoryDisk;
  let clock: FakeClock;
  let opened: OpenedBrokerContext;

  beforeEach(async () => {
    disk = new MemoryDisk();
    clock = new FakeClock();
    opened = await openTxContext(config, disk, clock);
  });

  afterEach(() => opened.close());

  /** A new "process" on the same disk, `laterMs` on, with its own clock. */
  async function reopen(how: 'crash' | 'close', laterMs: number): Promise<BrokerContext> {
    if (how === 'crash') {
      // SIGKILL: every write reaches the disk, nothing is closed; the old clock is never advanced.
      disk.crash((_path, pending) => ({ writes: pending }));
    } else {
      await opened.close();
    }
    clock = new FakeClock(clock.now() + laterMs);
    opened = await openTxContext(config, disk, clock);
    return opened.context;
  }

  /** What a crash between the two records of a commit leaves: the op record (COMMIT) alone. */
  async function commitCutShort(context: BrokerContext, half: SentHalf): Promise<PutMessageResult> {
    const op = await context.store.putMessage(
      opRecordPut({
        halfOffset: half.halfOffset,
        halfCommitLogOffset: half.commitLogOffset,
        resolution: 'commit',
        nowMs: clock.now(),
        storeHost: context.storeHost,
      }),
    );
    expect(op.status).toBe('PUT_OK');
    return op;
  }

  it('writes the message right behind its op record before the timer delivers, and only once', async () => {
    let context = opened.context;
    // A timed message that is overdue when the broker comes back: the timer delivers it at start.
    await sendStored(context, {
      topic: 'Timed',
      properties: { [MessageConst.PROPERTY_TIMER_DELIVER_MS]: String(clock.now() + 5000) },
    });
    await context.timer!.settled();
    const half = await sendHalf(context, { topic: 'Orders', queueId: 1, body: 'order 9' });
    const op = await commitCutShort(context, half);

    context = await reopen('crash', 20_000);
    expect(context.transactions.rebuild.repairedCommit).toBe(true);
    await context.timer!.settled();
    const [repaired, ...more] = await queueMessages(context, 'Orders', 1);
    expect(more).toEqual([]);
    expect(repaired!.physicalOffset).toBe(op.physicalOffset + op.totalSize);
    const [timed] = await queueMessages(context, 'Timed', 0);
    expect(timed!.physicalOffset).toBeGreaterThan(repaired!.physicalOffset);

    for (const how of ['close', 'crash', 'close'] as const) {
      context = await reopen(how, 1000);
      expect(context.transactions.rebuild.repairedCommit).toBe(false);
      expect(await queueMessages(context, 'Orders', 1)).toHaveLength(1);
    }
  });

  it('finds the committed message further on than the next record, and writes nothing', async () => {
    let context = opened.context;
    const half = await sendHalf(context, { topic: 'Orders', queueId: 1, body: 'order 10' });
    await commitCutShort(context, half);
    // Where an earlier start's repair lands when something else was written first.
    await sendStored(context, { topic: 'Orders', queueId: 2, body: 'in between' });
    const halfRecord = await context.store.readMessageAt(half.commitLogOffset);
    const committed = committedMessagePut(halfRecord!, clock.now(), config, context.store);
    if (!committed.ok) throw new Error(committed.problem);
    expect((await context.store.putMessage(committed.put)).status).toBe('PUT_OK');

    context = await reopen('crash', 1000);
    expect(context.transactions.rebuild.repairedCommit).toBe(false);
    expect((await queueMessages(context, 'Orders', 1)).map((m) => m.body?.toString())).toEqual(['order 10']);
  });
});
