import { FakeClock } from '../../src/common/fake-clock';
import { decodeStoredMessage } from '../../src/protocol/message/stored-message-decoder';
import { MemoryDisk } from '../../src/store/disk/memory-disk';
import { openStore, putRequest, smallConfig } from './store-fixtures';

function bodyOf(record: Buffer): string {
  const decoded = decodeStoredMessage(record, 0);
  if (decoded.kind !== 'message') throw new Error(`not a message: ${decoded.kind}`);
  return decoded.message.body?.toString() ?? '';
}

const ALL_TIME = [0, Number.MAX_SAFE_INTEGER] as const;

describe('MessageStore lookups', () => {
  it('finds a message by key as soon as its put returns, though indexing finishes later', async () => {
    const store = await openStore(new MemoryDisk());
    // WAIT=false answers right after the append; the first key also has to create the index file.
    const put = await store.putMessage(putRequest({ body: 'just stored', keys: 'order-7' }, false));
    expect(put.status).toBe('PUT_OK');
    const found = await store.queryMessage('TopicTest', 'order-7', 32, ...ALL_TIME);
    expect(found.records.map(bodyOf)).toEqual(['just stored']);
    await store.close();
  });

  it('finds messages by each of their keys, newest first, also after a clean restart', async () => {
    const disk = new MemoryDisk();
    const store = await openStore(disk);
    await store.putMessage(putRequest({ body: 'first', keys: 'order-1 user-9' }));
    await store.putMessage(putRequest({ body: 'other', keys: 'order-2' }));
    await store.putMessage(putRequest({ body: 'second', keys: 'order-1' }));
    const byOrder = await store.queryMessage('TopicTest', 'order-1', 32, ...ALL_TIME);
    expect(byOrder.records.map(bodyOf)).toEqual(['second', 'first']);
    expect((await store.queryMessage('TopicTest', 'user-9', 32, ...ALL_TIME)).records.map(bodyOf)).toEqual([
      'first',
    ]);
    expect((await store.queryMessage('OtherTopic', 'order-1', 32, ...ALL_TIME)).records).toEqual([]);
    await store.close();
    const reopened = await openStore(disk);
    expect(
      (await reopened.queryMessage('TopicTest', 'order-2', 32, ...ALL_TIME)).records.map(bodyOf),
    ).toEqual(['other']);
    await reopened.close();
  });

  it('re-indexes after a crash what the index had not made durable', async () => {
    const disk = new MemoryDisk();
    const config = smallConfig({ flushDiskType: 'SYNC_FLUSH' });
    const store = await openStore(disk, config);
    for (let i = 0; i < 10; i++) await store.putMessage(putRequest({ body: `m${i}`, keys: `k${i}` }));
    disk.crash();
    const reopened = await openStore(disk, config);
    expect(reopened.recovery.kind).toBe('crash');
    for (let i = 0; i < 10; i++) {
      const found = await reopened.queryMessage('TopicTest', `k${i}`, 32, ...ALL_TIME);
      expect(found.records.map(bodyOf)).toEqual([`m${i}`]);
    }
    await reopened.close();
  });

  it('searches queue offsets by store time and reports the earliest store time', async () => {
    const clock = new FakeClock(1_000_000);
    const store = await openStore(new MemoryDisk(), smallConfig(), clock);
    for (let i = 0; i < 8; i++) {
      await store.putMessage(putRequest({ body: `m${i}` }));
      clock.advance(1000);
    }
    // Message i was stored at 1,000,000 + 1000 i.
    expect(await store.offsetInQueueByTime('TopicTest', 0, 0)).toBe(0);
    expect(await store.offsetInQueueByTime('TopicTest', 0, 1_003_000)).toBe(3);
    expect(await store.offsetInQueueByTime('TopicTest', 0, 1_003_001)).toBe(4);
    expect(await store.offsetInQueueByTime('TopicTest', 0, 9_999_999)).toBe(8);
    expect(await store.earliestMessageTime('TopicTest', 0)).toBe(1_000_000);
    expect(await store.earliestMessageTime('Nope', 0)).toBe(-1);
    await store.close();
  });
});
