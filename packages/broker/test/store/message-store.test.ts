import { FakeClock } from '../../src/common/fake-clock';
import { tagsCode } from '../../src/protocol/message/java-string-hash';
import { decodeStoredMessage } from '../../src/protocol/message/stored-message-decoder';
import { MemoryDisk } from '../../src/store/disk/memory-disk';
import { openStore, putRequest, smallConfig } from './store-fixtures';

function bodies(records: Buffer[]): string[] {
  return records.map((record) => {
    const decoded = decodeStoredMessage(record, 0);
    if (decoded.kind !== 'message') throw new Error(`not a message: ${decoded.kind}`);
    return decoded.message.body?.toString() ?? '';
  });
}

const ALL = { maxMessages: 32, maxBytes: 1 << 20 };

describe('MessageStore', () => {
  it('stores and reads back messages with queue offsets in order', async () => {
    const store = await openStore();
    for (let i = 0; i < 5; i++) {
      const result = await store.putMessage(putRequest({ body: `m${i}` }));
      expect(result.status).toBe('PUT_OK');
      expect(result.queueOffset).toBe(i);
    }
    const got = await store.getMessage('TopicTest', 0, 1, ALL);
    expect(got.status).toBe('FOUND');
    expect(bodies(got.records)).toEqual(['m1', 'm2', 'm3', 'm4']);
    expect(got.nextBeginOffset).toBe(5);
    expect(got.minOffset).toBe(0);
    expect(got.maxOffset).toBe(5);
    await store.close();
  });

  it('answers RocketMQ statuses for offsets outside the queue', async () => {
    const store = await openStore();
    expect((await store.getMessage('Nope', 0, 0, ALL)).status).toBe('NO_MATCHED_LOGIC_QUEUE');
    await store.putMessage(putRequest());
    expect((await store.getMessage('TopicTest', 0, 1, ALL)).status).toBe('OFFSET_OVERFLOW_ONE');
    const badly = await store.getMessage('TopicTest', 0, 9, ALL);
    expect(badly.status).toBe('OFFSET_OVERFLOW_BADLY');
    expect(badly.nextBeginOffset).toBe(0);
    await store.close();
  });

  it('filters by tag hash code and says when nothing matched', async () => {
    const store = await openStore();
    await store.putMessage(putRequest({ body: 'a', tags: 'TagA' }));
    await store.putMessage(putRequest({ body: 'b', tags: 'TagB' }));
    await store.putMessage(putRequest({ body: 'c', tags: 'TagA' }));
    const onlyA = await store.getMessage('TopicTest', 0, 0, {
      ...ALL,
      tagsCodes: new Set([tagsCode('TagA')]),
    });
    expect(bodies(onlyA.records)).toEqual(['a', 'c']);
    const none = await store.getMessage('TopicTest', 0, 0, {
      ...ALL,
      tagsCodes: new Set([tagsCode('TagZ')]),
    });
    expect(none.status).toBe('NO_MATCHED_MESSAGE');
    expect(none.nextBeginOffset).toBe(3);
    await store.close();
  });

  it('moves to the next segment with a blank record when a message does not fit', async () => {
    const store = await openStore();
    const body = 'x'.repeat(1000);
    for (let i = 0; i < 10; i++) expect((await store.putMessage(putRequest({ body }))).status).toBe('PUT_OK');
    const offsets = store.commitLogOffsets();
    expect(offsets.max).toBeGreaterThan(2 * 4096);
    const got = await store.getMessage('TopicTest', 0, 0, ALL);
    expect(got.records).toHaveLength(10);
    expect(bodies(got.records).every((b) => b === body)).toBe(true);
    await store.close();
  });

  it('refuses a message larger than maxMessageSize with a message that names the fix', async () => {
    const store = await openStore(new MemoryDisk(), smallConfig({ maxMessageSize: 512 }));
    const result = await store.putMessage(putRequest({ body: 'y'.repeat(600) }));
    expect(result.status).toBe('MESSAGE_ILLEGAL');
    expect(result.error?.message).toMatch(/more than maxMessageSize 512.*raise maxMessageSize/);
    expect((await store.putMessage(putRequest({ body: 'small' }))).status).toBe('PUT_OK');
    await store.close();
  });

  it('restarts cleanly without scanning and keeps every message', async () => {
    const disk = new MemoryDisk();
    const store = await openStore(disk);
    for (let i = 0; i < 20; i++) await store.putMessage(putRequest({ body: `m${i}`, queueId: i % 2 }));
    await store.close();
    const reopened = await openStore(disk);
    expect(reopened.recovery.kind).toBe('clean');
    expect(reopened.recovery.verifiedBytes).toBe(0);
    expect(reopened.maxOffsetInQueue('TopicTest', 1)).toBe(10);
    const got = await reopened.getMessage('TopicTest', 1, 0, ALL);
    expect(bodies(got.records)).toEqual(Array.from({ length: 10 }, (_, i) => `m${2 * i + 1}`));
    expect((await reopened.putMessage(putRequest({ queueId: 1 }))).queueOffset).toBe(10);
    await reopened.close();
  });

  it('SYNC_FLUSH: every acknowledged message survives a power loss; queues are rebuilt', async () => {
    const disk = new MemoryDisk();
    const config = smallConfig({ flushDiskType: 'SYNC_FLUSH' });
    const store = await openStore(disk, config);
    const acknowledged: string[] = [];
    for (let i = 0; i < 30; i++) {
      const result = await store.putMessage(putRequest({ body: `m${i}` }));
      if (result.status === 'PUT_OK') acknowledged.push(`m${i}`);
    }
    // Unacknowledged tail: appended but never awaited.
    void store.putMessage(putRequest({ body: 'late' }));
    disk.crash();
    const reopened = await openStore(disk, config);
    expect(reopened.recovery.kind).toBe('crash');
    const got = await reopened.getMessage('TopicTest', 0, 0, { maxMessages: 64, maxBytes: 1 << 20 });
    expect(bodies(got.records).slice(0, acknowledged.length)).toEqual(acknowledged);
    const next = await reopened.putMessage(putRequest({ body: 'after' }));
    expect(next.status).toBe('PUT_OK');
    expect(next.queueOffset).toBe(got.records.length);
    await reopened.close();
  });

  it('does not show a consumer a SYNC_FLUSH message before it is durable', async () => {
    const clock = new FakeClock();
    const store = await openStore(new MemoryDisk(), smallConfig({ flushDiskType: 'SYNC_FLUSH' }), clock);
    const pending = store.putMessage(putRequest({ body: 'x' }));
    expect(store.maxOffsetInQueue('TopicTest', 0)).toBe(0);
    expect((await pending).status).toBe('PUT_OK');
    expect(store.maxOffsetInQueue('TopicTest', 0)).toBe(1);
    await store.close();
  });
});

