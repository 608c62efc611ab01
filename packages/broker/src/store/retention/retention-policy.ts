// What retention does on one pass, as pure functions of the time, the disk usage and the settings
// (RocketMQ 4.x `DefaultMessageStore.CleanCommitLogService`). The service measures and deletes;
// everything it decides comes from here, so every rule is a row in a table test.
//
// Disk usage (fraction of the partition in use) and what a pass does in each band, with defaults:
//
//   usage  0 ─────────────── 0.75 ─────────────── 0.85 ─────────────── 0.90 ─────────────── 1
//            expired segments    expired segments    any segment,        any segment,
//            at a deleteWhen     at any hour         oldest first        oldest first
//            hour, or on request                     (clean forcibly)    (clean forcibly)
//   writes   accepted            accepted            as before           REFUSED
//
//   0.75 = diskMaxUsedSpaceRatio (percent, clamped 10..95)
//   0.85 = diskSpaceCleanForciblyRatio (`rocketmq.broker.diskSpaceCleanForciblyRatio`)
//   0.90 = diskSpaceWarningLevelRatio (`rocketmq.broker.diskSpaceWarningLevelRatio`)
//
// Comparisons are strict (`usage > threshold`), as in RocketMQ. The write refusal has RocketMQ's
// hysteresis: it starts above the warning ratio and ends only once usage is at or below the
// forcible-clean ratio, so a store hovering at 0.90 does not flap between refusing and accepting.

/** Commit-log segments deleted per pass at most (RocketMQ's `DELETE_FILES_BATCH_MAX`). */
export const MAX_SEGMENTS_PER_PASS = 10;

/**
 * Passes that a manual trigger (DELETE_EXPIRED_COMMITLOG) keeps deleting for, whatever the hour
 * (RocketMQ's `MAX_MANUAL_DELETE_FILE_TIMES`): with ≤ 10 segments a pass, up to 200 segments.
 */
export const MANUAL_DELETE_PASSES = 20;

/** `diskMaxUsedSpaceRatio` is clamped to this range, as RocketMQ's getter does. */
export const DISK_MAX_USED_SPACE_RATIO_MIN_PERCENT = 10;
export const DISK_MAX_USED_SPACE_RATIO_MAX_PERCENT = 95;

const MS_PER_HOUR = 3_600_000;

export type DeleteWhenParse =
  | { readonly ok: true; readonly hours: ReadonlySet<number> }
  | { readonly ok: false; readonly message: string };

/**
 * Parses `deleteWhen`: hours of the day (local time, 0–23) separated by ';', e.g. "04" or
 * "01;04;23". RocketMQ runs `Integer.parseInt` on each item at every pass and, on a bad item,
 * silently never deletes by time; here a bad value is a config error at start-up. Items are
 * trimmed and empty items ignored ("04;" is accepted, as Java's split accepts it).
 */
export function parseDeleteWhen(text: string): DeleteWhenParse {
  const items = text
    .split(';')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
  if (items.length === 0) {
    return { ok: false, message: `lists no hour; use hours 0-23 separated by ';', e.g. deleteWhen=04` };
  }
  const hours = new Set<number>();
  for (const item of items) {
    const hour = /^\d{1,2}$/.test(item) ? Number(item) : Number.NaN;
    if (!(hour >= 0 && hour <= 23)) {
      return {
        ok: false,
        message: `'${item}' in '${text}' is not an hour; use hours 0-23 separated by ';', e.g. deleteWhen=01;04`,
      };
    }
    hours.add(hour);
  }
  return { ok: true, hours };
}

/** `diskMaxUsedSpaceRatio` (a percent) as the fraction RocketMQ compares with, clamped 10..95. */
export function effectiveDiskMaxUsedRatio(diskMaxUsedSpaceRatioPercent: number): number {
  const clamped = Math.min(
    DISK_MAX_USED_SPACE_RATIO_MAX_PERCENT,
    Math.max(DISK_MAX_USED_SPACE_RATIO_MIN_PERCENT, diskMaxUsedSpaceRatioPercent),
  );
  return clamped / 100;
}

/** The settings the decision reads, already validated (see retention-config.ts). */
export interface RetentionThresholds {
  /** `deleteWhen`, parsed: the local hours at which expired segments are deleted. */
  readonly deleteWhenHours: ReadonlySet<number>;
  /** `diskMaxUsedSpaceRatio`, a percent; clamped to 10..95 here. */
  readonly diskMaxUsedSpaceRatio: number;
  /** `diskSpaceCleanForciblyRatio`: above it, unexpired segments go too (if enabled). */
  readonly diskSpaceCleanForciblyRatio: number;
  /** `diskSpaceWarningLevelRatio`: above it, the store refuses writes. */
  readonly diskSpaceWarningLevelRatio: number;
  /** `cleanFileForciblyEnable`: whether a disk above the forcible ratio loses unexpired segments. */
  readonly cleanFileForciblyEnable: boolean;
}

export interface RetentionSituation {
  /** Hour of the day, local time (0–23), compared with `deleteWhen`. */
  readonly localHour: number;
  /** Fraction (0..1) of the store's partition in use; undefined when it could not be measured. */
  readonly usedSpaceRatio: number | undefined;
  /** A DELETE_EXPIRED_COMMITLOG request still has passes to run. */
  readonly manual: boolean;
  /** Whether the store refuses writes now (the previous decision). */
  readonly diskFull: boolean;
}

