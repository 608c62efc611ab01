// Crashes at every kind of moment: a workload of timed messages (some sent after their time, so
// they are filed late) runs on a fake clock, and the whole rig is killed before its Nth disk
// mutation: a commit-log write, a bucket append, a bucket fdatasync, the checkpoint's temp file or
// rename, a bucket deletion. It restarts on what the disk kept, and the workload goes on (sends
// that were not acknowledged are sent again). Then: every acknowledged message is delivered, no
// copy is stored before its due time, and a message due after the restart arrives exactly on time
// (its put held back PUT_DELAY_MS, so that checkpoints are taken while deliveries are in flight).

import type { MemoryDisk } from '../../../src/store/disk/memory-disk';
import type { FlushDiskType } from '../../../src/store/commitlog/commit-log';
import { MemoryDisk as Disk } from '../../../src/store/disk/memory-disk';
import { SystemTopic } from '../../../src/server/topic/system-topics';
import { deliveredIn, openTimerRig, putTimed, type Delivered, type TimerRig } from './timer-fixtures';

const T0 = Date.UTC(2024, 0, 1, 0, 0, 0, 300);
const STEP_MS = 25;
/** Longer than the checkpoint interval: checkpoints are taken with deliveries in flight. */
const PUT_DELAY_MS = 150;
const END_MS = T0 + 3600;

interface Planned {
  readonly body: string;
  readonly sendAtMs: number;
  readonly dueMs: number;
}

/** 36 messages sent over 2 s, due 50 ms to 1.2 s later; every sixth is sent 300 ms after its time. */
function workload(): Planned[] {
  let seed = 12345;
  const next = (bound: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % bound;
  };
  return Array.from({ length: 36 }, (_, i) => {
    const sendAtMs = T0 + next(2000);
    const dueMs = i % 6 === 5 ? sendAtMs - 300 : sendAtMs + 50 + next(1150);
    return { body: `m${i}`, sendAtMs, dueMs };
  });
}

interface Variant {
  readonly name: string;
  readonly flushDiskType: FlushDiskType;
  /** What the disk keeps of writes not yet made durable. */
  readonly keep: Parameters<MemoryDisk['crash']>[0];
  /**
   * What must be delivered: every acknowledged send, or (when the flush mode lets a machine crash
   * take back acknowledged sends) every parked message the recovered store still has.
   */
  readonly mustDeliver: 'acknowledged' | 'parked';
}

const VARIANTS: readonly Variant[] = [
  // SIGKILL: the page cache survives the process.
  {
    name: 'process killed (ASYNC_FLUSH)',
    flushDiskType: 'ASYNC_FLUSH',
    keep: (_, pending) => ({ writes: pending }),
    mustDeliver: 'acknowledged',
  },
  // Power loss: only what was fdatasync'd survives.
  {
    name: 'power lost (SYNC_FLUSH)',
    flushDiskType: 'SYNC_FLUSH',
    keep: () => ({ writes: 0 }),
    mustDeliver: 'acknowledged',
  },
  // Power loss that wrote back part of the cache on its own, the last write torn.
  {
    name: 'power lost with torn writes (SYNC_FLUSH)',
    flushDiskType: 'SYNC_FLUSH',
    keep: (_, pending) => ({ writes: Math.ceil(pending / 2), tornBytes: 7 }),
    mustDeliver: 'acknowledged',
  },
  // Power loss in ASYNC_FLUSH: recent sends and deliveries may go; what the timer claimed may not.
  {
    name: 'power lost (ASYNC_FLUSH)',
    flushDiskType: 'ASYNC_FLUSH',
    keep: () => ({ writes: 0 }),
    mustDeliver: 'parked',
  },
];

interface Outcome {
  /** Logical message name → the plan, for every message that must be delivered. */
  readonly required: ReadonlyMap<string, Planned>;
  /** Delivered copies; their body is `<name>@<generation that sent it>`. */
  readonly delivered: readonly Delivered[];
  readonly restartedAtMs: number | undefined;
  /** Disk mutations of the first rig before the workload's end. */
  readonly mutations: number;
}

