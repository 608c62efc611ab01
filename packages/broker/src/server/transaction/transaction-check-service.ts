// The check service: every transactionCheckInterval, one round over the open half messages. A round
//
//   1. reads the details (producer group, born time, immunity) of open messages not read yet,
//      oldest first, at most `maxLoadsPerRound`;
//   2. plans with check-policy.ts: which are due, which to check and which to park, at most
//      `maxActionsPerRound` of them, the longest-overdue first;
//   3. parks: copies the message to TRANS_CHECK_MAX_TIME_TOPIC, then marks it PARKED;
//   4. checks: sends CHECK_TRANSACTION_STATE (oneway) to one live producer of the group, the group's
//      producers taken in turn, and counts the check only once it was written;
//   5. saves progress (transaction-progress.ts), also when anything above failed.
//
// Every message is handled on its own: a record that cannot be read, a connection that fails, a
// parked copy the store refuses are logged and counted, and the round goes on with the next (one
// failing check stalled RocketMQ's whole round, #9500). Rounds never overlap: a tick that comes
// while a round runs is skipped.

import type { Clock, TimerHandle } from '../../common/clock';
import type { Logger } from '../../common/logger';
import { CheckTransactionStateRequestHeader } from '../../protocol/headers/transaction-headers';
import { createOffsetMessageId } from '../../protocol/message/message-id';
import type { HostAddress } from '../../protocol/message/host-address';
import type { DecodedStoredMessage } from '../../protocol/message/stored-message-decoder';
import { createRequest } from '../../protocol/remoting/remoting-command';
import { RequestCode } from '../../protocol/remoting/request-code';
import type { MessageStore } from '../../store/message-store';
import type { ProducerManager } from '../client/producer-manager';
import { SystemTopic } from '../topic/system-topics';
import { planCheckRound, type CheckSettings, type RoundCandidate } from './check-policy';
import { HalfMessageState } from './half-message-state';
import { halfMessageDetails, checkMessageBody, parkedCopyPut } from './half-message-record';
import { checkViewOf, type HalfMessageEntry, type HalfMessageTable } from './half-message-table';
import type { TransactionStats } from './transaction-stats';

/** Checks plus parks per round: bounds the traffic to producers and the writes of one round. */
export const DEFAULT_MAX_ACTIONS_PER_ROUND = 2000;

export interface TransactionCheckServiceOptions {
  readonly store: MessageStore;
  readonly table: HalfMessageTable;
  readonly producers: ProducerManager;
  readonly stats: TransactionStats;
  readonly clock: Clock;
  readonly log: Logger;
  readonly settings: CheckSettings;
  readonly brokerName: string;
  readonly storeHost: HostAddress;
  readonly nextOpaque: () => number;
  /** Saves progress at the end of every round. */
  readonly saveProgress: () => Promise<void>;
  readonly maxActionsPerRound?: number;
  readonly maxLoadsPerRound?: number;
}

export interface CheckRoundReport {
  readonly checked: number;
  readonly parked: number;
  /** Due, but no live producer of their group: not checked, not counted. */
  readonly noProducer: number;
  /** Due, left for the next round by the per-round cap. */
  readonly deferred: number;
  /** Messages whose handling failed this round (read, send or park); they are tried again. */
  readonly failures: number;
  /** Open messages whose record retention deleted: forgotten. */
  readonly expired: number;
  /** Whether the progress was saved at the end of the round. */
  readonly progressSaved: boolean;
}

export class TransactionCheckService {
  readonly #options: TransactionCheckServiceOptions;
  readonly #maxActions: number;
  readonly #maxLoads: number;
  #timer: TimerHandle | undefined;
  #round: Promise<CheckRoundReport> | undefined;

