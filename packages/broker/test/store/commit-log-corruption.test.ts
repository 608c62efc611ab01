// Commit-log corruption as etcd's wal/repair_test.go does it: cut the tail at every byte, flip
// single bytes in each field, tear writes at power loss. Recovery must stop at the last valid
// record, serve nothing damaged, keep the consume queue in step with the log, and take appends.
//
// What happens to the records AFTER a damaged one: they are cut. The scan cannot find the next
// record without trusting the damaged one's TOTALSIZE, so the damage point becomes the end of the
// log, later bytes are zeroed and later segments deleted. RocketMQ's recoverAbnormally does the same.
import { FakeClock } from '../../src/common/fake-clock';
import { BODY_OFFSET_V4 } from '../../src/protocol/message/stored-message-layout';
import { decodeStoredMessage } from '../../src/protocol/message/stored-message-decoder';
import type { Disk } from '../../src/store/disk/disk';
import { MemoryDisk } from '../../src/store/disk/memory-disk';
import { MessageStore, type PutMessageRequest, type PutMessageResult } from '../../src/store/message-store';
import { ROOT, openStore, putRequest, smallConfig } from './store-fixtures';
import {
  PowerSwitchDisk,
  diskFromImage,
  editBytes,
  expectedRecord,
  imageOf,
  seededRandom,
  segmentPosition,
  type DiskImage,
} from './commit-log-corruption-fixtures';

const TOPIC = 'TopicTest';
const config = smallConfig({ flushDiskType: 'SYNC_FLUSH' });
const SEGMENT = config.mappedFileSizeCommitLog;
const ALL = { maxMessages: 4096, maxBytes: 1 << 24 };
/** How a scan reports a damaged record; `end-of-data` is what zeroed or bad-magic bytes read as. */
const DAMAGE_STOPS = ['end-of-data', 'torn-record', 'corrupt', 'stale-record'];

interface Written {
  readonly request: PutMessageRequest;
  readonly result: PutMessageResult;
  /** The record as the codec encodes it: what the store must serve, byte for byte. */
  readonly bytes: Buffer;
}

interface WrittenLog {
  readonly image: DiskImage;
  readonly records: readonly Written[];
}

/** Message `i` of a run: a body of random size and bytes; tags and keys on most. */
function message(i: number, random: (below: number) => number, maxBody: number): PutMessageRequest {
  const body = Buffer.alloc(random(maxBody + 1));
  for (let j = 0; j < body.length; j++) body[j] = random(256);
  const plain = i % 4 === 3;
  return putRequest({ body, tags: plain ? undefined : `Tag${i % 3}`, keys: plain ? undefined : `k${i}` });
}

type Ending = 'crash with the checkpoint behind the damage' | 'clean shutdown, checkpoint file lost';

/**
 * Puts `count` acknowledged messages, then leaves the disk as a crash (a checkpoint written
 * half-way, so recovery verifies from there) or a clean shutdown whose checkpoint is gone (so
 * recovery verifies every segment). `last` replaces the final message.
 */
async function writeLog(ending: Ending, count: number, last?: PutMessageRequest): Promise<WrittenLog> {
  const disk = new MemoryDisk();
  const clock = new FakeClock();
  const store = await openStore(disk, config, clock);
  const random = seededRandom(7);
  const records: Written[] = [];
  for (let i = 0; i < count; i++) {
    const request = i === count - 1 && last !== undefined ? last : message(i, random, 400);
    const result = await store.putMessage(request);
    expect(result.status).toBe('PUT_OK');
    records.push({ request, result, bytes: expectedRecord(request, result) });
    if (i === Math.floor(count / 2)) await clock.advanceAsync(config.flushIntervalConsumeQueue);
  }
  if (ending === 'clean shutdown, checkpoint file lost') {
    await store.close();
    await disk.remove(config.storeCheckpoint);
  } else {
    disk.crash();
  }
  return { image: await imageOf(disk, ROOT), records };
}

/** Reads the whole queue through getMessage, checking the CRC of everything served. */
async function served(store: MessageStore): Promise<Buffer[]> {
  const records: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const got = await store.getMessage(TOPIC, 0, offset, ALL);
    if (got.status !== 'FOUND') return records;
    for (const record of got.records) {
      const decoded = decodeStoredMessage(record, 0, { checkCrc: true });
      if (decoded.kind !== 'message') throw new Error(`served a ${decoded.kind} record at ${offset}`);
      records.push(record);
    }
    offset = got.nextBeginOffset;
  }
}

