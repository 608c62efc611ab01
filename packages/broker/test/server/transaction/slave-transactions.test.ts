// A SLAVE keeps no half-message table: replication brings it half messages but nothing there would
// ever resolve them. It leaves transactionState.json alone, and restarted as a master it rebuilds
// the table from what it replicated.

import { FakeClock } from '../../../src/common/fake-clock';
import { SystemTopic } from '../../../src/server/topic/system-topics';
import { MemoryDisk } from '../../../src/store/disk/memory-disk';
import { COMMIT, endTransaction, openTxContext, sendHalf, txBrokerConfig } from './transaction-fixtures';

const MASTER = txBrokerConfig();
const SLAVE = txBrokerConfig(['brokerRole = SLAVE', 'brokerId = 1']);
const STATE_FILE = '/data/store/config/transactionState.json';

async function readText(disk: MemoryDisk, path: string): Promise<string> {
  const file = await disk.openExisting(path);
  try {
    const buffer = Buffer.alloc(await file.size());
    await file.read(buffer, 0, buffer.length, 0);
    return buffer.toString();
  } finally {
    await file.close();
  }
}

describe('transactions on a SLAVE', () => {
  it('does not follow the half messages replication brings', async () => {
    const master = await openTxContext(MASTER, new MemoryDisk(), new FakeClock());
    const slave = await openTxContext(SLAVE, new MemoryDisk(), new FakeClock());
    try {
      const committed = await sendHalf(master.context);
      await sendHalf(master.context);
      await endTransaction(master.context, committed, COMMIT);
      expect(master.context.transactions.table.size).toBe(1);

      const log = await master.context.store.readCommitLog(0, 1 << 20);
      await slave.context.store.appendReplicated(0, log);
      // The replicated records become visible once flushed.
      await slave.context.store.flush();
      expect(slave.context.store.maxOffsetInQueue(SystemTopic.TRANS_HALF, 0)).toBe(2);
      expect(slave.context.transactions.table.size).toBe(0);
      expect(slave.context.transactions.counters()).toMatchObject({ pending: 0, parked: 0 });
    } finally {
      await slave.close();
      await master.close();
    }
  });

  it('leaves transactionState.json alone, and rebuilds from the replicated queues as a master', async () => {
    const disk = new MemoryDisk();
    let opened = await openTxContext(MASTER, disk, new FakeClock());
    const open = await sendHalf(opened.context);
    const resolved = await sendHalf(opened.context);
    await endTransaction(opened.context, resolved, COMMIT);
    await opened.close();
    const saved = await readText(disk, STATE_FILE);

    // The same store as a SLAVE: no table, and its empty table is never saved over the master's.
    opened = await openTxContext(SLAVE, disk, new FakeClock());
    expect(opened.context.transactions.table.size).toBe(0);
    expect(opened.context.transactions.rebuild).toMatchObject({ halfMessagesRead: 0, opRecordsRead: 0 });
    await opened.close();
    expect(await readText(disk, STATE_FILE)).toBe(saved);

    // Promoted (restarted with a master's role): the open half message is open again.
    await disk.remove(STATE_FILE);
    opened = await openTxContext(MASTER, disk, new FakeClock());
    try {
      expect(opened.context.transactions.rebuild).toMatchObject({ fromSnapshot: false, halfMessagesRead: 2 });
      expect([...opened.context.transactions.table.entries()].map((entry) => entry.halfOffset)).toEqual([
        open.halfOffset,
      ]);
    } finally {
      await opened.close();
    }
  });
});
