import { DiskFullError, RetentionErrorCodes } from '../../../src/store/retention/retention-errors';
import type { RetentionQueues } from '../../../src/store/retention/retention-ports';
import { FOUR_AM, HOUR_MS, RetentionRig, THREE_AM } from './retention-rig';

const SEGMENT = 4096;

describe('RetentionService on the real commit log, queues and index', () => {
  let rig: RetentionRig;
  afterEach(async () => {
    await rig.close();
  });

  it('deletes expired segments at the deleteWhen hour and not at other hours', async () => {
    rig = await RetentionRig.open({ startMs: THREE_AM });
    await rig.put(24);
    const before = rig.segments();
    expect(before.length).toBeGreaterThanOrEqual(6);
    const old = rig.ageOldest(3);

    const atThree = await rig.service.runPass();
    expect(atThree.decision.action).toEqual({ kind: 'none' });
    expect(rig.segments()).toEqual(before);

    rig.clock.advance(FOUR_AM - THREE_AM);
    const atFour = await advanceWhile(rig, rig.service.runPass());
    expect(atFour.decision.action).toEqual({ kind: 'delete-expired', reason: 'time-window' });
    expect(atFour.deletedSegments).toEqual(old);
    expect(rig.segments()).toEqual(before.slice(3));
    expect(rig.commitLog.minOffset).toBe(before[3]);
    expect(rig.errors).toEqual([]);

    // An hour later the window is closed again, although the next segment has expired meanwhile.
    rig.clock.advance(HOUR_MS);
    rig.setSegmentsModifiedAt(rig.clock.now() - 73 * HOUR_MS, [before[3]!]);
    expect((await rig.service.runPass()).deletedSegments).toEqual([]);
  });

  it('deletes expired segments at any hour when the disk is over diskMaxUsedSpaceRatio', async () => {
    rig = await RetentionRig.open({ startMs: THREE_AM });
    await rig.put(24);
    const before = rig.segments();
    rig.ageOldest(2);
    rig.disk.setUsedSpaceRatio(0.8);

    const report = await advanceWhile(rig, rig.service.runPass());

    expect(report.decision).toEqual({
      action: { kind: 'delete-expired', reason: 'disk-over-max-ratio' },
      diskFull: false,
    });
    expect(rig.segments()).toEqual(before.slice(2));
    expect(rig.service.status()).toMatchObject({ usedSpaceRatio: 0.8, segmentsDeleted: 2 });
  });

  it('cleans forcibly above 0.85: unexpired segments too, oldest first, ≤ 10 a pass, 100 ms apart', async () => {
    rig = await RetentionRig.open({ startMs: THREE_AM });
    await rig.put(60);
    const before = rig.segments();
    expect(before.length).toBeGreaterThan(12);
    rig.setSegmentsModifiedAt(rig.clock.now()); // nothing has expired
    rig.disk.setUsedSpaceRatio(0.86);
    const deletedAt: number[] = [];
    const real = rig.commitLog.deleteSegmentsBefore.bind(rig.commitLog);
    jest.spyOn(rig.commitLog, 'deleteSegmentsBefore').mockImplementation((offset, max) => {
      deletedAt.push(rig.clock.now());
      return real(offset, max);
    });

    const first = await advanceWhile(rig, rig.service.runPass());

    expect(first.decision.action).toEqual({ kind: 'clean-forcibly' });
    expect(first.deletedSegments).toEqual(before.slice(0, 10));
    expect(deletedAt.map((at) => at - THREE_AM)).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
    const second = await advanceWhile(rig, rig.service.runPass());
    expect(second.deletedSegments).toEqual(before.slice(10, -1));
    expect(rig.segments()).toEqual(before.slice(-1));
  });

  it('with cleanFileForciblyEnable=false a disk above 0.85 loses only expired segments', async () => {
    rig = await RetentionRig.open({ retention: { cleanFileForciblyEnable: false } });
    await rig.put(24);
    const before = rig.segments();
    rig.ageOldest(1);
    rig.disk.setUsedSpaceRatio(0.88);
    expect((await rig.service.runPass()).deletedSegments).toEqual(before.slice(0, 1));
  });

  it('never deletes the newest segment, however old and however full the disk', async () => {
    rig = await RetentionRig.open({ startMs: FOUR_AM });
    await rig.put(3); // one segment
    rig.setSegmentsModifiedAt(0);
    rig.disk.setUsedSpaceRatio(0.99);
    const only = rig.segments();
    expect(only).toHaveLength(1);
    expect((await rig.service.runPass()).deletedSegments).toEqual([]);

    await rig.put(21);
    const before = rig.segments();
    rig.setSegmentsModifiedAt(0); // all expired
    rig.disk.setUsedSpaceRatio(0.5);
    await advanceWhile(rig, rig.service.runPass());
    expect(rig.segments()).toEqual(before.slice(-1));
    expect((await rig.service.runPass()).deletedSegments).toEqual([]);
    expect(rig.segments()).toEqual(before.slice(-1));
  });

  it('advances queue minimums, deletes queue segments and index files, and old offsets answer OFFSET_TOO_SMALL', async () => {
    rig = await RetentionRig.open({ startMs: FOUR_AM });
    await rig.put(40);
    const queue = rig.queues.find('T', 0)!;
    const queueSegmentsBefore = (await rig.disk.list(`${rig.config.storePathConsumeQueue}/T/0`)).length;
    const indexFilesBefore = rig.index.fileNames.length;
    rig.ageOldest(6);

    const report = await advanceWhile(rig, rig.service.runPass());

    const newMin = rig.commitLog.minOffset;
    expect(report.deletedSegments).toHaveLength(6);
    expect(report.commitLogMinOffset).toBe(newMin);
    // The first entry left points into the oldest segment still on disk.
    const first = await queue.entryAt(queue.minOffset);
    expect(first!.commitLogOffset).toBeGreaterThanOrEqual(newMin);
    expect(first!.commitLogOffset).toBeLessThan(newMin + SEGMENT);
    expect((await queue.entryAt(queue.minOffset - 1))?.commitLogOffset ?? -1).toBeLessThan(newMin);

    const tooSmall = await rig.read(0);
    expect(tooSmall.status).toBe('OFFSET_TOO_SMALL');
    expect(tooSmall.nextBeginOffset).toBe(queue.minOffset);
    expect(tooSmall.minOffset).toBe(queue.minOffset);
    expect((await rig.read(queue.minOffset)).status).toBe('FOUND');

    // 16 entries a queue segment: those wholly below the new minimum are gone.
    const queueSegmentsAfter = (await rig.disk.list(`${rig.config.storePathConsumeQueue}/T/0`)).length;
    expect(queueSegmentsBefore - queueSegmentsAfter).toBe(Math.floor(queue.minOffset / 16));
    expect(report.queueSegmentsDeleted).toBe(Math.floor(queue.minOffset / 16));
    expect(report.indexFilesDeleted).toBeGreaterThan(0);
    expect(rig.index.fileNames.length).toBe(indexFilesBefore - report.indexFilesDeleted);
    expect(rig.service.status()).toMatchObject({
      segmentsDeleted: 6,
      queueSegmentsDeleted: report.queueSegmentsDeleted,
      indexFilesDeleted: report.indexFilesDeleted,
    });
  });

  it('refuses writes above 0.90 and accepts them again once usage is back to 0.85', async () => {
    rig = await RetentionRig.open({ startMs: THREE_AM });
    await rig.put(8);
    rig.setSegmentsModifiedAt(rig.clock.now());
    expect(rig.service.isDiskFull).toBe(false);
    expect(rig.service.diskFullError()).toBeUndefined();

    rig.disk.setUsedSpaceRatio(0.93);
    await advanceWhile(rig, rig.service.runPass());
    expect(rig.service.isDiskFull).toBe(true);
    const error = rig.service.diskFullError();
    expect(error).toBeInstanceOf(DiskFullError);
    expect(error).toMatchObject({ code: RetentionErrorCodes.DISK_FULL, retriable: true });
    expect(error!.message).toContain('/data/store/commitlog is 93.0% used');
    expect(error!.message).toContain('above diskSpaceWarningLevelRatio 90.0%');
    expect(error!.message).toContain('again at 85.0% (diskSpaceCleanForciblyRatio) or below');
    expect(error!.message).toMatch(/Free space on that partition, lower fileReservedTime/);

    rig.disk.setUsedSpaceRatio(0.87); // in the band: still refusing
    await rig.service.runPass();
    expect(rig.service.isDiskFull).toBe(true);

    rig.disk.setUsedSpaceRatio(0.84);
    await rig.service.runPass();
    expect(rig.service.isDiskFull).toBe(false);
    expect(rig.service.diskFullError()).toBeUndefined();
    expect(rig.diskFullChanges.map((s) => [s.diskFull, s.usedSpaceRatio])).toEqual([
      [true, 0.93],
      [false, 0.84],
    ]);
  });

  it('measures the disk at start, so a store restarted on a full disk refuses its first put', async () => {
    rig = await RetentionRig.open();
    rig.disk.setUsedSpaceRatio(0.95);
    await rig.service.start();
    expect(rig.service.isDiskFull).toBe(true);
    expect(rig.service.status().passes).toBe(0);
  });

  it('takes the fullest of the watched partitions', async () => {
    rig = await RetentionRig.open({
      wrap: {
        disk: (disk) => ({
          modifiedAtMs: (path) => disk.modifiedAtMs(path),
          usedSpaceRatio: async (path) => (path.endsWith('consumequeue') ? 0.95 : 0.4),
        }),
      },
    });
    await rig.service.runPass();
    expect(rig.service.status()).toMatchObject({
      diskFull: true,
      usedSpaceRatio: 0.95,
      usedSpacePath: '/data/store/consumequeue',
    });
  });

  it('runs the first pass after cleanResourceFirstDelayMs, then every cleanResourceInterval after the last ended', async () => {
    rig = await RetentionRig.open({ startMs: THREE_AM });
    await rig.put(8);
    await rig.service.start();
    await rig.clock.advanceAsync(59_999);
    expect(rig.service.status().passes).toBe(0);
    await rig.clock.advanceAsync(1);
    expect(rig.service.status()).toMatchObject({ passes: 1, lastPassAtMs: THREE_AM + 60_000 });
    await rig.clock.advanceAsync(10_000);
    expect(rig.service.status()).toMatchObject({ passes: 2, lastPassAtMs: THREE_AM + 70_000 });
    await rig.service.close();
    expect(rig.clock.pendingTimers()).toBe(0);
    await rig.clock.advanceAsync(60_000);
    expect(rig.service.status().passes).toBe(2);
  });

  it('reports a failed step to onError and runs the next pass, which finishes the follow-up', async () => {
    let failQueue = true;
    let failUsage = false;
    rig = await RetentionRig.open({
      startMs: FOUR_AM,
      retention: { cleanResourceFirstDelayMs: 1000 },
      wrap: {
        disk: (disk) => ({
          modifiedAtMs: (path) => disk.modifiedAtMs(path),
          usedSpaceRatio: async (path) => {
            if (failUsage) throw Object.assign(new Error('statfs: EIO'), { code: 'EIO' });
            return disk.usedSpaceRatio(path);
          },
        }),
        queues: (queues): RetentionQueues => ({
          all: () =>
            queues.all().map((queue) => ({
              topic: queue.topic,
              queueId: queue.queueId,
              correctMinOffset: async (min: number) => {
                if (failQueue) throw new Error('read failed');
                return queue.correctMinOffset(min);
              },
              deleteExpiredSegments: () => queue.deleteExpiredSegments(),
            })),
        }),
      },
    });
    await rig.put(24);
    await rig.service.start(); // start-up follow-up fails once: reported, not thrown
    expect(rig.errors).toHaveLength(1);
    rig.errors.length = 0;
    rig.ageOldest(2);

    await rig.clock.advanceAsync(1000 + 100);
    expect(rig.service.status()).toMatchObject({ passes: 1, segmentsDeleted: 2 });
    expect(rig.errors).toHaveLength(1);
    expect(rig.errors[0]).toMatchObject({
      code: RetentionErrorCodes.STEP_FAILED,
      step: 'correct-queue-min-offset',
      subject: 'T:0',
      retriable: true,
    });
    expect((rig.errors[0]!.cause as Error).message).toBe('read failed');
    const queue = rig.queues.find('T', 0)!;
    expect(queue.minOffset).toBe(0); // not corrected yet

    failQueue = false;
    failUsage = true;
    await rig.clock.advanceAsync(10_000);
    expect(rig.service.status().passes).toBe(2);
    expect(rig.errors.map((e) => e.step)).toEqual(['correct-queue-min-offset', 'measure-disk-usage']);
    // Usage unknown: expired segments are still reclaimed, and the follow-up is redone.
    expect((await rig.read(0)).status).toBe('OFFSET_TOO_SMALL');
    expect(queue.minOffset).toBeGreaterThan(0);
    expect(rig.service.status().errors).toBe(3);

    failUsage = false;
    await rig.clock.advanceAsync(10_000);
    expect(rig.service.status().passes).toBe(3);
    expect(rig.errors).toHaveLength(2);
  });

  it('a throwing onError callback becomes a process warning, and passes go on', async () => {
    rig = await RetentionRig.open({
      retention: { cleanResourceFirstDelayMs: 1000 },
      onError: () => {
        throw new Error('logger down');
      },
      wrap: {
        disk: (disk) => ({
          modifiedAtMs: (path) => disk.modifiedAtMs(path),
          usedSpaceRatio: async () => Number.NaN,
        }),
      },
    });
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      await rig.service.start();
      await rig.clock.advanceAsync(1000 + 10_000);
      expect(rig.service.status()).toMatchObject({ passes: 2, errors: 3 });
      expect(rig.errors.map((e) => e.step)).toEqual(Array(3).fill('measure-disk-usage'));
      expect(rig.errors[0]!.message).toMatch(/used space ratio NaN is not in 0\.\.1/);
      expect(warn).toHaveBeenCalledTimes(3);
      expect(String(warn.mock.calls[0]![0])).toMatch(
        /onError callback threw Error: logger down while reporting: retention measure-disk-usage failed/,
      );
    } finally {
      warn.mockRestore();
    }
  });

  it('DELETE_EXPIRED_COMMITLOG deletes expired segments now, at any hour, for 20 passes', async () => {
    rig = await RetentionRig.open({ startMs: THREE_AM });
    await rig.put(60);
    const before = rig.segments();
    rig.setSegmentsModifiedAt(0); // all expired

    const first = await advanceWhile(rig, rig.service.deleteExpiredNow());
    expect(first.decision.action).toEqual({ kind: 'delete-expired', reason: 'manual' });
    expect(first.deletedSegments).toEqual(before.slice(0, 10));
    expect(rig.service.status().manualPassesLeft).toBe(19);

    for (let i = 0; i < 19; i++) await advanceWhile(rig, rig.service.runPass());
    expect(rig.segments()).toEqual(before.slice(-1));
    expect(rig.service.status().manualPassesLeft).toBe(0);
    expect((await rig.service.runPass()).decision.action).toEqual({ kind: 'none' });
  });

  it('close cuts the pause between deletions short and leaves no timer', async () => {
    rig = await RetentionRig.open({ startMs: THREE_AM });
    await rig.put(24);
    rig.setSegmentsModifiedAt(rig.clock.now());
    rig.disk.setUsedSpaceRatio(0.86);
    const pass = rig.service.runPass();
    await rig.clock.advanceAsync(0); // first deletion done, pausing before the second
    await rig.service.close();
    const report = await pass;
    expect(report.deletedSegments).toHaveLength(1);
    expect(rig.clock.pendingTimers()).toBe(0);
    await expect(rig.service.runPass()).rejects.toMatchObject({ code: 'ILLEGAL_STATE' });
  });
});

/** Advances the fake clock in 100 ms steps (the pause between deletions) until `work` settles. */
async function advanceWhile<T>(rig: RetentionRig, work: Promise<T>): Promise<T> {
  let settled = false;
  const done = work.finally(() => {
    settled = true;
  });
  for (let step = 0; !settled && step < 1000; step++) await rig.clock.advanceAsync(100);
  return done;
}
