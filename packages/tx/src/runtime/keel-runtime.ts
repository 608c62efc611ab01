// KeelRuntime: connects the database layer to the broker for one service (one DataSource, one
// producer group):
//
//   const runtime = await KeelRuntime.start({ dataSource, nameServer, producerGroup,
//                                             services: [orders], handlers: [payments] });
//   ...
//   await runtime.shutdown();
//
// Start, in this order, undoing what was done if a step fails (the first error is thrown):
//   1. options, decorator metadata and services checked (all problems in one error)
//   2. Keel's tables created (ensureTables) or checked to exist
//   3. clients built (their own option checks), then `services` and `handlers` bound to the
//      DataSource for @Transactional(), publish() wired to this runtime, the transaction guard on
//   4. the transactional producer starts (it answers check-backs from now on: a restarted service
//      settles what its previous run left open), then one consumer per group, then the inbox and
//      barrier retention purges
//
// Shutdown (graceful, once): new transactions are refused from here on (@Transactional() calls and
// publish() outside transactions in flight throw RUNTIME_NOT_RUNNING; transaction-gate.ts); the
// purges stop; consumers stop pulling, let running handlers finish and commit their offsets; the
// transactions in flight end, and their END_TRANSACTIONs are written; the producer leaves its
// group; bindings are removed. The DataSource is the caller's and stays open.
//
// Lifecycle: starting → running → stopping → stopped (a failed start ends stopped).

import { TypedEmitter, type Logger } from '@keel/broker';
import { TransactionProducer, type PushConsumer } from '@keel/broker/client';
import { checkAnswerer } from '../check/check-answerer';
import { installTransactionGuard, isTransactionGuardInstalled } from '../context/transaction-guard';
import { TxError, TxErrorCodes } from '../errors';
import type { TxProblemReporter } from '../problems';
import { DeliveryRunner } from '../handlers/delivery-runner';
import { createConsumers } from '../handlers/group-consumers';
import { purgeBarriers } from '../barrier/purge-barriers';
import { purgeInbox } from '../inbox/purge-inbox';
import { RetentionPurger } from '../retention/retention-purger';
import { bindTransactional, type RegisteredTransactionOptions } from '../metadata/transactional-data-source';
import { TransactionalSender } from '../publish/transactional-sender';
import { registerPublishTarget } from '../publish/publish-targets';
import { ensureKeelTables } from '../schema/ensure-keel-tables';
import { explainMissingTables } from '../schema/tables-missing';
import type { KeelRuntimeEvents } from './runtime-events';
import { attachInternals } from './runtime-internals';
import {
  KeelRuntimeConfigError,
  resolveRuntimeOptions,
  type KeelRuntimeOptions,
  type ResolvedRuntimeOptions,
} from './runtime-options';
import { validateRuntimeMetadata } from './runtime-metadata';
import { TransactionGate } from './transaction-gate';
import { TransactionSteps } from './transaction-steps';

export type KeelRuntimeState = 'starting' | 'running' | 'stopping' | 'stopped';

interface Parts {
  readonly producer: TransactionProducer;
  readonly consumers: readonly PushConsumer[];
  readonly sender: TransactionalSender;
  readonly runner: DeliveryRunner;
  readonly purgers: readonly RetentionPurger[];
  readonly gate: TransactionGate;
}

export class KeelRuntime {
  /** Deliveries and published transactions; see runtime-events.ts. */
  readonly events: TypedEmitter<KeelRuntimeEvents>;
  readonly options: ResolvedRuntimeOptions;
  /** The consumer groups this runtime consumes as (message handlers and `<group>-dlq`). */
  readonly consumerGroups: readonly string[];
  #state: KeelRuntimeState = 'starting';
  readonly #parts: Parts;
  /** Undo steps of start, run in reverse at shutdown. */
  readonly #undo: (() => void)[] = [];
  #shutdown: Promise<void> | undefined;

  private constructor(
    options: ResolvedRuntimeOptions,
    parts: Parts,
    events: TypedEmitter<KeelRuntimeEvents>,
  ) {
    this.options = options;
    this.#parts = parts;
    this.events = events;
    this.consumerGroups = parts.consumers.map((consumer) => consumer.group);
  }

