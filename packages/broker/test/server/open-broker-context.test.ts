// A broker open that fails part-way leaves nothing running and nothing open: every service opened
// before the failure is stopped (newest first) and the store is closed, so the next open works.

import { FakeClock } from '../../src/common/fake-clock';
import { MessageConst } from '../../src/protocol/message/message-const';
import type { DiskFile } from '../../src/store/disk/disk';
import { MemoryDisk } from '../../src/store/disk/memory-disk';
import { sendStored } from './delivery/send-fixtures';
import { openTxContext, txBrokerConfig } from './transaction/transaction-fixtures';

const STATE_FILE = '/data/store/config/transactionState.json';
const BUCKETS_DIR = '/data/store/timer/buckets';

/** A MemoryDisk that counts the files open on it, by path. */
class HandleCountingDisk extends MemoryDisk {
  readonly handles = new Map<string, number>();

  override async open(path: string): Promise<DiskFile> {
    return this.#counted(await super.open(path));
  }

  override async openExisting(path: string): Promise<DiskFile> {
    return this.#counted(await super.openExisting(path));
  }

  openPaths(): string[] {
    return [...this.handles].filter(([, count]) => count > 0).map(([path]) => path);
  }

  #counted(file: DiskFile): DiskFile {
    this.handles.set(file.path, (this.handles.get(file.path) ?? 0) + 1);
    return {
      path: file.path,
      write: (buffer, offset, length, position) => file.write(buffer, offset, length, position),
      read: (buffer, offset, length, position) => file.read(buffer, offset, length, position),
      datasync: () => file.datasync(),
      truncate: (size) => file.truncate(size),
      size: () => file.size(),
      close: async () => {
        this.handles.set(file.path, (this.handles.get(file.path) ?? 0) - 1);
        await file.close();
      },
    };
  }
}

async function writeFile(disk: MemoryDisk, path: string, text: string): Promise<void> {
  const file = await disk.open(path);
  const bytes = Buffer.from(text);
  await file.truncate(0);
  await file.write(bytes, 0, bytes.length, 0);
  await file.datasync();
  await file.close();
}

describe('openBrokerContext', () => {
  const config = txBrokerConfig();

  it('stops the services it opened and closes the store when a later step fails', async () => {
    const disk = new HandleCountingDisk();
    let clock = new FakeClock();
    const first = await openTxContext(config, disk, clock);
    // A timed message an hour ahead: its bucket file is there at the next open, not loaded yet.
    await sendStored(first.context, {
      topic: 'Timed',
      properties: { [MessageConst.PROPERTY_TIMER_DELIVER_MS]: String(clock.now() + 3_600_000) },
    });
    await first.context.timer!.settled();
    await first.close();
    expect(await disk.list(BUCKETS_DIR)).not.toEqual([]);
    expect(disk.openPaths()).toEqual([]);

    // Both copies of the transaction state unreadable: the transaction service cannot open.
    for (const path of [STATE_FILE, `${STATE_FILE}.bak`])
      await writeFile(disk, path, '{"version":1,"open":7}');
    clock = new FakeClock(clock.now() + 1000);
    await expect(openTxContext(config, disk, clock)).rejects.toThrow(/transactionState\.json/);
    expect(disk.openPaths()).toEqual([]);
    expect(clock.pendingTimers()).toBe(0);

    // Nothing holds the store: with the files removed it opens, and the timed message is still there.
    await disk.remove(STATE_FILE);
    await disk.remove(`${STATE_FILE}.bak`);
    const reopened = await openTxContext(config, disk, new FakeClock(clock.now()));
    try {
      await reopened.context.timer!.settled();
      expect(reopened.context.timer!.status().pendingMessages).toBe(1);
    } finally {
      await reopened.close();
    }
  });
});
