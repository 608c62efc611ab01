// MessageStore.appendReplicated: a slave's store takes its master's commit log cut into arbitrary
// chunks and ends up byte-identical, with consume queues and index built as the master's were.

import { FakeClock } from '../../src/common/fake-clock';
import { decodeStoredMessages } from '../../src/protocol/message/stored-message-decoder';
import { MemoryDisk } from '../../src/store/disk/memory-disk';
import { MessageStore } from '../../src/store/message-store';
import { StoreErrorCodes } from '../../src/store/store-errors';
import { putRequest, smallConfig } from './store-fixtures';

const SEGMENT = 4096;

async function openPair() {
  const clock = new FakeClock();
  const master = await MessageStore.open({ disk: new MemoryDisk(), clock, config: smallConfig() });
  const slave = await MessageStore.open({
    disk: new MemoryDisk(),
    clock,
    config: smallConfig(),
    replica: true,
  });
  return { clock, master, slave };
}

/** The master's whole acknowledged log, read the way its HA connection reads it. */
async function masterLog(master: MessageStore, from = 0): Promise<Buffer> {
  const parts: Buffer[] = [];
  let offset = from;
  for (;;) {
    const bytes = await master.readCommitLog(offset, 1000);
    if (bytes.length === 0) return Buffer.concat(parts);
    parts.push(bytes);
    offset += bytes.length;
  }
}

/** Feeds `log` (starting at `start`) in chunks of the given sizes, as a ReplicaReceiver would. */
async function feed(
  slave: MessageStore,
  log: Buffer,
  sizes: (i: number) => number,
  start = 0,
): Promise<void> {
  let pending = Buffer.alloc(0);
  let pendingStart = start;
  for (let at = 0, i = 0; at < log.length; i++) {
    const chunk = log.subarray(at, Math.min(log.length, at + sizes(i)));
    at += chunk.length;
    const bytes = Buffer.concat([pending, chunk]);
    const result = await slave.appendReplicated(pendingStart, bytes);
    const used = result.end - pendingStart;
    pending = used >= bytes.length ? Buffer.alloc(0) : bytes.subarray(used);
    pendingStart = used >= bytes.length ? pendingStart + bytes.length : result.end;
  }
}

describe('MessageStore.appendReplicated', () => {
  it('rebuilds an identical log and queues from chunks cut at every size, across segments', async () => {
    const { master, slave } = await openPair();
    for (let i = 0; i < 60; i++) {
      await master.putMessage(
        putRequest({ queueId: i % 3, body: `m${i}-${'y'.repeat(i * 7)}`, keys: `k${i}` }),
      );
    }
    const log = await masterLog(master);
    expect(log.length).toBeGreaterThan(2 * SEGMENT);
    await feed(slave, log, (i) => [1, 7, 91, 500, 3000][i % 5]!);
    await slave.flush();
    expect(slave.commitLogOffsets().confirmed).toBe(master.commitLogOffsets().confirmed);
    expect(Buffer.compare(await masterLog(slave), log)).toBe(0);
    for (let queueId = 0; queueId < 3; queueId++) {
      expect(slave.maxOffsetInQueue('TopicTest', queueId)).toBe(
        master.maxOffsetInQueue('TopicTest', queueId),
      );
      const limits = { maxMessages: 100, maxBytes: 1 << 20 };
      const a = await master.getMessage('TopicTest', queueId, 0, limits);
      const b = await slave.getMessage('TopicTest', queueId, 0, limits);
      expect(Buffer.compare(Buffer.concat(b.records), Buffer.concat(a.records))).toBe(0);
    }
    // The index is built too: a lookup by key finds the replicated record.
    const found = await slave.queryMessage('TopicTest', 'k42', 10, 0, Number.MAX_SAFE_INTEGER);
    expect(decodeStoredMessages(Buffer.concat(found.records)).messages.map((m) => m.queueOffset)).toEqual([
      14,
    ]);
    await master.close();
    await slave.close();
  });

  it('skips bytes it already has and says how much of a cut record it needs', async () => {
    const { master, slave } = await openPair();
    for (let i = 0; i < 3; i++) await master.putMessage(putRequest({ body: `m${i}` }));
    const log = await masterLog(master);
    const firstSize = log.readInt32BE(0);
    const partial = await slave.appendReplicated(0, log.subarray(0, firstSize + 10));
    expect(partial).toEqual({ end: firstSize, needed: log.readInt32BE(firstSize) });
    // Resent from 0 (a new connection starts at the slave's report): the overlap is skipped.
    const whole = await slave.appendReplicated(0, log);
    expect(whole).toEqual({ end: log.length, needed: 0 });
    await master.close();
    await slave.close();
  });

  it('refuses data past its end, and data that is not the records it claims to be', async () => {
    const { master, slave } = await openPair();
    for (let i = 0; i < 2; i++) await master.putMessage(putRequest({ body: `m${i}` }));
    const log = await masterLog(master);
    const firstSize = log.readInt32BE(0);
    await slave.appendReplicated(0, log.subarray(0, firstSize));
    await expect(slave.appendReplicated(firstSize + 1, log.subarray(firstSize + 1))).rejects.toMatchObject({
      code: StoreErrorCodes.REPLICA_GAP,
    });
    const damaged = Buffer.from(log.subarray(firstSize));
    // The first body byte of the second record: only the body CRC can tell.
    damaged[88] = damaged[88]! ^ 0xff;
    await expect(slave.appendReplicated(firstSize, damaged)).rejects.toMatchObject({
      code: StoreErrorCodes.REPLICA_DATA_INVALID,
    });
    // Nothing of the refused data was written.
    expect(slave.commitLogOffsets().max).toBe(firstSize);
    await master.close();
    await slave.close();
  });

  it('starts an empty log where the master log starts', async () => {
    const { master, slave } = await openPair();
    for (let i = 0; i < 80; i++) await master.putMessage(putRequest({ body: `m${i}-${'z'.repeat(100)}` }));
    const start = SEGMENT * 2;
    const log = await masterLog(master, start);
    await feed(slave, log, () => 333, start);
    expect(slave.commitLogOffsets()).toMatchObject({ min: start, max: master.commitLogOffsets().max });
    const read = await slave.getMessage('TopicTest', 0, slave.minOffsetInQueue('TopicTest', 0), {
      maxMessages: 1,
      maxBytes: 1 << 20,
    });
    expect(read.status).toBe('FOUND');
    await master.close();
    await slave.close();
  });

  it('refuses puts on a replica with SERVICE_NOT_AVAILABLE and a remark naming the master', async () => {
    const { master, slave } = await openPair();
    const result = await slave.putMessage(putRequest());
    expect(result.status).toBe('SERVICE_NOT_AVAILABLE');
    expect(result.error?.code).toBe(StoreErrorCodes.READ_ONLY);
    expect(result.error?.message).toMatch(/send them to the master/);
    await master.close();
    await slave.close();
  });
});