/** Indexes of `expected` that the store does not serve as the same bytes at the same place. */
async function differences(store: MessageStore, expected: readonly Buffer[]): Promise<string[]> {
  const actual = await served(store);
  const wrong: string[] = [];
  for (let i = 0; i < Math.max(actual.length, expected.length); i++) {
    const a = actual[i];
    const e = expected[i];
    if (a === undefined || e === undefined || !a.equals(e)) {
      wrong.push(`${i}: ${a === undefined ? 'missing' : e === undefined ? 'extra' : 'different'}`);
    }
  }
  return wrong;
}

/**
 * Opens a damaged copy and checks that the log now ends where record `damaged` began: the records
 * before it are served unchanged, it and everything after it are gone, the queue agrees, and a new
 * put lands in its place and survives a clean restart.
 */
async function expectCutAt(disk: Disk, log: WrittenLog, damaged: number): Promise<void> {
  const cut = log.records[damaged];
  if (cut === undefined) throw new Error(`no record ${damaged}`);
  const end = cut.result.physicalOffset;
  const intact = log.records.slice(0, damaged).map((record) => record.bytes);

  const store = await openStore(disk, config);
  expect(store.recovery.kind).toBe('crash');
  expect(store.recovery.fromOffset).toBeLessThanOrEqual(end);
  expect(DAMAGE_STOPS).toContain(store.recovery.stop);
  expect(store.recovery.endOffset).toBe(end);
  expect(store.commitLogOffsets().max).toBe(end);
  expect(store.maxOffsetInQueue(TOPIC, 0)).toBe(damaged);
  expect(await differences(store, intact)).toEqual([]);
  for (const later of log.records.slice(damaged)) {
    expect(await store.readMessageAt(later.result.physicalOffset)).toBeUndefined();
  }

  const request = putRequest({ body: 'after the damage', tags: 'TagZ' });
  const result = await store.putMessage(request);
  expect(result).toMatchObject({ status: 'PUT_OK', queueOffset: damaged, physicalOffset: end });
  const appended = [...intact, expectedRecord(request, result)];
  expect(await differences(store, appended)).toEqual([]);
  await store.close();

  const reopened = await openStore(disk, config);
  expect(reopened.recovery.kind).toBe('clean');
  expect(reopened.maxOffsetInQueue(TOPIC, 0)).toBe(damaged + 1);
  expect(await differences(reopened, appended)).toEqual([]);
  await reopened.close();
}

/** A copy of the log with every byte of the segment zeroed from `offset` on. */
async function cutAt(log: WrittenLog, offset: number): Promise<MemoryDisk> {
  const disk = await diskFromImage(log.image);
  const { path, position } = segmentPosition(config.storePathCommitLog, SEGMENT, offset);
  await editBytes(disk, path, position, SEGMENT - position, (bytes) => bytes.fill(0));
  return disk;
}

/**
 * Whether the body CRC and the length fields can see a cut: a cut in the topic or properties bytes
 * that leaves the lengths consistent yields a record that passes every check RocketMQ 4.x's format
 * has (the CRC covers the body only).
 */
function visibleToFormat(record: Buffer, cut: number): boolean {
  const damaged = Buffer.concat([record.subarray(0, cut), Buffer.alloc(record.length - cut)]);
  return decodeStoredMessage(damaged, 0, { checkCrc: true }).kind !== 'message';
}

/** Opens a copy expected to hold every record of the log. */
async function expectIntact(disk: Disk, log: WrittenLog): Promise<void> {
  const store = await openStore(disk, config);
  expect(store.recovery.stop).toBe('end-of-data');
  expect(store.maxOffsetInQueue(TOPIC, 0)).toBe(log.records.length);
  expect(
    await differences(
      store,
      log.records.map((record) => record.bytes),
    ),
  ).toEqual([]);
  await store.close();
}

