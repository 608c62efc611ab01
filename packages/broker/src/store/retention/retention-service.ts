import type { Clock, TimerHandle } from '../../common/clock';
import { ConfigError, IllegalStateError } from '../../common/errors';
import type { RetentionConfig } from './retention-config';
import { DiskFullError, RetentionStepError, type RetentionStep } from './retention-errors';
import { followCommitLogMinOffset, type FollowUp } from './retention-follow-up';
import {
  decideRetention,
  MANUAL_DELETE_PASSES,
  MAX_SEGMENTS_PER_PASS,
  parseDeleteWhen,
  isSegmentExpired,
  selectSegmentsToDelete,
  type RetentionAction,
  type RetentionDecision,
  type RetentionThresholds,
  type SegmentAge,
} from './retention-policy';
import type { RetentionCommitLog, RetentionDisk, RetentionIndex, RetentionQueues } from './retention-ports';

export interface RetentionServiceOptions {
  readonly config: RetentionConfig;
  readonly clock: Clock;
  readonly disk: RetentionDisk;
  readonly commitLog: RetentionCommitLog;
  readonly queues: RetentionQueues;
  /** Absent when the store keeps no index (`messageIndexEnable=false`). */
  readonly index?: RetentionIndex | undefined;
  /**
   * Paths whose partitions are measured, e.g. the commit-log and consume-queue directories (RocketMQ
   * checks both); the fullest one decides.
   */
  readonly usagePaths: readonly string[];
  /** Every failed step, with its cause. Passes go on regardless; this is for logs and metrics. */
  readonly onError: (error: RetentionStepError) => void;
  /** Called when the store starts or stops refusing writes. */
  readonly onDiskFullChange?: (status: RetentionStatus) => void;
}

/** What one pass did. */
export interface RetentionPassReport {
  readonly startedAtMs: number;
  readonly decision: RetentionDecision;
  /** Start offsets of the commit-log segments deleted, oldest first. */
  readonly deletedSegments: readonly number[];
  readonly queueSegmentsDeleted: number;
  readonly indexFilesDeleted: number;
  /** The commit log's minimum offset after the pass. */
  readonly commitLogMinOffset: number;
  readonly errors: readonly RetentionStepError[];
}

/** Counters and the last measurement, for the facade, admin requests and metrics. */
export interface RetentionStatus {
  /** The store refuses writes (see DiskFullError). */
  readonly diskFull: boolean;
  /** Last successfully measured usage of the fullest watched partition; undefined before the first. */
  readonly usedSpaceRatio: number | undefined;
  readonly usedSpacePath: string | undefined;
  readonly measuredAtMs: number | undefined;
  readonly passes: number;
  readonly lastPassAtMs: number | undefined;
  readonly lastAction: RetentionAction | undefined;
  readonly segmentsDeleted: number;
  readonly queueSegmentsDeleted: number;
  readonly indexFilesDeleted: number;
  /** Failed steps since start. */
  readonly errors: number;
  /** Passes left of a DELETE_EXPIRED_COMMITLOG request. */
  readonly manualPassesLeft: number;
}

interface Usage {
  readonly ratio: number;
  readonly path: string;
}

/**
 * Deletes old commit-log segments and what pointed into them (RocketMQ's CleanCommitLogService and
 * CleanConsumeQueueService), and tells the store when its disk is too full to accept writes.
 *
 * Lifecycle: `start()` measures the disk at once (so a store restarted on a full disk refuses its
 * first put) and brings queue minimum offsets up to the commit log's; passes then run
 * `cleanResourceFirstDelayMs` later and every `cleanResourceInterval` after the previous pass ended
 * (fixed delay: passes never overlap and a slow disk does not make them pile up). `close()` stops
 * the timer and waits for a pass in flight, cutting short its pause between deletions.
 *
 * A pass: measure usage → decide (retention-policy.ts) → delete ≤ 10 segments oldest first, 100 ms
 * apart → if the commit log's minimum moved since the last complete follow-up: correct every
 * queue's minimum offset, delete queue segments below it, delete index files below it. A failed
 * step goes to `onError` and the pass continues where that makes sense; the follow-up is redone on
 * later passes until it completes, so a failure never leaves queues pointing at deleted data for
 * longer than it lasts.
 */
