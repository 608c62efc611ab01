import {
  decideRetention,
  effectiveDiskMaxUsedRatio,
  isSegmentExpired,
  nextDiskFull,
  parseDeleteWhen,
  selectSegmentsToDelete,
  type RetentionAction,
  type RetentionThresholds,
} from '../../../src/store/retention/retention-policy';

const HOUR = 3_600_000;

const DEFAULTS: RetentionThresholds = {
  deleteWhenHours: new Set([4]),
  diskMaxUsedSpaceRatio: 75,
  diskSpaceCleanForciblyRatio: 0.85,
  diskSpaceWarningLevelRatio: 0.9,
  cleanFileForciblyEnable: true,
};

const NONE: RetentionAction = { kind: 'none' };
const FORCIBLY: RetentionAction = { kind: 'clean-forcibly' };
const expired = (reason: string): RetentionAction => ({ kind: 'delete-expired', reason }) as RetentionAction;

describe('parseDeleteWhen', () => {
  it.each([
    ['04', [4]],
    ['4', [4]],
    ['01;04;23', [1, 4, 23]],
    [' 01 ; 04 ', [1, 4]],
    ['04;', [4]],
    ['00', [0]],
    ['04;04', [4]],
  ])('reads %j as hours %j', (text, hours) => {
    const parsed = parseDeleteWhen(text);
    expect(parsed.ok && [...parsed.hours].sort((a, b) => a - b)).toEqual(hours);
  });

  it.each([
    ['', /lists no hour/],
    [';', /lists no hour/],
    ['24', /'24' in '24' is not an hour/],
    ['4am', /'4am'/],
    ['01,04', /'01,04'/],
    ['-1', /'-1'/],
    ['004', /'004'/],
    ['04;x', /'x' in '04;x'/],
  ])('rejects %j, naming the item and the fix', (text, message) => {
    const parsed = parseDeleteWhen(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.message).toMatch(message);
      if (text.trim().replace(/;/g, '') !== '') expect(parsed.message).toMatch(/hours 0-23 separated by ';'/);
    }
  });
});

describe('effectiveDiskMaxUsedRatio (diskMaxUsedSpaceRatio, clamped 10..95 as RocketMQ)', () => {
  it.each([
    [75, 0.75],
    [10, 0.1],
    [5, 0.1],
    [-3, 0.1],
    [95, 0.95],
    [99, 0.95],
    [150, 0.95],
  ])('%d%% → %d', (percent, ratio) => {
    expect(effectiveDiskMaxUsedRatio(percent)).toBeCloseTo(ratio, 10);
  });
});

describe('decideRetention', () => {
  // usage | hour | manual | diskFull before | → action | diskFull after
  const rows: ReadonlyArray<
    readonly [string, number | undefined, number, boolean, boolean, RetentionAction, boolean]
  > = [
    ['quiet disk, another hour', 0.5, 3, false, false, NONE, false],
    ['quiet disk, the deleteWhen hour', 0.5, 4, false, false, expired('time-window'), false],
    ['quiet disk, manual request', 0.5, 3, true, false, expired('manual'), false],
    ['at the max ratio exactly (strict >)', 0.75, 3, false, false, NONE, false],
    ['over the max ratio, any hour', 0.76, 3, false, false, expired('disk-over-max-ratio'), false],
    [
      'over the max ratio at the deleteWhen hour',
      0.8,
      4,
      false,
      false,
      expired('disk-over-max-ratio'),
      false,
    ],
    ['at the forcible ratio exactly', 0.85, 3, false, false, expired('disk-over-max-ratio'), false],
    ['above the forcible ratio', 0.86, 3, false, false, FORCIBLY, false],
    ['at the warning ratio exactly', 0.9, 3, false, false, FORCIBLY, false],
    ['above the warning ratio: refuse writes', 0.91, 3, false, false, FORCIBLY, true],
    ['full disk stays full in the band', 0.88, 3, false, true, FORCIBLY, true],
    ['full disk resumes at the forcible ratio', 0.85, 3, false, true, expired('disk-over-max-ratio'), false],
    ['full disk resumes below it', 0.5, 3, false, true, NONE, false],
    [
      'usage unknown: reclaim expired, keep state',
      undefined,
      3,
      false,
      false,
      expired('disk-usage-unknown'),
      false,
    ],
    ['usage unknown while full: stays full', undefined, 3, false, true, expired('disk-usage-unknown'), true],
  ];
  it.each(rows)('%s', (_name, usage, hour, manual, diskFull, action, diskFullAfter) => {
    const decision = decideRetention(DEFAULTS, {
      usedSpaceRatio: usage,
      localHour: hour,
      manual,
      diskFull,
    });
    expect(decision).toEqual({ action, diskFull: diskFullAfter });
  });

  it('with cleanFileForciblyEnable=false a nearly full disk deletes only expired segments', () => {
    const thresholds = { ...DEFAULTS, cleanFileForciblyEnable: false };
    const situation = { localHour: 3, manual: false, diskFull: false };
    expect(decideRetention(thresholds, { ...situation, usedSpaceRatio: 0.88 })).toEqual({
      action: expired('disk-over-max-ratio'),
      diskFull: false,
    });
    expect(decideRetention(thresholds, { ...situation, usedSpaceRatio: 0.95 }).diskFull).toBe(true);
  });

  it('cleans forcibly above the forcible ratio even when diskMaxUsedSpaceRatio is higher', () => {
    const thresholds = { ...DEFAULTS, diskMaxUsedSpaceRatio: 95 };
    const situation = { localHour: 3, manual: false, diskFull: false };
    expect(decideRetention(thresholds, { ...situation, usedSpaceRatio: 0.8 }).action).toEqual(NONE);
    expect(decideRetention(thresholds, { ...situation, usedSpaceRatio: 0.86 }).action).toEqual(FORCIBLY);
  });

  it('clamps diskMaxUsedSpaceRatio before comparing', () => {
    const situation = { localHour: 3, manual: false, diskFull: false, usedSpaceRatio: 0.12 };
    expect(decideRetention({ ...DEFAULTS, diskMaxUsedSpaceRatio: 1 }, situation).action).toEqual(
      expired('disk-over-max-ratio'),
    );
  });

  it('matches any of several deleteWhen hours', () => {
    const thresholds = { ...DEFAULTS, deleteWhenHours: new Set([1, 4, 23]) };
    const actionAt = (localHour: number) =>
      decideRetention(thresholds, { localHour, manual: false, diskFull: false, usedSpaceRatio: 0.1 }).action
        .kind;
    expect([0, 1, 2, 4, 22, 23].map(actionAt)).toEqual([
      'none',
      'delete-expired',
      'none',
      'delete-expired',
      'none',
      'delete-expired',
    ]);
  });
});

