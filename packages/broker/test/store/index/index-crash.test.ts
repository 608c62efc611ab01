import { FakeClock } from '../../../src/common/fake-clock';
import { INDEX_HEADER, type IndexFileGeometry } from '../../../src/store/index/index-file-layout';
import { type IndexDispatchRequest, indexKeysOf } from '../../../src/store/index/index-dispatch';
import type { IndexService } from '../../../src/store/index/index-service';
import {
  ALL_TIME,
  CrashingDisk,
  keysInSlots,
  type LoggedWrite,
  message,
  OffsetModel,
  openService,
  SimulatedCrash,
  slotMate,
} from './index-test-helpers';

// 2100 slots span three file pages: slots 0-1013 (page 0), 1014-2037 (page 1), 2038-2099 (page 2).
// Keys only in pages 0 and 2 make a flush write the slot table in two separate runs.
const GEOMETRY: IndexFileGeometry = { maxHashSlotNum: 2100, maxIndexNum: 16 };
const ENTRIES_START = INDEX_HEADER.SIZE + GEOMETRY.maxHashSlotNum * 4;
const WRITE_BACK_BYTES = 40; // two entries: write-backs happen between flushes too
const T0 = Date.UTC(2024, 0, 1);

const A = keysInSlots('T', 'a', GEOMETRY.maxHashSlotNum, 0, 1013, 8);
const B = keysInSlots('T', 'b', GEOMETRY.maxHashSlotNum, 2038, 2099, 3);
const key = (pool: string[], i: number): string => pool[i] ?? 'missing';
const A2_MATE = slotMate('T', key(A, 2), GEOMETRY.maxHashSlotNum);
const record = (i: number, keys: string[], uniqKey?: string): IndexDispatchRequest =>
  message(i * 100, T0 + i * 1000, keys.join(' '), uniqKey === undefined ? {} : { uniqKey });

/** Flushed before the crash window opens: all of it must survive every crash. */
const BATCH_1 = [
  record(1, [key(A, 0), key(A, 1)]),
  record(2, [key(A, 2)], key(B, 0)),
  record(3, [key(A, 0)]),
  record(4, [A2_MATE]),
];
/** Dispatched and flushed inside the crash window: 9 more entries fill file 1, r9 rolls to file 2. */
const BATCH_2 = [
  record(5, [key(A, 0), key(B, 1)]),
  record(6, [key(A, 3)]),
  record(7, [key(A, 1), key(A, 4)], key(B, 2)),
  record(8, [key(A, 2), key(B, 0)]),
  record(9, [key(A, 0), key(A, 5)]),
  record(10, [key(A, 6)]),
];
/** Dispatched after recovery. */
const BATCH_3 = [record(11, [key(A, 0), key(B, 1)]), record(12, [key(A, 7)])];

const MODEL = new OffsetModel();
MODEL.add([...BATCH_1, ...BATCH_2, ...BATCH_3]);
const PROBE_KEYS = [
  ...A,
  ...B,
  A2_MATE,
  'never-put',
  slotMate('T', key(A, 0), GEOMETRY.maxHashSlotNum, 'ghost'),
];

interface Outcome {
  readonly disk: CrashingDisk;
  readonly completed: boolean;
}

/** Runs up to the crash: batch 1 and a flush, then batch 2 and a flush with `crashAt` operations allowed. */
async function runUntilCrash(crashAt: number): Promise<Outcome> {
  const disk = new CrashingDisk();
  const service = await openService(disk, GEOMETRY, new FakeClock(T0), WRITE_BACK_BYTES);
  for (const r of BATCH_1) await service.buildIndex(r);
  await service.flush();
  disk.crashAfter(crashAt);
  try {
    for (const r of BATCH_2) await service.buildIndex(r);
    await service.flush();
    return { disk, completed: true };
  } catch (error) {
    if (!(error instanceof SimulatedCrash)) throw error;
    return { disk, completed: false };
  }
}

/** Tear points of a write: headers land whole (one sector), slot ints whole, entries anywhere. */
function tearPoints(write: LoggedWrite): number[] {
  if (write.truncate || write.position < INDEX_HEADER.SIZE) return [];
  const step = write.position < ENTRIES_START ? 4 : 1;
  const points: number[] = [];
  for (let at = step; at < write.length; at += step) points.push(at);
  return points;
}

async function verify(
  service: IndexService,
  mustFind: readonly IndexDispatchRequest[],
  exact: boolean,
  label: string,
): Promise<void> {
  for (const probe of PROBE_KEYS) {
    const found = (await service.queryOffsets('T', probe, 1000, 0, ALL_TIME)).phyOffsets;
    const allowed = MODEL.allowed('T', probe);
    const invented = found.filter((o) => !allowed.has(o));
    if (invented.length > 0)
      throw new Error(`${label}: ${probe} returned never-put offsets ${invented.join()}`);
    const missing = mustFind
      .filter((r) => indexKeysOf(r).includes(`T#${probe}`) && !found.includes(r.commitLogOffset))
      .map((r) => r.commitLogOffset);
    if (missing.length > 0) throw new Error(`${label}: ${probe} lost offsets ${missing.join()}`);
    if (exact && new Set(found).size !== found.length)
      throw new Error(`${label}: ${probe} duplicated: ${found.join()}`);
  }
}