const ENDINGS: Ending[] = [
  'crash with the checkpoint behind the damage',
  'clean shutdown, checkpoint file lost',
];
const LAST_RECORDS: Array<[string, PutMessageRequest]> = [
  ['with properties', putRequest({ body: 'the last one, with tags', tags: 'TagL', keys: 'last-key' })],
  ['without properties', putRequest({ body: 'the last one, no properties' })],
];
// With seed 7, record 39 opens a segment (the cut then deletes the whole file) and record 46 sits
// inside one; the test checks this rather than trusting it.
const POSITIONS: Array<[string, number, (offsetInSegment: number) => boolean]> = [
  ['first in its segment', 40, (at) => at === 0],
  ['inside its segment', 47, (at) => at > 0],
];
const TAIL_CASES = ENDINGS.flatMap((ending) =>
  LAST_RECORDS.flatMap(([shape, last]) =>
    POSITIONS.map(([where, count, placed]) => [ending, shape, where, last, count, placed] as const),
  ),
);

describe('a commit-log tail cut at every byte of the last record', () => {
  it.each(TAIL_CASES)(
    '%s; last record %s, %s: recovery ends the log before it',
    async (ending, _shape, _where, last, count, placed) => {
      const log = await writeLog(ending, count, last);
      const record = log.records[count - 1]!;
      expect(placed(record.result.physicalOffset % SEGMENT)).toBe(true);
      let checked = 0;
      for (let cut = 0; cut < record.bytes.length; cut++) {
        const untouched = record.bytes.subarray(cut).every((byte) => byte === 0);
        if (!untouched && !visibleToFormat(record.bytes, cut)) continue; // the next test covers these
        const disk = await cutAt(log, record.result.physicalOffset + cut);
        // Zeroing bytes that were zero already (an empty properties length) loses nothing.
        if (untouched) await expectIntact(disk, log);
        else await expectCutAt(disk, log, count - 1);
        checked++;
      }
      // Every cut up to the end of the body and the topic length byte is visible to the format.
      expect(checked).toBeGreaterThan(BODY_OFFSET_V4 + record.request.fields.body.length);
    },
  );

  // The body CRC cannot see a cut inside the topic or properties that leaves the lengths
  // consistent; recovery's text check (topic alphabet, no NUL) rejects those records.
  it.each(TAIL_CASES)(
    '%s; last record %s, %s: cuts the body CRC cannot see',
    async (ending, _shape, _where, last, count) => {
      const log = await writeLog(ending, count, last);
      const record = log.records[count - 1]!;
      for (let cut = 0; cut < record.bytes.length; cut++) {
        const untouched = record.bytes.subarray(cut).every((byte) => byte === 0);
        if (untouched || visibleToFormat(record.bytes, cut)) continue;
        await expectCutAt(await cutAt(log, record.result.physicalOffset + cut), log, count - 1);
      }
    },
  );
});

// The records after the flipped one are cut with it (see the top of the file): they were whole and
// acknowledged, but the damage point becomes the end of the log, as in RocketMQ.
describe('a single flipped byte in a record in the middle of the last segment', () => {
  let log: WrittenLog;
  let damaged: number;
  beforeAll(async () => {
    log = await writeLog('crash with the checkpoint behind the damage', 47);
    const lastSegment = log.records[log.records.length - 1]!.result.physicalOffset;
    const inLast = log.records
      .map((record, index) => ({ record, index }))
      .filter(({ record }) => record.result.physicalOffset >= lastSegment - (lastSegment % SEGMENT));
    damaged = inLast[Math.floor(inLast.length / 2)]!.index;
  });

  const bodyLength = (index: number): number => log.records[index]!.request.fields.body.length;
  const FIELDS: Array<[string, (index: number) => number]> = [
    ['TOTALSIZE byte 0', () => 0],
    ['TOTALSIZE byte 3', () => 3],
    ['MAGIC byte 0', () => 4],
    ['MAGIC byte 3', () => 7],
    ['BODYCRC byte 0', () => 8],
    ['BODYCRC byte 3', () => 11],
    ['body, first byte', () => BODY_OFFSET_V4],
    ['body, middle byte', (index) => BODY_OFFSET_V4 + Math.floor(bodyLength(index) / 2)],
    ['body, last byte', (index) => BODY_OFFSET_V4 + bodyLength(index) - 1],
    ['topic length', (index) => BODY_OFFSET_V4 + bodyLength(index)],
  ];
  // One bit, and every bit of the byte.
  const FLIPS = FIELDS.flatMap(([field, at]) =>
    [0x01, 0xff].map((xor) => [field, `0x${xor.toString(16).padStart(2, '0')}`, xor, at] as const),
  );

  it('has records before and after it in the same segment', () => {
    const start = (index: number) => log.records[index]!.result.physicalOffset;
    const segmentOf = (index: number) => start(index) - (start(index) % SEGMENT);
    expect(segmentOf(damaged - 1)).toBe(segmentOf(damaged));
    expect(segmentOf(damaged + 1)).toBe(segmentOf(damaged));
    expect(bodyLength(damaged)).toBeGreaterThanOrEqual(3);
  });

  it.each(FLIPS)(
    '%s ^ %s: keeps every record before it, cuts it and all after it',
    async (_f, _x, xor, at) => {
      const disk = await diskFromImage(log.image);
      const record = log.records[damaged]!;
      const { path, position } = segmentPosition(
        config.storePathCommitLog,
        SEGMENT,
        record.result.physicalOffset + at(damaged),
      );
      await editBytes(disk, path, position, 1, (bytes) => {
        bytes[0] = bytes[0]! ^ xor;
      });
      await expectCutAt(disk, log, damaged);
    },
  );
});

