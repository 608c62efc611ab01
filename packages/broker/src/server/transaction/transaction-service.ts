// The broker's transactional-message service (docs/transactions.md): the half-message table
// rebuilt at start, the resolver behind END_TRANSACTION, the check service, and the progress saved
// after every round and at shutdown. A facade: each part lives in its own module.
//
// A SLAVE keeps no table: it answers no END_TRANSACTION and runs no checks, and nothing would ever
// remove what replication adds. It neither reads nor writes transactionState.json. Restarted as a
// master (brokerRole changed), it rebuilds the table at open from its snapshot, if it has one from
// an earlier time as master, and the half, op and parked queues it replicated.

import { join } from 'node:path';
import type { Clock } from '../../common/clock';
import type { Logger } from '../../common/logger';
import type { HalfMessageListBody } from '../../protocol/bodies/half-message-list';
import type { HostAddress } from '../../protocol/message/host-address';
import type { Disk } from '../../store/disk/disk';
import type { MessageStore } from '../../store/message-store';
import type { BrokerConfig } from '../broker-config';
import type { ProducerManager } from '../client/producer-manager';
import type { ConsumerOffsetManager } from '../offset/consumer-offset-manager';
import { SystemTopic } from '../topic/system-topics';
import type { CheckSettings } from './check-policy';
import { rebuildHalfMessageTable, type RebuildReport } from './half-message-rebuild';
import { listHalfMessages, type HalfMessageListQuery } from './half-message-listing';
import {
  HalfMessageResolver,
  type EndTransactionOutcome,
  type EndTransactionRequest,
} from './half-message-resolver';
import { HalfMessageTable } from './half-message-table';
import { TransactionCheckService, type CheckRoundReport } from './transaction-check-service';
import { saveTransactionProgress } from './transaction-progress';
import { readTransactionSnapshot, TRANSACTION_STATE_FILE_NAME } from './transaction-state-file';
import { TransactionStats } from './transaction-stats';

export interface TransactionServiceOptions {
  readonly config: BrokerConfig;
  readonly store: MessageStore;
  readonly producers: ProducerManager;
  readonly offsets: ConsumerOffsetManager;
  readonly disk: Disk;
  readonly clock: Clock;
  readonly log: Logger;
  readonly storeHost: HostAddress;
  /** Request ids for CHECK_TRANSACTION_STATE. */
  readonly nextOpaque: () => number;
  /** Checks plus parks per round (default DEFAULT_MAX_ACTIONS_PER_ROUND). */
  readonly maxActionsPerRound?: number;
}

/** The runtime-info counters (GET_BROKER_RUNTIME_INFO). */
export interface TransactionCounters {
  readonly pending: number;
  readonly parked: number;
  readonly checksSent: number;
  readonly commits: number;
  readonly rollbacks: number;
}

export class TransactionService {
  readonly table: HalfMessageTable;
  readonly stats: TransactionStats;
  readonly rebuild: RebuildReport;
  readonly #options: TransactionServiceOptions;
  readonly #resolver: HalfMessageResolver;
  readonly #checker: TransactionCheckService;
  readonly #path: string;
  #closed = false;