  static async start(options: KeelRuntimeOptions): Promise<KeelRuntime> {
    const resolved = resolveRuntimeOptions(options);
    const metadata = validateRuntimeMetadata(resolved.services, resolved.handlers);
    await prepareTables(resolved);
    const { dataSource, logger, clock, tables } = resolved;
    const events = new TypedEmitter<KeelRuntimeEvents>({
      onListenerError: (error, event) =>
        logger.warn('a runtime event listener threw', {
          event: String(event),
          error: error instanceof Error ? error : String(error),
        }),
    });
    const steps = new TransactionSteps();
    const gate = new TransactionGate(`the Keel runtime of producer group ${resolved.producerGroup}`);
    const report = problemLogger(logger);
    const transactionOptions = { tables, clock, report } satisfies RegisteredTransactionOptions;
    const parts = buildParts(resolved, metadata, events, { steps, gate }, transactionOptions);
    const runtime = new KeelRuntime(resolved, parts, events);
    attachInternals(runtime, { steps, runner: parts.runner, messageHandlers: metadata.messageHandlers });
    try {
      runtime.#undo.push(registerPublishTarget(dataSource, parts.sender));
      runtime.#undo.push(
        bindTransactional(
          [...resolved.services, ...resolved.handlers],
          dataSource,
          transactionOptions,
          parts.gate,
        ),
      );
      if (!isTransactionGuardInstalled(dataSource)) runtime.#undo.push(installTransactionGuard(dataSource));
      await parts.producer.start();
      for (const consumer of parts.consumers) await consumer.start();
      for (const purger of parts.purgers) purger.start();
    } catch (error: unknown) {
      await runtime.#stop().catch((stopError: unknown) =>
        logger.warn('undoing a failed start failed', {
          error: stopError instanceof Error ? stopError : String(stopError),
        }),
      );
      throw error;
    }
    runtime.#state = 'running';
    logger.info('Keel runtime started', {
      producerGroup: resolved.producerGroup,
      consumerGroups: runtime.consumerGroups.join(',') || '(none)',
    });
    return runtime;
  }

  get state(): KeelRuntimeState {
    return this.#state;
  }

  /** Handler deliveries running now. */
  get activeDeliveries(): number {
    return this.#parts.runner.active;
  }

  /** The transactional producer (its stats count sends, checks and END_TRANSACTION failures). */
  get producer(): TransactionProducer {
    return this.#parts.producer;
  }

  /** Graceful stop; later calls share the first. */
  shutdown(): Promise<void> {
    this.#shutdown ??= this.#stop();
    return this.#shutdown;
  }

  /** Every step runs even when an earlier one fails; the first failure is thrown at the end. */
  async #stop(): Promise<void> {
    this.#state = 'stopping';
    const { purgers, consumers, sender, producer, gate } = this.#parts;
    gate.close();
    const steps: [string, () => Promise<unknown>][] = [
      ['stop the retention purges', () => Promise.all(purgers.map((purger) => purger.stop()))],
      // In parallel: each consumer drains its own handlers; none waits for another.
      ['stop the consumers', () => Promise.all(consumers.map((consumer) => consumer.shutdown()))],
      ['finish the transactions in flight', () => this.#whenTransactionsEnded()],
      ['finish END_TRANSACTIONs in flight', () => sender.whenEnded()],
      ['stop the producer', () => producer.shutdown()],
    ];
    let failure: { readonly error: unknown } | undefined;
    for (const [step, run] of steps) {
      try {
        await run();
      } catch (error: unknown) {
        failure ??= { error };
        this.options.logger.warn(`shutdown: could not ${step}`, {
          error: error instanceof Error ? error : String(error),
        });
      }
    }
    for (const undo of this.#undo.splice(0).reverse()) undo();
    this.#state = 'stopped';
    this.options.logger.info('Keel runtime stopped', { producerGroup: this.options.producerGroup });
    if (failure !== undefined) throw failure.error;
  }

  /** Admitted transactions still running: their commits and END_TRANSACTIONs need the producer. */
  async #whenTransactionsEnded(): Promise<void> {
    const { gate } = this.#parts;
    if (gate.inFlight > 0) {
      this.options.logger.info('shutdown: waiting for the transactions in flight', {
        transactions: gate.inFlight,
      });
    }
    await gate.whenIdle();
  }
}