/** After the crash: reload, check, replay the commit log, check, go on writing, reload, check. */
async function recoverAndCheck(outcome: Outcome, label: string): Promise<void> {
  const { disk } = outcome;
  const clock = new FakeClock(T0 + 3_600_000);
  const recovered = await openService(disk, GEOMETRY, clock, WRITE_BACK_BYTES);
  await verify(recovered, outcome.completed ? [...BATCH_1, ...BATCH_2] : BATCH_1, false, `${label} reload`);
  // Abnormal recovery replays the commit log; the index must take each record exactly once.
  for (const r of [...BATCH_1, ...BATCH_2]) await recovered.buildIndex(r);
  await verify(recovered, [...BATCH_1, ...BATCH_2], true, `${label} replay`);
  for (const r of BATCH_3) await recovered.buildIndex(r);
  await recovered.close();
  const reopened = await openService(disk, GEOMETRY, clock, WRITE_BACK_BYTES);
  await verify(reopened, [...BATCH_1, ...BATCH_2, ...BATCH_3], true, `${label} after more puts`);
  await reopened.close();
}

describe('index crash consistency', () => {
  it('uses keys that make two slot runs and chains across flushes', () => {
    expect(A).toHaveLength(8);
    expect(B).toHaveLength(3);
  });

  it('recovers from a crash at every operation of write-back, roll and flush, with every surviving prefix and tear', async () => {
    const full = await runUntilCrash(Infinity);
    expect(full.completed).toBe(true);
    const operations = full.disk.operations;
    await recoverAndCheck(full, 'no crash');
    let scenarios = 0;
    for (let crashAt = 0; crashAt < operations; crashAt++) {
      const probe = await runUntilCrash(crashAt);
      expect(probe.completed).toBe(false);
      const pendingFiles = [...probe.disk.pending].filter(([, log]) => log.length > 0);
      const targets = pendingFiles.length === 0 ? [['', []] as [string, LoggedWrite[]]] : pendingFiles;
      for (const [path, log] of targets) {
        for (let kept = 0; kept <= log.length; kept++) {
          const last = log[kept - 1];
          const tears: (number | undefined)[] = [undefined, ...(last === undefined ? [] : tearPoints(last))];
          for (const tornBytes of tears) {
            const outcome = await runUntilCrash(crashAt);
            outcome.disk.crash((p) => (p === path ? { writes: kept, tornBytes } : { writes: 0 }));
            await recoverAndCheck(
              outcome,
              `crash at op ${crashAt}, ${path} keeps ${kept} torn at ${tornBytes}`,
            );
            scenarios++;
          }
        }
      }
    }
    expect(scenarios).toBeGreaterThan(operations);
  }, 300_000);

  it('recovers when the disk persisted any subset of the writes since the last sync (reordering)', async () => {
    const operations = (await runUntilCrash(Infinity)).disk.operations;
    let scenarios = 0;
    for (let crashAt = 0; crashAt < operations; crashAt++) {
      const probe = await runUntilCrash(crashAt);
      for (const [path, log] of probe.disk.pending) {
        for (const kept of subsetsOf(log.length)) {
          const outcome = await runUntilCrash(crashAt);
          await outcome.disk.crashKeepingSubset(path, kept);
          await recoverAndCheck(outcome, `crash at op ${crashAt}, ${path} keeps writes {${kept.join()}}`);
          scenarios++;
        }
      }
    }
    expect(scenarios).toBeGreaterThan(operations);
  }, 300_000);
});

describe('index crash while loading', () => {
  it('a crash while loading writes back healed slots is healed again on the next load', async () => {
    const operations = (await runUntilCrash(Infinity)).disk.operations;
    // Operation N-2 is the last flush's header write: its slots are durable and its header is
    // not, so loading has slots to heal and write back.
    const headerWrite = operations - 2;
    let scenarios = 0;
    for (let crashAt = 0; ; crashAt++) {
      const probe = await healCrash(headerWrite, crashAt);
      if (probe === undefined) break;
      for (const [path, log] of probe.pending) {
        for (let kept = 0; kept <= log.length; kept++) {
          const last = log[kept - 1];
          for (const tornBytes of [undefined, ...(last === undefined ? [] : tearPoints(last))]) {
            const disk = await healCrash(headerWrite, crashAt);
            disk?.crash((p) => (p === path ? { writes: kept, tornBytes } : { writes: 0 }));
            if (disk === undefined) throw new Error('the crash point moved');
            await recoverAndCheck(
              { disk, completed: false },
              `heal crash at ${crashAt}, keeps ${kept} torn at ${tornBytes}`,
            );
            scenarios++;
          }
        }
      }
    }
    expect(scenarios).toBeGreaterThan(3);
  }, 120_000);
});

/** Crashes at the header write, then again `crashAt` operations into the next load; undefined if that load completes. */
async function healCrash(headerWrite: number, crashAt: number): Promise<CrashingDisk | undefined> {
  const { disk } = await runUntilCrash(headerWrite);
  disk.crash(() => ({ writes: 0 }));
  disk.crashAfter(crashAt);
  try {
    await openService(disk, GEOMETRY, new FakeClock(T0), WRITE_BACK_BYTES);
    return undefined;
  } catch (error) {
    if (!(error instanceof SimulatedCrash)) throw error;
    return disk;
  }
}

/** Every subset of n writes while that stays small; beyond, each write alone and all but each one. */
function subsetsOf(n: number): number[][] {
  const all = Array.from({ length: n }, (_, i) => i);
  if (n <= 6) return Array.from({ length: 2 ** n }, (_, mask) => all.filter((i) => (mask >> i) & 1));
  return [...all.map((i) => [i]), ...all.map((i) => all.filter((j) => j !== i)), all];
}