  constructor(options: TransactionCheckServiceOptions) {
    this.#options = options;
    this.#maxActions = options.maxActionsPerRound ?? DEFAULT_MAX_ACTIONS_PER_ROUND;
    this.#maxLoads = options.maxLoadsPerRound ?? 4 * this.#maxActions;
  }

  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = this.#options.clock.setInterval(() => {
      if (this.#round === undefined) void this.runRound();
    }, this.#options.settings.transactionCheckIntervalMs);
  }

  /** Stops the timer and waits for a round in progress. */
  async stop(): Promise<void> {
    if (this.#timer !== undefined) this.#options.clock.clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#round;
  }

  /** One round now (the timer calls this; tests call it directly). Joins a round in progress. */
  runRound(): Promise<CheckRoundReport> {
    this.#round ??= this.#runRound().finally(() => {
      this.#round = undefined;
    });
    return this.#round;
  }

  async #runRound(): Promise<CheckRoundReport> {
    const { clock, log } = this.#options;
    const now = clock.now();
    const tally = { checked: 0, parked: 0, noProducer: 0, deferred: 0, failures: 0, expired: 0 };
    try {
      this.#dropExpired(tally);
      await this.#loadDetails(tally);
      const plan = planCheckRound(
        this.#candidates(),
        now,
        this.#options.settings,
        (group) => this.#options.producers.anyChannelOf(group, now) !== undefined,
        this.#maxActions,
      );
      tally.noProducer = plan.noProducer.length;
      tally.deferred = plan.deferred.length;
      for (const entry of plan.parks) await this.#park(entry, tally);
      for (const entry of plan.checks) await this.#check(entry, now, tally);
    } catch (error) {
      // Each message's failure is caught where it happens; this is for a bug in the round itself.
      tally.failures++;
      log.error('transaction check round failed', { error: String(error) });
    }
    let progressSaved = true;
    try {
      await this.#options.saveProgress();
    } catch (error) {
      progressSaved = false;
      log.error('saving transaction check progress failed; the next round tries again', {
        error: String(error),
      });
    }
    if (tally.checked + tally.parked + tally.failures + tally.expired > 0) {
      log.debug('transaction check round', { ...tally, open: this.#options.table.size });
    }
    return { ...tally, progressSaved };
  }

  *#candidates(): Generator<RoundCandidate<HalfMessageEntry>> {
    for (const entry of this.#options.table.entries()) {
      if (entry.state !== HalfMessageState.PREPARED || entry.resolving !== undefined) continue;
      if (entry.details === undefined) continue;
      yield {
        key: entry,
        producerGroup: entry.details.producerGroup,
        view: checkViewOf(entry, entry.details),
      };
    }
  }

  /**
   * Forgets open half messages whose commit-log segment retention deleted: they can never be
   * delivered (PARKED ones too, which no other path reads).
   */
  #dropExpired(tally: { expired: number }): void {
    const { store, table } = this.#options;
    const min = store.commitLogOffsets().min;
    for (const entry of [...table.entries()]) {
      if (entry.commitLogOffset >= min || entry.resolving !== undefined || entry.parkFloor !== undefined)
        continue;
      this.#forgetExpired(entry);
      tally.expired++;
    }
  }

  #forgetExpired(entry: HalfMessageEntry): void {
    const { table, stats, log } = this.#options;
    table.drop(entry.halfOffset);
    stats.expired++;
    log.warn('an open half message expired with its commit-log segment; it is forgotten', {
      halfOffset: entry.halfOffset,
      commitLogOffset: entry.commitLogOffset,
      state: entry.state,
      msgId: entry.details?.msgId ?? '?',
    });
  }

  async #loadDetails(tally: { failures: number; expired: number }): Promise<void> {
    let loads = 0;
    for (const entry of [...this.#options.table.entries()]) {
      if (loads >= this.#maxLoads) return;
      if (entry.details !== undefined || entry.state !== HalfMessageState.PREPARED) continue;
      loads++;
      const half = await this.#read(entry, tally);
      if (half !== undefined) entry.details = halfMessageDetails(half);
    }
  }

  /** The half message's record, or undefined (counted as a failure, or as expired and dropped). */
  async #read(
    entry: HalfMessageEntry,
    tally: { failures: number; expired: number },
  ): Promise<DecodedStoredMessage | undefined> {
    const { store, log } = this.#options;
    try {
      const half = await store.readMessageAt(entry.commitLogOffset);
      if (half !== undefined) return half;
      const { min, confirmed } = store.commitLogOffsets();
      if (entry.commitLogOffset < min) {
        // Retention removed it before anyone resolved it: nothing can be delivered any more.
        this.#forgetExpired(entry);
        tally.expired++;
        return undefined;
      }
      // Appended but not acknowledged yet (it is far from due anyway): next round.
      if (entry.commitLogOffset >= confirmed) return undefined;
      tally.failures++;
      log.warn('half message record not readable; tried again next round', {
        halfOffset: entry.halfOffset,
        commitLogOffset: entry.commitLogOffset,
      });
    } catch (error) {
      tally.failures++;
      log.error('reading a half message failed; tried again next round', {
        halfOffset: entry.halfOffset,
        error: String(error),
      });
    }
    return undefined;
  }

  /** Still the open, unresolving entry the plan saw (an END_TRANSACTION may have come meanwhile). */
  #stillDue(entry: HalfMessageEntry): boolean {
    return (
      this.#options.table.get(entry.halfOffset) === entry &&
      entry.state === HalfMessageState.PREPARED &&
      entry.resolving === undefined
    );
  }

  async #check(entry: HalfMessageEntry, now: number, tally: CheckTally): Promise<void> {
    const { producers, stats, log, storeHost, brokerName } = this.#options;
    const details = entry.details;
    if (details === undefined || !this.#stillDue(entry)) return;
    const half = await this.#read(entry, tally);
    if (half === undefined || !this.#stillDue(entry)) return;
    const channel = producers.anyChannelOf(details.producerGroup, now);
    if (channel === undefined) {
      tally.noProducer++;
      return;
    }
    try {
      channel.sendOneway(
        createRequest({
          code: RequestCode.CHECK_TRANSACTION_STATE,
          opaque: this.#options.nextOpaque(),
          oneway: true,
          extFields: CheckTransactionStateRequestHeader.encode({
            tranStateTableOffset: entry.halfOffset,
            commitLogOffset: entry.commitLogOffset,
            msgId: details.msgId,
            transactionId: details.msgId,
            offsetMsgId: createOffsetMessageId(storeHost, entry.commitLogOffset),
            bname: brokerName,
          }),
          body: checkMessageBody(half),
        }),
      );
    } catch (error) {
      // Not sent, so not counted: the next round asks again (maybe another producer of the group).
      tally.failures++;
      stats.checkSendFailures++;
      log.warn('sending a transaction check failed', {
        producerGroup: details.producerGroup,
        client: channel.remoteAddress,
        msgId: details.msgId,
        error: String(error),
      });
      return;
    }
    entry.checks++;
    entry.lastCheckAt = now;
    stats.checksSent++;
    tally.checked++;
  }

  async #park(entry: HalfMessageEntry, tally: CheckTally): Promise<void> {
    const { store, table, stats, log } = this.#options;
    if (!this.#stillDue(entry)) return;
    const half = await this.#read(entry, tally);
    if (half === undefined || !this.#stillDue(entry)) return;
    try {
      entry.parkFloor = store.maxOffsetInQueue(SystemTopic.TRANS_CHECK_MAX_TIME, 0);
      const result = await store.putMessage(parkedCopyPut(half, entry.checks));
      entry.parkFloor = undefined;
      if (result.physicalOffset < 0) {
        tally.failures++;
        log.error('parking a half message failed; tried again next round', {
          halfOffset: entry.halfOffset,
          status: result.status,
          error: result.error?.message ?? '',
        });
        return;
      }
    } catch (error) {
      entry.parkFloor = undefined;
      tally.failures++;
      log.error('parking a half message failed; tried again next round', {
        halfOffset: entry.halfOffset,
        error: String(error),
      });
      return;
    }
    // An END_TRANSACTION that came meanwhile wins; the copy then stays in the topic as a record.
    if (table.get(entry.halfOffset) !== entry || !table.canApply(entry, 'park')) return;
    table.apply(entry, 'park');
    stats.parked++;
    tally.parked++;
    log.warn('half message parked in TRANS_CHECK_MAX_TIME_TOPIC: its producer never answered', {
      msgId: entry.details?.msgId ?? '?',
      producerGroup: entry.details?.producerGroup ?? '?',
      topic: entry.details?.realTopic ?? '?',
      checks: entry.checks,
      fix: 'keel admin tx commit | rollback',
    });
  }
}

type CheckTally = { checked: number; parked: number; noProducer: number; failures: number; expired: number };