describe('nextDiskFull (RocketMQ runningFlags DISK_FULL, with hysteresis)', () => {
  const thresholds = { diskSpaceCleanForciblyRatio: 0.85, diskSpaceWarningLevelRatio: 0.9 };
  it('follows a usage trace: refuse above 0.90, resume at or below 0.85', () => {
    const trace = [0.5, 0.89, 0.9, 0.905, 0.95, 0.88, 0.86, 0.851, 0.85, 0.87, 0.9, 0.91, undefined, 0.2];
    const states: boolean[] = [];
    let full = false;
    for (const usage of trace) {
      full = nextDiskFull(thresholds, usage, full);
      states.push(full);
    }
    expect(states).toEqual([
      false, // 0.5
      false, // 0.89
      false, // 0.90 (strict >)
      true, // 0.905
      true, // 0.95
      true, // 0.88 (band: unchanged)
      true, // 0.86
      true, // 0.851
      false, // 0.85 (at the forcible ratio: resume)
      false, // 0.87 (band: unchanged)
      false, // 0.90
      true, // 0.91
      true, // unknown: unchanged
      false, // 0.2
    ]);
  });
});

describe('isSegmentExpired (lastModified + fileReservedTime h ≤ now, RocketMQ deleteExpiredFileByTime)', () => {
  const modified = Date.UTC(2024, 0, 1);
  it.each([
    [72 * HOUR - 1, false],
    [72 * HOUR, true],
    [72 * HOUR + 1, true],
    [0, false],
  ])('%d ms after the last write with 72 h → %s', (age, isExpired) => {
    expect(isSegmentExpired(modified, 72, modified + age)).toBe(isExpired);
  });
});

describe('selectSegmentsToDelete', () => {
  const NOW = Date.UTC(2024, 0, 10);
  const OLD = NOW - 100 * HOUR;
  const YOUNG = NOW - HOUR;
  const S = 1000;
  const segments = (...times: Array<number | undefined>) =>
    times.map((lastModifiedMs, i) => ({ start: i * S, lastModifiedMs }));
  const select = (times: Array<number | undefined>, forcibly = false, max?: number) =>
    selectSegmentsToDelete(segments(...times), {
      nowMs: NOW,
      fileReservedTimeHours: 72,
      forcibly,
      ...(max === undefined ? {} : { max }),
    });

  it.each<[string, Array<number | undefined>, boolean, number | undefined, number[]]>([
    ['no segment', [], false, undefined, []],
    ['only the newest, expired: kept', [OLD], false, undefined, []],
    ['only the newest, forcibly: kept', [OLD], true, undefined, []],
    ['expired prefix', [OLD, OLD, YOUNG, OLD], false, undefined, [0, S]],
    ['stops at the first young one (no holes)', [OLD, YOUNG, OLD, OLD], false, undefined, [0]],
    ['young oldest: nothing', [YOUNG, OLD, OLD], false, undefined, []],
    ['all expired: all but the newest', [OLD, OLD, OLD], false, undefined, [0, S]],
    ['forcibly: young ones too, not the newest', [YOUNG, YOUNG, YOUNG], true, undefined, [0, S]],
    ['unread time stops the selection', [OLD, undefined, OLD], false, undefined, [0]],
    ['forcibly ignores unread times', [undefined, undefined, undefined], true, undefined, [0, S]],
    ['at most max', [OLD, OLD, OLD, OLD, OLD], false, 2, [0, S]],
  ])('%s', (_name, times, forcibly, max, expected) => {
    expect(select(times, forcibly, max)).toEqual(expected);
  });

  it('takes at most 10 segments a pass by default (DELETE_FILES_BATCH_MAX)', () => {
    expect(select(Array.from({ length: 30 }, () => OLD))).toHaveLength(10);
    expect(
      select(
        Array.from({ length: 30 }, () => YOUNG),
        true,
      ),
    ).toHaveLength(10);
  });
});