/** Why expired segments are deleted on this pass (for logs and status; the deletion is the same). */
export type DeleteExpiredReason =
  | 'disk-over-max-ratio'
  /** RocketMQ reads an unmeasurable partition (-1) as "over the max ratio" and reclaims. */
  | 'disk-usage-unknown'
  | 'time-window'
  | 'manual';

export type RetentionAction =
  | { readonly kind: 'none' }
  /** Segments past `fileReservedTime`, oldest first, stopping at the first that is not. */
  | { readonly kind: 'delete-expired'; readonly reason: DeleteExpiredReason }
  /** Segments oldest first whatever their age (`cleanFileForciblyEnable`), the newest excepted. */
  | { readonly kind: 'clean-forcibly' };

export interface RetentionDecision {
  readonly action: RetentionAction;
  /** Whether the store must refuse writes after this pass. */
  readonly diskFull: boolean;
}

/**
 * One pass's decision. The triggers, strongest first:
 *   usage > diskSpaceCleanForciblyRatio and cleanFileForciblyEnable → clean forcibly;
 *   usage > diskMaxUsedSpaceRatio, or usage unknown                   → delete expired;
 *   the local hour is in deleteWhen                                   → delete expired;
 *   a manual request is running                                       → delete expired.
 *
 * One departure from RocketMQ, on purpose: there, usage above the forcible ratio only changes *how*
 * a pass deletes, and a pass deletes only when one of the other triggers holds; with
 * diskMaxUsedSpaceRatio above 85 a disk at 0.88 would wait for the deleteWhen hour while nearing
 * the point where writes stop. Here it is a trigger of its own. With the default ratios (75 < 85)
 * the two behave the same.
 */
export function decideRetention(
  thresholds: RetentionThresholds,
  situation: RetentionSituation,
): RetentionDecision {
  const usage = situation.usedSpaceRatio;
  const diskFull = nextDiskFull(thresholds, usage, situation.diskFull);
  const forcibly =
    thresholds.cleanFileForciblyEnable &&
    usage !== undefined &&
    usage > thresholds.diskSpaceCleanForciblyRatio;
  if (forcibly) return { action: { kind: 'clean-forcibly' }, diskFull };
  const reason = deleteExpiredReason(thresholds, situation);
  return { action: reason === undefined ? { kind: 'none' } : { kind: 'delete-expired', reason }, diskFull };
}

function deleteExpiredReason(
  thresholds: RetentionThresholds,
  situation: RetentionSituation,
): DeleteExpiredReason | undefined {
  const usage = situation.usedSpaceRatio;
  if (usage === undefined) return 'disk-usage-unknown';
  if (usage > effectiveDiskMaxUsedRatio(thresholds.diskMaxUsedSpaceRatio)) return 'disk-over-max-ratio';
  if (thresholds.deleteWhenHours.has(situation.localHour)) return 'time-window';
  if (situation.manual) return 'manual';
  return undefined;
}

/**
 * The write-refusal state after a measurement (RocketMQ's `runningFlags` DISK_FULL bit): set above
 * the warning ratio, cleared at or below the forcible-clean ratio, unchanged in between and when
 * the usage could not be measured (RocketMQ would clear it then; refusing or accepting on no
 * information would both be guesses, so the last known state stands).
 */
export function nextDiskFull(
  thresholds: Pick<RetentionThresholds, 'diskSpaceCleanForciblyRatio' | 'diskSpaceWarningLevelRatio'>,
  usedSpaceRatio: number | undefined,
  diskFull: boolean,
): boolean {
  if (usedSpaceRatio === undefined) return diskFull;
  if (usedSpaceRatio > thresholds.diskSpaceWarningLevelRatio) return true;
  if (usedSpaceRatio <= thresholds.diskSpaceCleanForciblyRatio) return false;
  return diskFull;
}

/** RocketMQ's test: a segment expires `fileReservedTime` hours after it was last written. */
export function isSegmentExpired(
  lastModifiedMs: number,
  fileReservedTimeHours: number,
  nowMs: number,
): boolean {
  return nowMs >= lastModifiedMs + fileReservedTimeHours * MS_PER_HOUR;
}

export interface SegmentAge {
  /** Start offset of the commit-log segment. */
  readonly start: number;
  /** Its file's modification time; undefined when it was not read (the selection stops there). */
  readonly lastModifiedMs: number | undefined;
}

export interface SegmentSelection {
  readonly nowMs: number;
  readonly fileReservedTimeHours: number;
  /** Take segments whatever their age (the clean-forcibly action). */
  readonly forcibly: boolean;
  /** At most this many (default MAX_SEGMENTS_PER_PASS). */
  readonly max?: number;
}

/**
 * Which segments a pass deletes, given every segment oldest first: a prefix of them, never the
 * newest (it is being written), at most `max`, stopping at the first unexpired one unless forcibly
 * (RocketMQ's `MappedFileQueue.deleteExpiredFileByTime`: deleting only a prefix keeps the log
 * contiguous, so its minimum offset is simply the start of the oldest segment left).
 */
export function selectSegmentsToDelete(
  segments: readonly SegmentAge[],
  selection: SegmentSelection,
): number[] {
  const max = selection.max ?? MAX_SEGMENTS_PER_PASS;
  const selected: number[] = [];
  for (const segment of segments.slice(0, -1)) {
    if (selected.length >= max) break;
    const { lastModifiedMs } = segment;
    const eligible =
      selection.forcibly ||
      (lastModifiedMs !== undefined &&
        isSegmentExpired(lastModifiedMs, selection.fileReservedTimeHours, selection.nowMs));
    if (!eligible) break;
    selected.push(segment.start);
  }
  return selected;
}