export class RetentionService {
  readonly #config: RetentionConfig;
  readonly #clock: Clock;
  readonly #disk: RetentionDisk;
  readonly #commitLog: RetentionCommitLog;
  readonly #queues: RetentionQueues;
  readonly #index: RetentionIndex | undefined;
  readonly #usagePaths: readonly string[];
  readonly #onError: (error: RetentionStepError) => void;
  readonly #onDiskFullChange: ((status: RetentionStatus) => void) | undefined;
  readonly #thresholds: RetentionThresholds;

  #state: 'new' | 'started' | 'closed' = 'new';
  #timer: TimerHandle | undefined;
  #starting: Promise<void> | undefined;
  #inFlight: Promise<RetentionPassReport> | undefined;
  #cancelPause: (() => void) | undefined;
  /** Commit-log minimum for which queues and index were last brought in line; -1 before the first. */
  #followedMinOffset = -1;

  #diskFull = false;
  #usage: Usage | undefined;
  #measuredAtMs: number | undefined;
  #manualPassesLeft = 0;
  #passes = 0;
  #lastPassAtMs: number | undefined;
  #lastAction: RetentionAction | undefined;
  #segmentsDeleted = 0;
  #queueSegmentsDeleted = 0;
  #indexFilesDeleted = 0;
  #errors = 0;