describe('MessageStore input checks', () => {
  it('refuses topics outside RocketMQ’s alphabet and NUL in properties, naming the fix', async () => {
    const store = await openStore();
    const badTopic = await store.putMessage(putRequest({ topic: 'orders/eu' }));
    expect(badTopic.status).toBe('MESSAGE_ILLEGAL');
    expect(badTopic.error?.code).toBe('TOPIC_INVALID');
    expect(badTopic.error?.message).toMatch(
      /"orders\/eu" is not a valid topic name: use 1 to 127 characters/,
    );
    const badKeys = await store.putMessage(putRequest({ keys: 'a\u0000b' }));
    expect(badKeys.status).toBe('MESSAGE_ILLEGAL');
    expect(badKeys.error?.code).toBe('PROPERTIES_INVALID');
    expect((await store.putMessage(putRequest({ topic: '%RETRY%group-1' }))).status).toBe('PUT_OK');
    await store.close();
  });
});

describe('MessageStore.putMessages', () => {
  it('appends a batch with one acknowledgement, checking each message on its own', async () => {
    const store = await openStore(new MemoryDisk(), smallConfig({ flushDiskType: 'SYNC_FLUSH' }));
    const results = await store.putMessages([
      putRequest({ body: 'a' }),
      putRequest({ body: 'b', topic: 'bad topic' }),
      putRequest({ body: 'c' }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['PUT_OK', 'MESSAGE_ILLEGAL', 'PUT_OK']);
    expect(results.map((r) => r.queueOffset)).toEqual([0, -1, 1]);
    const got = await store.getMessage('TopicTest', 0, 0, ALL);
    expect(bodies(got.records)).toEqual(['a', 'c']);
    await store.close();
  });
});
