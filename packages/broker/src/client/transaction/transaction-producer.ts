// The transactional producer of @keel/broker/client (RocketMQ's TransactionMQProducer, fact sheet
// §6.2 and §6.6): a message and a local transaction, atomically.
//
//   const producer = new TransactionProducer({
//     group: 'order-tx', nameServer: '127.0.0.1:9876',
//     checkLocalTransaction: async (message) => (await orderExists(message.keys[0]) ? 'COMMIT_MESSAGE' : 'ROLLBACK_MESSAGE'),
//   });
//   await producer.start();
//   const result = await producer.sendMessageInTransaction(message, async ({ transactionId }) => {
//     await saveOrder(transactionId);
//     return 'COMMIT_MESSAGE';
//   });
//
// One transaction: (1) the message is sent synchronously as a half message (TRAN_MSG=true, PGROUP,
// the prepared sysFlag type), which the broker stores where no consumer sees it; (2) on SEND_OK
// the local transaction runs; on FLUSH_DISK_TIMEOUT, FLUSH_SLAVE_TIMEOUT or SLAVE_NOT_AVAILABLE it
// does not run and the outcome is ROLLBACK_MESSAGE (the half message is stored, but not as durably
// as the broker was asked to keep it); (3) END_TRANSACTION goes oneway to the broker that stored
// the half message. A local transaction that throws or returns anything but the three states is
// UNKNOW (fail closed), as is an outcome that never reaches the broker: either way the broker
// later asks a live producer of the group (CHECK_TRANSACTION_STATE) and checkLocalTransaction
// decides. Checks run at most checkConcurrency at a time, with checkQueueCapacity waiting.
//
// Unlike RocketMQ's client, a delay level is kept on the half message: Keel's broker applies it
// when the message is committed. Apache RocketMQ brokers would delay the half message itself, so
// do not set delayLevel on transactional messages sent to them.

import { MessageConst } from '../../protocol/message/message-const';
import { MessageSysFlag } from '../../protocol/message/message-sys-flag';
import { InvalidMessageError } from '../client-errors';
import type { ClientInstance } from '../client-instance';
import type { Message } from '../message';
import { Producer, type SendOptions } from '../producer/producer';
import { SendStatus, type SendResult } from '../producer/send-result';
import type { TransactionCheckRequest } from './check-request';
import { CheckQueue } from './check-queue';
import { InvalidTransactionStateError } from './transaction-errors';
import { endTransactionRequest, halfMessageOf, type HalfMessageRef } from './end-transaction';
import type { HalfMessage } from './half-message';
import {
  describeProblem,
  isLocalTransactionState,
  LocalTransactionState,
  runForState,
  type LocalOutcome,
} from './local-transaction-state';
import {
  resolveTransactionSettings,
  type TransactionProducerOptions,
  type TransactionSettings,
} from './transaction-producer-options';
import {
  attachCheckHandler,
  claimTransactionGroup,
  detachCheckHandler,
  releaseTransactionGroup,
  type CheckReceiver,
} from './transaction-groups';

/** What the local transaction is given. */
export interface LocalTransactionContext {
  /** The message as passed to sendMessageInTransaction. */
  readonly message: Message;
  /** The half message's UNIQ_KEY; checks of this transaction carry it as `transactionId`. */
  readonly transactionId: string;
  readonly sendResult: SendResult;
}

/** Runs the local transaction and says how it ended. */
export type LocalTransactionExecutor = (
  context: LocalTransactionContext,
) => LocalTransactionState | Promise<LocalTransactionState>;

export interface TransactionSendResult extends SendResult {
  readonly transactionId: string;
  /** What END_TRANSACTION reported: the local outcome, ROLLBACK_MESSAGE after a soft send status. */
  readonly localState: LocalTransactionState;
  /** What the local transaction threw, or an InvalidTransactionStateError for a value that is not a state. */
  readonly localError?: unknown;
  /** False when END_TRANSACTION could not be written; the broker's check will settle it. */
  readonly endTransactionSent: boolean;
}

/** Counters since the producer was created; for monitoring and tests. */
export interface TransactionProducerStats {
  readonly transactionsSent: number;
  readonly checksReceived: number;
  readonly checksAnswered: number;
  /** Checks not taken (queue full, or shutting down); the broker asks again next round. */
  readonly checksRefused: number;
  /** Check or local-transaction callbacks that threw or returned a non-state (answered UNKNOW). */
  readonly callbackFailures: number;
  /** END_TRANSACTION requests that could not be written. */
  readonly endTransactionFailures: number;
}

type MutableStats = { -readonly [K in keyof TransactionProducerStats]: TransactionProducerStats[K] };