describe('damage in an older segment', () => {
  it('cuts the log there and deletes every later segment', async () => {
    const log = await writeLog('clean shutdown, checkpoint file lost', 47);
    const damaged = 14;
    const record = log.records[damaged]!;
    const disk = await diskFromImage(log.image);
    const { path, position } = segmentPosition(
      config.storePathCommitLog,
      SEGMENT,
      record.result.physicalOffset + BODY_OFFSET_V4,
    );
    await editBytes(disk, path, position, 1, (bytes) => {
      bytes[0] = bytes[0]! ^ 0x01;
    });
    await expectCutAt(disk, log, damaged);
    const holding = record.result.physicalOffset - (record.result.physicalOffset % SEGMENT);
    const segments = (await disk.list(config.storePathCommitLog)).map(Number);
    expect(Math.max(...segments)).toBe(holding);
  });
});

describe('power loss in the middle of writes, with the last surviving write torn', () => {
  const ROUNDS = 400;

  it(`keeps every acknowledged message, serves nothing corrupt, takes appends (${ROUNDS} seeds)`, async () => {
    const problems: string[] = [];
    for (let seed = 1; seed <= ROUNDS; seed++) {
      for (const problem of await tornWriteRound(seed)) problems.push(`seed ${seed}: ${problem}`);
    }
    expect(problems).toEqual([]);
  });

  it('opens when the power failed between creating a segment file and syncing its size', async () => {
    const disk = new PowerSwitchDisk(new MemoryDisk());
    const store = await openStore(disk, config);
    const acknowledged: Buffer[] = [];
    for (let i = 0; i < 3; i++) {
      const request = putRequest({ body: 'x'.repeat(1000) });
      acknowledged.push(expectedRecord(request, await store.putMessage(request)));
    }
    void store.putMessage(putRequest({ body: 'does not fit: opens the next segment'.repeat(30) }));
    const created = segmentPosition(config.storePathCommitLog, SEGMENT, SEGMENT).path;
    for (let ticks = 0; ticks < 1000 && !(await disk.inner.exists(created)); ticks++);
    disk.powerOff();
    const file = await disk.inner.openExisting(created);
    expect(await file.size()).toBeLessThan(SEGMENT); // the name survived the cut, the size did not

    const recovered = await openStore(disk.inner, config);
    expect(await differences(recovered, acknowledged)).toEqual([]);
    const request = putRequest({ body: 'after' });
    const result = await recovered.putMessage(request);
    expect(result).toMatchObject({ status: 'PUT_OK', queueOffset: 3 });
    expect(await differences(recovered, [...acknowledged, expectedRecord(request, result)])).toEqual([]);
    await recovered.close();
  });

  it('serves every acknowledged message when an older queue segment lost its unsynced entries', async () => {
    const disk = new MemoryDisk();
    const store = await openStore(disk, config);
    const acknowledged: Buffer[] = [];
    for (let i = 0; i < 20; i++) {
      const request = putRequest({ body: `m${i}` });
      acknowledged.push(expectedRecord(request, await store.putMessage(request)));
    }
    await store.close();
    // What a cut inside a checkpoint's queue flush can leave: the write of the newer queue segment
    // (entries 16..19) reached the disk, the older one's (0..15) did not, the checkpoint is old.
    await disk.remove(config.storeCheckpoint);
    const queueSegment = config.mappedFileSizeConsumeQueue;
    const { path } = segmentPosition(`${config.storePathConsumeQueue}/${TOPIC}/0`, queueSegment, 0);
    await editBytes(disk, path, 0, queueSegment, (bytes) => bytes.fill(0));

    const recovered = await openStore(disk, config);
    expect(recovered.maxOffsetInQueue(TOPIC, 0)).toBe(20);
    expect(await differences(recovered, acknowledged)).toEqual([]);
    await recovered.close();
  });
});

