// Restarts of the timer service: after a clean stop, after downtime that made messages overdue,
// and over damaged or missing files (checkpoint, its backup, stray files, another bucket width).

import { capturingLogger } from '../processor/processor-fixtures';
import { TimerErrorCodes } from '../../../src/server/timer/timer-errors';
import type { MemoryDisk } from '../../../src/store/disk/memory-disk';
import {
  BUCKETS_DIR,
  CHECKPOINT_PATH,
  deliveredIn,
  openTimerRig,
  putTimed,
  TEST_BUCKET_MS,
  TEST_FLUSH_INTERVAL_MS,
  type TimerRig,
} from './timer-fixtures';

async function writeText(disk: MemoryDisk, path: string, text: string): Promise<void> {
  const file = await disk.open(path);
  await file.truncate(0);
  const bytes = Buffer.from(text);
  await file.write(bytes, 0, bytes.length, 0);
  await file.datasync();
  await file.close();
}

/** A rig with messages due 1..6 s ahead, the first two delivered; stopped cleanly. */
async function stoppedHalfway(): Promise<{ disk: MemoryDisk; nowMs: number; dues: number[] }> {
  const rig = await openTimerRig();
  const t0 = rig.clock.now();
  const dues = [1000, 2000, 3000, 4000, 5000, 6000].map((ms) => t0 + ms + 7);
  for (const [i, dueMs] of dues.entries()) await putTimed(rig.store, { body: `m${i}`, dueMs });
  await rig.clock.advanceAsync(2500);
  await rig.timer.settled();
  expect(await deliveredIn(rig.store)).toHaveLength(2);
  await rig.close();
  return { disk: rig.disk, nowMs: rig.clock.now(), dues };
}

describe('TimerService restarts', () => {
  let rig: TimerRig | undefined;

  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  it('after a clean stop, delivers the rest on time and nothing twice', async () => {
    const { disk, nowMs, dues } = await stoppedHalfway();
    rig = await openTimerRig({ disk, nowMs });
    expect(rig.timer.status()).toMatchObject({ pendingMessages: 4, nextDueMs: dues[2] });
    await rig.clock.advanceAsync(dues[5]! - rig.clock.now());
    await rig.timer.settled();
    const delivered = await deliveredIn(rig.store);
    expect(delivered.map((message) => message.body)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5']);
    expect(delivered.every((message) => message.storeTimestamp === message.dueMs)).toBe(true);
  });

  it('after downtime, delivers what fell due meanwhile at once and the rest on time', async () => {
    const { disk, nowMs, dues } = await stoppedHalfway();
    const restartAt = nowMs + 2000;
    rig = await openTimerRig({ disk, nowMs: restartAt });
    await rig.timer.settled();
    const overdue = await deliveredIn(rig.store);
    expect(overdue.slice(2).map((message) => [message.body, message.storeTimestamp])).toEqual([
      ['m2', restartAt],
      ['m3', restartAt],
    ]);
    await rig.clock.advanceAsync(dues[5]! - rig.clock.now());
    await rig.timer.settled();
    const late = (await deliveredIn(rig.store)).slice(4);
    expect(late.map((message) => message.storeTimestamp)).toEqual([dues[4], dues[5]]);
  });

  it('refuses to start when the checkpoint and its backup are both unreadable, naming the files and the fix', async () => {
    const { disk, nowMs } = await stoppedHalfway();
    await writeText(disk, CHECKPOINT_PATH, '{"version":1,"bucketMs":');
    await writeText(disk, `${CHECKPOINT_PATH}.bak`, 'not json');
    const opening = openTimerRig({ disk, nowMs });
    await expect(opening).rejects.toMatchObject({ code: TimerErrorCodes.CHECKPOINT_UNUSABLE });
    await expect(opening).rejects.toThrow(
      /timer\/checkpoint and its backup are unreadable.*Restore .* or delete .*checkpoint, its \.bak and .*buckets to rebuild/,
    );
  });

  it('uses the backup when only the checkpoint is damaged, and loses nothing', async () => {
    const { disk, nowMs, dues } = await stoppedHalfway();
    await writeText(disk, CHECKPOINT_PATH, '{"version":1,"enqueueOffset":"six"}');
    const { log, lines } = capturingLogger();
    rig = await openTimerRig({ disk, nowMs, log });
    expect(lines.join('\n')).toMatch(/timer checkpoint unusable, using its backup.*expected an integer/);
    await rig.clock.advanceAsync(dues[5]! - rig.clock.now());
    await rig.timer.settled();
    const bodies = new Set((await deliveredIn(rig.store)).map((message) => message.body));
    expect([...bodies].sort()).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5']);
  });

  it('without a checkpoint, rebuilds from the timer queue: nothing lost, nothing early, past ones again', async () => {
    const { disk, nowMs, dues } = await stoppedHalfway();
    await disk.remove(CHECKPOINT_PATH);
    await disk.remove(`${CHECKPOINT_PATH}.bak`);
    expect((await disk.list(BUCKETS_DIR)).length).toBeGreaterThan(0);
    const { log, lines } = capturingLogger();
    rig = await openTimerRig({ disk, nowMs, log });
    expect(lines.join('\n')).toMatch(/no timer checkpoint: rebuilding the timer buckets/);
    await rig.clock.advanceAsync(dues[5]! - rig.clock.now());
    await rig.timer.settled();
    const delivered = await deliveredIn(rig.store);
    // m0 and m1 were delivered before the stop and are delivered again at the restart.
    expect(delivered.map((message) => message.body)).toEqual([
      'm0',
      'm1',
      'm0',
      'm1',
      'm2',
      'm3',
      'm4',
      'm5',
    ]);
    expect(delivered.every((message) => message.storeTimestamp >= message.dueMs)).toBe(true);
    expect(delivered.slice(4).every((message) => message.storeTimestamp === message.dueMs)).toBe(true);
  });

  it('refuses files written with another bucket width', async () => {
    const { disk, nowMs } = await stoppedHalfway();
    const opening = openTimerRig({ disk, nowMs, service: { bucketMs: 2 * TEST_BUCKET_MS } });
    await expect(opening).rejects.toMatchObject({ code: TimerErrorCodes.LAYOUT_MISMATCH });
    await expect(opening).rejects.toThrow(/1000 ms timer buckets, this broker uses 2000 ms/);
  });

  it('ignores, with a warning, files in the bucket directory it did not write', async () => {
    const { disk, nowMs, dues } = await stoppedHalfway();
    await writeText(disk, `${BUCKETS_DIR}/notes.txt`, 'hello');
    const { log, lines } = capturingLogger();
    rig = await openTimerRig({ disk, nowMs, log });
    expect(lines.join('\n')).toMatch(/did not write are ignored.*notes\.txt/);
    // Past the end of the last bucket, so every bucket is deleted.
    await rig.clock.advanceAsync(dues[5]! + TEST_BUCKET_MS + TEST_FLUSH_INTERVAL_MS - rig.clock.now());
    await rig.timer.settled();
    expect(await deliveredIn(rig.store)).toHaveLength(6);
    expect(await disk.list(BUCKETS_DIR)).toEqual(['notes.txt']);
  });
});