export class TransactionProducer extends Producer implements CheckReceiver {
  readonly transactionSettings: TransactionSettings;
  readonly #checks: CheckQueue;
  readonly #stats: MutableStats = {
    transactionsSent: 0,
    checksReceived: 0,
    checksAnswered: 0,
    checksRefused: 0,
    callbackFailures: 0,
    endTransactionFailures: 0,
  };

  constructor(options: TransactionProducerOptions) {
    super(options);
    this.transactionSettings = resolveTransactionSettings(options);
    this.#checks = new CheckQueue({
      concurrency: this.transactionSettings.checkConcurrency,
      capacity: this.transactionSettings.checkQueueCapacity,
      onTaskError: (error) =>
        this.options.logger.error('transaction check task failed', {
          group: this.options.group,
          error: error instanceof Error ? error : String(error),
        }),
    });
  }

  get stats(): TransactionProducerStats {
    return { ...this.#stats };
  }

  /** Refuses to start when a transactional producer of the same group runs in this process. */
  override async start(): Promise<void> {
    if (this.state !== 'created') return super.start(); // throws the lifecycle error
    claimTransactionGroup(this.options.group, this);
    try {
      await super.start();
    } catch (error) {
      releaseTransactionGroup(this.options.group, this);
      throw error;
    }
    try {
      await this.#announceToBrokers();
    } catch (error) {
      // The start failed for `error`; a failing unwind is logged, not thrown in its place.
      await this.shutdown().catch((shutdownError: unknown) =>
        this.options.logger.warn('shutdown after a failed start failed', {
          group: this.options.group,
          error: shutdownError instanceof Error ? shutdownError : String(shutdownError),
        }),
      );
      throw error;
    }
  }

  /**
   * Leaves the group. Checks still waiting are refused (the broker asks again, maybe another
   * member); checks and local transactions already running finish, but an END_TRANSACTION they
   * send after this is not delivered (counted in endTransactionFailures; the broker's check
   * settles the transaction).
   */
  override async shutdown(): Promise<void> {
    const dropped = this.#checks.clear();
    if (dropped > 0) {
      this.#stats.checksRefused += dropped;
      this.options.logger.warn('transaction checks dropped at shutdown; the broker asks again', {
        group: this.options.group,
        dropped,
      });
    }
    try {
      await super.shutdown();
    } finally {
      releaseTransactionGroup(this.options.group, this);
    }
  }

  /**
   * Heartbeats reach the brokers of the routes in use; learning the routes of the template topic
   * and of `topics` now (RocketMQ's producer does the former) lets those brokers send this
   * producer checks before it sends anything. A topic no name server knows yet is asked for again
   * on every route refresh.
   */
  async #announceToBrokers(): Promise<void> {
    const instance = this.clientInstance;
    if (instance === undefined) return;
    const topics = [this.options.createTopicKey, ...this.transactionSettings.topics];
    await Promise.all(topics.map((topic) => instance.topicRoute(topic)));
    await instance.sendHeartbeatToAllBrokers();
  }

  protected override attachToInstance(instance: ClientInstance): void {
    attachCheckHandler(instance);
  }

  protected override detachFromInstance(instance: ClientInstance): void {
    detachCheckHandler(instance);
  }

  /**
   * Sends `message` as a half message, runs `executeLocal` once it is stored, and reports the
   * outcome to the broker. Rejects (without running executeLocal) when the half message is not
   * stored; resolves once END_TRANSACTION is written (or failed to be: see endTransactionSent).
   */
  async sendMessageInTransaction(
    message: Message,
    executeLocal: LocalTransactionExecutor,
  ): Promise<TransactionSendResult> {
    if (typeof executeLocal !== 'function') {
      throw new InvalidMessageError(
        'sendMessageInTransaction needs the local transaction as its second argument: ' +
          "async ({ transactionId }) => 'COMMIT_MESSAGE' | 'ROLLBACK_MESSAGE' | 'UNKNOW'",
      );
    }
    const { sendResult, ref: half } = await this.sendHalf(message);
    const transactionId = sendResult.msgId;
    const outcome = await this.#runLocal(message, sendResult, executeLocal);
    const remark =
      outcome.problem === undefined
        ? undefined
        : describeProblem(outcome.problem, 'executeLocalTransactionBranch');
    const address = this.clientInstance?.brokerAddress(sendResult.messageQueue.brokerName);
    const endTransactionSent = await this.#endTransaction(half, outcome.state, remark, false, address);
    return {
      ...sendResult,
      transactionId,
      localState: outcome.state,
      ...(outcome.problem === undefined ? {} : { localError: localErrorOf(outcome, remark) }),
      endTransactionSent,
    };
  }

  /**
   * Sends `message` as a half message and resolves once the broker stored it (rejects when it did
   * not: then there is nothing to end). The caller runs its local transaction and then calls
   * endTransaction; until it does, or if that is lost, the broker's check decides. `options` pick
   * the queue the message is committed to (shardingKey keeps one key's messages in order).
   */
  async sendHalf(message: Message, options: SendOptions = {}): Promise<HalfMessage> {
    const sendResult = await this.sendWithSystemFields(
      message,
      {
        properties: new Map([
          [MessageConst.PROPERTY_TRANSACTION_PREPARED, 'true'],
          [MessageConst.PROPERTY_PRODUCER_GROUP, this.options.group],
        ]),
        sysFlag: MessageSysFlag.TRANSACTION_PREPARED_TYPE,
      },
      options,
    );
    this.#stats.transactionsSent += 1;
    return { transactionId: sendResult.msgId, sendResult, ref: halfMessageOf(sendResult) };
  }

  /**
   * Tells the broker that stored `half` how its local transaction ended (oneway). Resolves false,
   * logged and counted, when the request could not be written: the broker's check settles it.
   */
  async endTransaction(half: HalfMessage, state: LocalTransactionState): Promise<boolean> {
    if (!isLocalTransactionState(state)) {
      throw new InvalidTransactionStateError(
        `endTransaction needs COMMIT_MESSAGE, ROLLBACK_MESSAGE or UNKNOW, got ${String(state)}`,
      );
    }
    const address = this.clientInstance?.brokerAddress(half.sendResult.messageQueue.brokerName);
    return this.#endTransaction(half.ref, state, undefined, false, address);
  }

  /** Called by the client instance's check handler; see transaction-groups.ts. */
  receiveCheck(check: TransactionCheckRequest, brokerAddress: string): void {
    this.#stats.checksReceived += 1;
    const refuse = (reason: string) => {
      this.#stats.checksRefused += 1;
      this.options.logger.warn('transaction check refused; the broker asks again next round', {
        group: this.options.group,
        reason,
        msgId: check.half.msgId,
        broker: brokerAddress,
        refused: this.#stats.checksRefused,
      });
    };
    if (this.state !== 'running') {
      refuse(`producer is ${this.state}`);
      return;
    }
    const taken = this.#checks.offer(() => this.#answerCheck(check, brokerAddress));
    if (!taken) {
      refuse(
        `${this.#checks.running} checks running and ${this.#checks.waiting} waiting ` +
          '(raise checkConcurrency or checkQueueCapacity if this persists)',
      );
    }
  }

  async #runLocal(
    message: Message,
    sendResult: SendResult,
    executeLocal: LocalTransactionExecutor,
  ): Promise<LocalOutcome> {
    if (sendResult.status !== SendStatus.SEND_OK) {
      this.options.logger.warn(
        'half message stored with a soft status; rolled back without running the local transaction',
        {
          group: this.options.group,
          msgId: sendResult.msgId,
          status: sendResult.status,
        },
      );
      return { state: LocalTransactionState.ROLLBACK_MESSAGE };
    }
    const outcome = await runForState(() =>
      executeLocal({ message, transactionId: sendResult.msgId, sendResult }),
    );
    if (outcome.problem !== undefined) this.#callbackFailed(outcome, 'local transaction', sendResult.msgId);
    return outcome;
  }

  async #answerCheck(check: TransactionCheckRequest, brokerAddress: string): Promise<void> {
    const listener = this.transactionSettings.checkLocalTransaction;
    const outcome = await runForState(() => listener(check.message));
    if (outcome.problem !== undefined) this.#callbackFailed(outcome, 'transaction check', check.half.msgId);
    const remark =
      outcome.problem === undefined ? undefined : describeProblem(outcome.problem, 'checkLocalTransaction');
    const sent = await this.#endTransaction(check.half, outcome.state, remark, true, brokerAddress);
    if (sent) this.#stats.checksAnswered += 1;
  }

  #callbackFailed(outcome: LocalOutcome, what: string, msgId: string): void {
    this.#stats.callbackFailures += 1;
    const problem = outcome.problem;
    this.options.logger.warn(`${what} failed; answered UNKNOW, the broker checks again later`, {
      group: this.options.group,
      msgId,
      error:
        problem?.kind === 'threw'
          ? problem.error instanceof Error
            ? problem.error
            : String(problem.error)
          : `returned ${problem?.description ?? 'nothing'}`,
    });
  }

  /** Writes END_TRANSACTION; false (logged, counted) when it could not be written. */
  async #endTransaction(
    half: HalfMessageRef,
    state: LocalTransactionState,
    remark: string | undefined,
    fromTransactionCheck: boolean,
    address: string | undefined,
  ): Promise<boolean> {
    const instance = this.clientInstance;
    const context = {
      group: this.options.group,
      msgId: half.msgId,
      state,
      fromTransactionCheck,
      broker: address ?? half.brokerName,
    };
    if (instance === undefined || address === undefined) {
      this.#stats.endTransactionFailures += 1;
      this.options.logger.warn('END_TRANSACTION not sent; the broker checks the transaction later', {
        ...context,
        error: instance === undefined ? `producer is ${this.state}` : 'no address for the broker',
      });
      return false;
    }
    const request = endTransactionRequest({
      producerGroup: this.options.group,
      half,
      state,
      fromTransactionCheck,
      remark,
      serializeType: this.options.serializeType,
    });
    try {
      await instance.invokeOneway(address, request);
      return true;
    } catch (error) {
      this.#stats.endTransactionFailures += 1;
      this.options.logger.warn('END_TRANSACTION not sent; the broker checks the transaction later', {
        ...context,
        error: error instanceof Error ? error : String(error),
      });
      return false;
    }
  }
}

function localErrorOf(outcome: LocalOutcome, remark: string | undefined): unknown {
  if (outcome.problem?.kind === 'threw') return outcome.problem.error;
  return new InvalidTransactionStateError(remark ?? 'the local transaction returned no state');
}