  constructor(options: RetentionServiceOptions) {
    const { config } = options;
    const deleteWhen = parseDeleteWhen(config.deleteWhen);
    if (!deleteWhen.ok) {
      throw new ConfigError([{ kind: 'rule', key: 'deleteWhen', message: deleteWhen.message }], {
        subject: 'retention',
      });
    }
    if (options.usagePaths.length === 0) {
      throw new RangeError('usagePaths must name at least one path whose disk usage to watch');
    }
    this.#config = config;
    this.#clock = options.clock;
    this.#disk = options.disk;
    this.#commitLog = options.commitLog;
    this.#queues = options.queues;
    this.#index = options.index;
    this.#usagePaths = [...options.usagePaths];
    this.#onError = options.onError;
    this.#onDiskFullChange = options.onDiskFullChange;
    this.#thresholds = {
      deleteWhenHours: deleteWhen.hours,
      diskMaxUsedSpaceRatio: config.diskMaxUsedSpaceRatio,
      diskSpaceCleanForciblyRatio: config.diskSpaceCleanForciblyRatio,
      diskSpaceWarningLevelRatio: config.diskSpaceWarningLevelRatio,
      cleanFileForciblyEnable: config.cleanFileForciblyEnable,
    };
  }

  /** Measures the disk, brings queue minimum offsets in line, and schedules the passes. */
  async start(): Promise<void> {
    if (this.#state !== 'new') throw new IllegalStateError(`retention service is already ${this.#state}`);
    this.#state = 'started';
    this.#starting = this.#catchUp();
    await this.#starting;
    if (this.#state === 'started') this.#schedule(this.#config.cleanResourceFirstDelayMs);
  }

  /** True while the store must refuse writes; the facade checks it before each put. */
  get isDiskFull(): boolean {
    return this.#diskFull;
  }

  /** The error a put answers with (SERVICE_NOT_AVAILABLE) while the disk is full, else undefined. */
  diskFullError(): DiskFullError | undefined {
    if (!this.#diskFull) return undefined;
    const usage = this.#usage;
    return new DiskFullError({
      path: usage?.path ?? this.#usagePaths[0] ?? '',
      usedSpaceRatio: usage?.ratio ?? Number.NaN,
      diskSpaceWarningLevelRatio: this.#config.diskSpaceWarningLevelRatio,
      diskSpaceCleanForciblyRatio: this.#config.diskSpaceCleanForciblyRatio,
      cleanFileForciblyEnable: this.#config.cleanFileForciblyEnable,
    });
  }

  status(): RetentionStatus {
    return {
      diskFull: this.#diskFull,
      usedSpaceRatio: this.#usage?.ratio,
      usedSpacePath: this.#usage?.path,
      measuredAtMs: this.#measuredAtMs,
      passes: this.#passes,
      lastPassAtMs: this.#lastPassAtMs,
      lastAction: this.#lastAction,
      segmentsDeleted: this.#segmentsDeleted,
      queueSegmentsDeleted: this.#queueSegmentsDeleted,
      indexFilesDeleted: this.#indexFilesDeleted,
      errors: this.#errors,
      manualPassesLeft: this.#manualPassesLeft,
    };
  }

  /**
   * DELETE_EXPIRED_COMMITLOG: the next MANUAL_DELETE_PASSES passes delete expired segments whatever
   * the hour, the first of them now. Resolves with that pass's report; never rejects but on a
   * closed service.
   */
  async deleteExpiredNow(): Promise<RetentionPassReport> {
    if (this.#state === 'closed') throw closedError();
    this.#manualPassesLeft = MANUAL_DELETE_PASSES;
    // A pass already running decided without the request; run one that sees it.
    await this.#inFlight;
    return this.runPass();
  }

  /** Runs a pass now, or joins the one in flight. Failed steps are in the report, not thrown. */
  runPass(): Promise<RetentionPassReport> {
    if (this.#state === 'closed') return Promise.reject(closedError());
    this.#inFlight ??= this.#pass().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  /** Stops the passes; resolves once a pass in flight has stopped (between two deletions at most). */
  async close(): Promise<void> {
    this.#state = 'closed';
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#cancelPause?.();
    await this.#starting;
    await this.#inFlight;
  }

  /** Start-up: the disk state now, and queue minimums after deletions made before a restart. */
  async #catchUp(): Promise<void> {
    const errors: RetentionStepError[] = [];
    const usage = await this.#measureUsage(errors);
    this.#applyDecision(decideRetention(this.#thresholds, this.#situation(usage, false)));
    await this.#followCommitLog(errors);
  }

  async #pass(): Promise<RetentionPassReport> {
    const startedAtMs = this.#clock.now();
    const errors: RetentionStepError[] = [];
    const usage = await this.#measureUsage(errors);
    const manual = this.#manualPassesLeft > 0;
    if (manual) this.#manualPassesLeft--;
    const decision = decideRetention(this.#thresholds, this.#situation(usage, manual));
    this.#applyDecision(decision);
    const deletedSegments =
      decision.action.kind === 'none' ? [] : await this.#deleteSegments(decision.action, errors);
    const followUp = await this.#followCommitLog(errors);
    this.#passes++;
    this.#lastPassAtMs = startedAtMs;
    this.#lastAction = decision.action;
    return {
      startedAtMs,
      decision,
      deletedSegments,
      ...followUp,
      commitLogMinOffset: this.#commitLog.minOffset,
      errors,
    };
  }

  #situation(usage: Usage | undefined, manual: boolean) {
    return {
      localHour: new Date(this.#clock.now()).getHours(),
      usedSpaceRatio: usage?.ratio,
      manual,
      diskFull: this.#diskFull,
    };
  }

  #applyDecision(decision: RetentionDecision): void {
    if (decision.diskFull === this.#diskFull) return;
    this.#diskFull = decision.diskFull;
    try {
      this.#onDiskFullChange?.(this.status());
    } catch (callbackError) {
      warnCallbackFailed('onDiskFullChange', callbackError, `disk full is now ${decision.diskFull}`);
    }
  }

  /**
   * The fullest watched partition, or undefined if any could not be measured (a partial reading
   * could understate). Status keeps the last successful measurement.
   */
  async #measureUsage(errors: RetentionStepError[]): Promise<Usage | undefined> {
    let fullest: Usage | undefined;
    for (const path of this.#usagePaths) {
      try {
        const ratio = await this.#disk.usedSpaceRatio(path);
        if (!(ratio >= 0 && ratio <= 1)) throw new RangeError(`used space ratio ${ratio} is not in 0..1`);
        if (fullest === undefined || ratio > fullest.ratio) fullest = { ratio, path };
      } catch (error) {
        this.#report(errors, 'measure-disk-usage', path, error);
        return undefined;
      }
    }
    this.#usage = fullest;
    this.#measuredAtMs = this.#clock.now();
    return fullest;
  }

  async #deleteSegments(
    action: Exclude<RetentionAction, { kind: 'none' }>,
    errors: RetentionStepError[],
  ): Promise<number[]> {
    const forcibly = action.kind === 'clean-forcibly';
    const nowMs = this.#clock.now();
    const segments = forcibly
      ? this.#commitLog.segmentStarts().map((start) => ({ start, lastModifiedMs: undefined }))
      : await this.#segmentAges(nowMs, errors);
    const selected = selectSegmentsToDelete(segments, {
      nowMs,
      fileReservedTimeHours: this.#config.fileReservedTime,
      forcibly,
    });
    const deleted: number[] = [];
    for (const start of selected) {
      if (deleted.length > 0) await this.#pause(this.#config.deleteCommitLogFilesInterval);
      if (this.#state === 'closed') break;
      try {
        const gone = await this.#commitLog.deleteSegmentsBefore(start + this.#commitLog.segmentSizeBytes, 1);
        if (!gone.includes(start)) break;
      } catch (error) {
        this.#report(errors, 'delete-commit-log-segment', this.#commitLog.segmentPath(start), error);
        break;
      }
      deleted.push(start);
      this.#segmentsDeleted++;
    }
    return deleted;
  }

  /**
   * Every segment, oldest first, with the modification time of those that can be selected: at most
   * MAX_SEGMENTS_PER_PASS of the oldest, read until the first unexpired one (so a pass stats a
   * handful of files, not thousands). Unread times are undefined, where the selection stops.
   */
  async #segmentAges(nowMs: number, errors: RetentionStepError[]): Promise<SegmentAge[]> {
    const starts = this.#commitLog.segmentStarts();
    const ages: SegmentAge[] = starts.map((start) => ({ start, lastModifiedMs: undefined }));
    const readable = Math.min(MAX_SEGMENTS_PER_PASS, starts.length - 1);
    for (let i = 0; i < readable; i++) {
      const start = starts[i]!;
      const path = this.#commitLog.segmentPath(start);
      let lastModifiedMs: number;
      try {
        lastModifiedMs = await this.#disk.modifiedAtMs(path);
      } catch (error) {
        this.#report(errors, 'read-segment-time', path, error);
        break;
      }
      ages[i] = { start, lastModifiedMs };
      if (!isSegmentExpired(lastModifiedMs, this.#config.fileReservedTime, nowMs)) break;
    }
    return ages;
  }

  /** Queues and index follow the commit log's minimum, when it moved since this last completed. */
  async #followCommitLog(errors: RetentionStepError[]): Promise<FollowUp> {
    const min = this.#commitLog.minOffset;
    if (min <= this.#followedMinOffset) return { queueSegmentsDeleted: 0, indexFilesDeleted: 0 };
    const result = await followCommitLogMinOffset(min, this.#queues, this.#index, (step, subject, cause) =>
      this.#report(errors, step, subject, cause),
    );
    if (result.complete) this.#followedMinOffset = min;
    this.#queueSegmentsDeleted += result.queueSegmentsDeleted;
    this.#indexFilesDeleted += result.indexFilesDeleted;
    return { queueSegmentsDeleted: result.queueSegmentsDeleted, indexFilesDeleted: result.indexFilesDeleted };
  }

  #schedule(delayMs: number): void {
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      if (this.#state !== 'started') return;
      this.runPass().then(
        () => this.#scheduleNext(),
        (error: unknown) => {
          // Every step catches its own failures; reaching here is a bug, still not a reason to stop.
          this.#report([], 'pass', 'retention pass', error);
          this.#scheduleNext();
        },
      );
    }, delayMs);
  }

  #scheduleNext(): void {
    if (this.#state === 'started') this.#schedule(this.#config.cleanResourceInterval);
  }

  /** Waits between two deletions; `close` cuts it short. */
  #pause(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const handle = this.#clock.setTimeout(() => {
        this.#cancelPause = undefined;
        resolve();
      }, ms);
      this.#cancelPause = () => {
        this.#clock.clearTimeout(handle);
        this.#cancelPause = undefined;
        resolve();
      };
    });
  }

  #report(errors: RetentionStepError[], step: RetentionStep, subject: string, cause: unknown): void {
    const error = new RetentionStepError(step, subject, cause);
    errors.push(error);
    this.#errors++;
    try {
      this.#onError(error);
    } catch (callbackError) {
      warnCallbackFailed('onError', callbackError, `reporting: ${error.message}`);
    }
  }
}

/**
 * The callbacks are the service's report channels; when one throws, a process warning is the only
 * channel left, and a pass must not stop because its logger failed.
 */
function warnCallbackFailed(callback: string, callbackError: unknown, context: string): void {
  process.emitWarning(
    `retention ${callback} callback threw ${String(callbackError)} while ${context}`,
    'KeelStoreWarning',
  );
}

function closedError(): IllegalStateError {
  return new IllegalStateError('retention service is closed');
}