async function run(variant: Variant, crashBeforeMutation: number): Promise<Outcome> {
  const plan = workload();
  const disk = new Disk();
  const acknowledged = new Set<string>();
  let mutations = 0;
  let crashed = false;
  let restartedAtMs: number | undefined;
  const open = (nowMs: number, beforeMutation?: (rig: TimerRig) => void) =>
    openTimerRig({
      disk,
      nowMs,
      flushDiskType: variant.flushDiskType,
      putDelayMs: PUT_DELAY_MS,
      ...(beforeMutation === undefined ? {} : { beforeMutation }),
    });
  let rig = await open(T0, (self) => {
    if (++mutations === crashBeforeMutation) {
      crashed = true;
      self.crash(variant.keep);
    }
  });
  // Sends not acknowledged before a crash are sent again, as a producer retries; each generation's
  // copy has a body of its own so a test can tell a resent copy from a record delivered twice.
  let generation = 0;
  const sending = new Set<string>();
  while (rig.clock.now() < END_MS) {
    for (const message of plan) {
      if (message.sendAtMs > rig.clock.now() || acknowledged.has(message.body) || sending.has(message.body))
        continue;
      sending.add(message.body);
      const sentBy = generation;
      void putTimed(rig.store, { ...message, body: `${message.body}@${sentBy}` }).then((result) => {
        if (sentBy !== generation) return;
        sending.delete(message.body);
        if (result.status === 'PUT_OK') acknowledged.add(message.body);
      });
    }
    await rig.clock.advanceAsync(STEP_MS);
    if (crashed && restartedAtMs === undefined) {
      restartedAtMs = rig.clock.now();
      generation++;
      sending.clear();
      rig = await open(restartedAtMs);
    }
  }
  // Crash points are chosen before this: a crash from here on would leave no rig to read from.
  const mutationsBeforeEnd = mutations;
  await rig.clock.advanceAsync(500 + PUT_DELAY_MS);
  await rig.timer.settled();
  const delivered = await deliveredIn(rig.store);
  const parked = new Set((await deliveredIn(rig.store, SystemTopic.TIMER)).map((copy) => nameOf(copy.body)));
  await rig.close();
  const mustHave = variant.mustDeliver === 'acknowledged' ? acknowledged : parked;
  const required = new Map(plan.filter((message) => mustHave.has(message.body)).map((m) => [m.body, m]));
  return { required, delivered, restartedAtMs, mutations: mutationsBeforeEnd };
}

function nameOf(body: string): string {
  return body.split('@')[0]!;
}

function problemsOf(outcome: Outcome): string[] {
  const problems: string[] = [];
  const restart = outcome.restartedAtMs ?? Number.NEGATIVE_INFINITY;
  const byName = new Map<string, Delivered[]>();
  const afterRestart = new Map<string, number>();
  for (const copy of outcome.delivered) {
    const name = nameOf(copy.body);
    byName.set(name, [...(byName.get(name) ?? []), copy]);
    if (copy.storeTimestamp < copy.dueMs)
      problems.push(`${copy.body} stored ${copy.dueMs - copy.storeTimestamp} ms early`);
    if (copy.storeTimestamp > restart) afterRestart.set(copy.body, (afterRestart.get(copy.body) ?? 0) + 1);
  }
  // A record delivered before the crash may be delivered again after it; never twice after it.
  for (const [body, count] of afterRestart)
    if (count > 1) problems.push(`${body} delivered ${count} times after the restart`);
  for (const [name, message] of outcome.required) {
    const copies = byName.get(name) ?? [];
    if (copies.length === 0) problems.push(`${name} (due ${message.dueMs - T0}) lost`);
    const dueAfterRestart = message.dueMs > restart && message.sendAtMs <= message.dueMs;
    if (dueAfterRestart && !copies.some((copy) => copy.storeTimestamp === message.dueMs + PUT_DELAY_MS)) {
      problems.push(
        `${name} due ${message.dueMs - T0} arrived at ${copies.map((c) => c.storeTimestamp - T0).join(',')}`,
      );
    }
  }
  return problems;
}

describe('TimerService crash safety', () => {
  let totalMutations = 0;

  beforeAll(async () => {
    const clean = await run(VARIANTS[0]!, Number.POSITIVE_INFINITY);
    totalMutations = clean.mutations;
    expect(problemsOf(clean)).toEqual([]);
    expect(clean.required.size).toBe(workload().length);
    // Each message once when nothing crashes.
    expect(clean.delivered).toHaveLength(workload().length);
  });

  it.each(VARIANTS)(
    '$name at 30 points through the run: none lost, none early, on time after restart',
    async (variant) => {
      const failures: string[] = [];
      let restarts = 0;
      const points = 30;
      for (let i = 1; i <= points; i++) {
        const at = Math.max(1, Math.round((i * totalMutations) / (points + 1)));
        const outcome = await run(variant, at);
        if (outcome.restartedAtMs !== undefined) restarts++;
        for (const problem of problemsOf(outcome)) failures.push(`crash before mutation ${at}: ${problem}`);
      }
      expect(failures).toEqual([]);
      expect(restarts).toBe(points);
    },
  );
});