  private constructor(
    options: TransactionServiceOptions,
    table: HalfMessageTable,
    rebuild: RebuildReport,
    path: string,
  ) {
    this.#options = options;
    this.table = table;
    this.rebuild = rebuild;
    this.#path = path;
    this.stats = new TransactionStats();
    const { config, store, clock, log, storeHost } = options;
    const settings = deliverySettings(config);
    this.#resolver = new HalfMessageResolver({
      store,
      table,
      stats: this.stats,
      clock,
      log,
      storeHost,
      settings,
    });
    this.#checker = new TransactionCheckService({
      store,
      table,
      producers: options.producers,
      stats: this.stats,
      clock,
      log,
      settings: checkSettings(config),
      brokerName: config.brokerName,
      storeHost,
      nextOpaque: options.nextOpaque,
      saveProgress: () => this.saveProgress(),
      ...(options.maxActionsPerRound === undefined ? {} : { maxActionsPerRound: options.maxActionsPerRound }),
    });
  }

  /**
   * Rebuilds the table from the store and the last snapshot, then follows the half queue. Call it
   * after the store opened and before any request is served; `start` starts the checks.
   */
  static async open(options: TransactionServiceOptions): Promise<TransactionService> {
    const { config, store, disk, log, clock } = options;
    const path = join(config.store.storePathRootDir, 'config', TRANSACTION_STATE_FILE_NAME);
    if (isSlave(config))
      return new TransactionService(options, new HalfMessageTable(), NOTHING_REBUILT, path);
    const read = await readTransactionSnapshot(disk, path);
    if (read?.fromBackup === true) log.warn('transaction state read from its backup copy', { path });
    const table = new HalfMessageTable();
    const rebuild = await rebuildHalfMessageTable({
      store,
      table,
      snapshot: read?.snapshot,
      log,
      nowMs: clock.now(),
      settings: deliverySettings(config),
    });
    if (table.size > 0 || rebuild.unreadable > 0 || rebuild.repairedCommit) {
      log.info('transaction state rebuilt', { ...rebuild, open: table.size, parked: table.countParked() });
    }
    const service = new TransactionService(options, table, rebuild, path);
    // Every half message enters the table in the tick it is appended, before its producer can
    // know its offset: END_TRANSACTION always finds a half message that is still open.
    store.onDispatch((request) => {
      if (service.#closed || request.topic !== SystemTopic.TRANS_HALF || request.queueId !== 0) return;
      table.add({ halfOffset: request.queueOffset, commitLogOffset: request.commitLogOffset });
    });
    return service;
  }

  /** Starts the check service (a master's job: a slave only replicates). */
  start(): void {
    if (!isSlave(this.#options.config)) this.#checker.start();
  }

  endTransaction(request: EndTransactionRequest): Promise<EndTransactionOutcome> {
    return this.#resolver.endTransaction(request);
  }

  /** One check round now (the timer runs them every transactionCheckInterval). */
  runCheckRound(): Promise<CheckRoundReport> {
    return this.#checker.runRound();
  }

  list(query: HalfMessageListQuery): Promise<HalfMessageListBody> {
    const { store, storeHost, clock } = this.#options;
    return listHalfMessages(this.table, store, storeHost, query, clock.now());
  }

  counters(): TransactionCounters {
    const parked = this.table.countParked();
    return {
      pending: this.table.size - parked,
      parked,
      checksSent: this.stats.checksSent,
      commits: this.stats.commits,
      rollbacks: this.stats.rollbacks,
    };
  }

  /** Not on a SLAVE: its empty table would claim every replicated half message resolved. */
  saveProgress(): Promise<void> {
    const { config, store, offsets, disk } = this.#options;
    if (isSlave(config)) return Promise.resolve();
    return saveTransactionProgress({ store, table: this.table, offsets, disk, path: this.#path });
  }

  /** Stops the checks and saves the progress; a failed save is logged (the rebuild copes). */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#checker.stop();
    try {
      await this.saveProgress();
    } catch (error) {
      this.#options.log.error(
        'saving transaction state at shutdown failed; the next start reads more of the queues',
        {
          error: String(error),
        },
      );
    }
    this.#closed = true;
  }
}

/** A SLAVE's report: it rebuilds nothing (see the top of this file). */
const NOTHING_REBUILT: RebuildReport = {
  fromSnapshot: false,
  halfMessagesRead: 0,
  parkedCopiesRead: 0,
  opRecordsRead: 0,
  unreadable: 0,
  repairedCommit: false,
};

function isSlave(config: BrokerConfig): boolean {
  return config.brokerRole === 'SLAVE';
}

function checkSettings(config: BrokerConfig): CheckSettings {
  return {
    transactionTimeOutMs: config.transactionTimeOut,
    transactionCheckMax: config.transactionCheckMax,
    transactionCheckIntervalMs: config.transactionCheckInterval,
  };
}

function deliverySettings(config: BrokerConfig) {
  return {
    messageDelayLevelsMs: config.messageDelayLevelsMs,
    timerMaxDelaySec: config.timerMaxDelaySec,
  };
}