/**
 * One seeded round: puts issued without waiting; a power cut at a random disk operation that keeps
 * a random prefix of each file's unsynced writes, the last one torn at a random byte; recovery.
 * Returns what went wrong.
 */
async function tornWriteRound(seed: number): Promise<string[]> {
  const random = seededRandom(seed);
  const disk = new PowerSwitchDisk(new MemoryDisk());
  const clock = new FakeClock();
  const store = await MessageStore.open({ disk, clock, config });
  const requests: PutMessageRequest[] = [];
  const acknowledged = new Map<number, Buffer>();
  const count = 1 + random(40);
  const checkpointAt = random(count);
  // A put costs a few disk operations: the cut falls anywhere from the first segment's creation
  // to after the last fdatasync, and now and then inside a checkpoint.
  disk.cutPowerAt(random(count * 4), (_path, pending) => ({
    writes: random(pending + 1),
    tornBytes: random(3) === 0 ? undefined : random(1500),
  }));
  for (let i = 0; i < count; i++) {
    const request = message(i, random, 900);
    requests.push(request);
    // A put resolves only after the fdatasync covering it completed with the power on.
    void store.putMessage(request).then((result) => {
      if (result.status === 'PUT_OK') acknowledged.set(result.queueOffset, expectedRecord(request, result));
    });
    if (i === checkpointAt) clock.advance(config.flushIntervalConsumeQueue);
    // The in-memory disk completes on microtasks: yielding a few lets group commits, checkpoint
    // writes and new appends interleave differently in every round.
    for (let ticks = random(8); ticks > 0; ticks--) await Promise.resolve();
  }
  // Let the store finish what the cut has not stopped, then cut anyway (the abort file stays).
  for (let ticks = 0; ticks < 2_000 && disk.powered; ticks++) await Promise.resolve();
  disk.powerOff();

  const problems: string[] = [];
  let recovered: MessageStore;
  try {
    recovered = await openStore(disk.inner, config);
  } catch (error) {
    return [`cannot open: ${String(error)}`];
  }
  const kept = await servedOrReport(recovered, problems);
  for (const [queueOffset, bytes] of acknowledged) {
    if (!kept[queueOffset]?.equals(bytes))
      problems.push(`acknowledged message ${queueOffset} lost or changed`);
  }
  kept.forEach((record, queueOffset) => {
    const request = requests[queueOffset];
    const decoded = decodeStoredMessage(record, 0);
    if (request === undefined || decoded.kind !== 'message') {
      problems.push(`record ${queueOffset} was never appended`);
      return;
    }
    const appended = expectedRecord(request, decoded.message);
    if (record.equals(appended)) return;
    problems.push(`record ${queueOffset} differs from what was appended`);
  });

  const after = putRequest({ body: `after round ${seed}` });
  const result = await recovered.putMessage(after);
  if (result.status !== 'PUT_OK' || result.queueOffset !== kept.length) {
    problems.push(`append after recovery: ${result.status} at queue offset ${result.queueOffset}`);
  }
  await recovered.close();
  const reopened = await openStore(disk.inner, config);
  const expected = [...kept, expectedRecord(after, result)];
  for (const difference of await differences(reopened, expected)) {
    problems.push(`after a clean restart: ${difference}`);
  }
  await reopened.close();
  return problems;
}

/** `served`, reporting a record that fails its CRC instead of throwing. */
async function servedOrReport(store: MessageStore, problems: string[]): Promise<Buffer[]> {
  try {
    return await served(store);
  } catch (error) {
    problems.push(String(error));
    return [];
  }
}