function buildParts(
  options: ResolvedRuntimeOptions,
  metadata: ReturnType<typeof validateRuntimeMetadata>,
  events: TypedEmitter<KeelRuntimeEvents>,
  { steps, gate }: { readonly steps: TransactionSteps; readonly gate: TransactionGate },
  transactionOptions: RegisteredTransactionOptions & { readonly report: TxProblemReporter },
): Parts {
  const { dataSource, logger, clock, tables, serializer } = options;
  const client = {
    nameServer: options.nameServer,
    ...(options.instanceName === undefined ? {} : { instanceName: options.instanceName }),
  };
  try {
    const producer = new TransactionProducer({
      ...options.producer,
      ...client,
      group: options.producerGroup,
      logger: logger.child('producer'),
      checkLocalTransaction: checkAnswerer(
        dataSource,
        {
          lockTimeoutMs: options.checkLockTimeoutMs,
          tables,
          clock,
          report: transactionOptions.report,
        },
        logger.child('check'),
        options.barrierRetentionMs,
      ),
    });
    const runner = new DeliveryRunner({
      dataSource,
      transactionOptions,
      serializer,
      events,
      logger: logger.child('handler'),
      gate,
    });
    const consumers = createConsumers(
      metadata.messageHandlers,
      metadata.deadLetterHandlers,
      { ...options.consumer, ...client, logger: logger.child('consumer') },
      runner,
      logger.child('consumer'),
    );
    const sender = new TransactionalSender({
      producer,
      serializer,
      logger: logger.child('publish'),
      steps,
      events,
      gate,
    });
    const purgers = [
      new RetentionPurger({
        what: 'inbox',
        retentionMs: options.inboxRetentionMs,
        intervalMs: options.inboxPurgeIntervalMs,
        clock,
        logger: logger.child('inbox'),
        purge: (olderThanMs) => purgeInbox(dataSource, olderThanMs, clock, { tables }),
      }),
      new RetentionPurger({
        what: 'barrier',
        retentionMs: options.barrierRetentionMs,
        intervalMs: options.barrierPurgeIntervalMs,
        clock,
        logger: logger.child('barrier'),
        purge: (olderThanMs) => purgeBarriers(dataSource, olderThanMs, clock, { tables }),
      }),
    ];
    return { producer, consumers, sender, runner, purgers, gate };
  } catch (error: unknown) {
    // A client refused its options (a bad consumer or producer setting): report it as the
    // runtime's configuration problem, with the client's message.
    throw new KeelRuntimeConfigError([error instanceof Error ? error.message : String(error)], {
      cause: error,
    });
  }
}

async function prepareTables(options: ResolvedRuntimeOptions): Promise<void> {
  const { dataSource, tables } = options;
  if (options.ensureTables) {
    await ensureKeelTables(dataSource, { tables });
    return;
  }
  try {
    await dataSource.query(`SELECT 1 FROM ${tables.barrierTable}, ${tables.inboxTable} LIMIT 0`);
  } catch (error: unknown) {
    const explained = explainMissingTables(error, tables);
    if (explained !== error) throw explained;
    throw new TxError(
      TxErrorCodes.TABLES_MISSING,
      `KeelRuntime.start could not read Keel's tables: ${String(error)}`,
      {
        cause: error,
      },
    );
  }
}

/** Problems the transaction layer cannot throw (a failed rollback, a check answering UNKNOWN), logged. */
function problemLogger(logger: Logger): TxProblemReporter {
  return (problem) => {
    const error = problem.error;
    logger.warn(`transaction problem: ${problem.kind}`, {
      transactionId: problem.transactionId,
      ...('reason' in problem ? { reason: problem.reason } : {}),
      ...(error === undefined ? {} : { error: error instanceof Error ? error : String(error) }),
    });
  };
}
