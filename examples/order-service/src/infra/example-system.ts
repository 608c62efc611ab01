// Everything of the one-process example: name server and broker, the order service (with
// shipping) and the payment service on their own databases, and the HTTP API in front. Besides
// starting and stopping it all, it can restart any part, which is how the scenario injects
// service crashes and a broker restart while orders keep coming.
//
// stop() may come while a restart is under way (a run that failed or was aborted mid-fault): it
// lets the restart finish first, since stopping under it would leave what the restart then
// starts running, and no restart begins once stop() has been called.

import type { Server } from 'node:http';
import { IllegalStateError, KeelError, sleep, type Clock, type Logger } from '@keel/broker';
import { AdminClient } from '@keel/broker/client';
import { listenOnEphemeralPort } from '@keel/broker/testing';
import type { KeelRuntime } from '@keel/tx';
import { duplicateEveryDelivery, injectFaults } from '@keel/tx/testing';
import type { DataSource } from 'typeorm';
import { Groups, Topics } from '../events/topics';
import type { FaultPoints } from '../fault-points';
import { createApiServer, type ApiBackends } from '../http/http-api';
import { OrderQueries, toOrderView } from '../order/order-queries';
import { PaymentQueries } from '../payment/payment-queries';
import { openServiceDatabase, type DatabaseTarget, type ServiceDatabase } from './databases';
import { DeliveryCounter } from './delivery-counter';
import { EmbeddedCluster } from './embedded-cluster';
import {
  startOrderService,
  startPaymentService,
  type RunningOrderService,
  type ServiceEnvironment,
} from './services';

export interface ExampleSystemOptions {
  readonly dataDir: string;
  readonly database: DatabaseTarget;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly faults: FaultPoints;
  /** HTTP port; 0 picks a free one. */
  readonly port: number;
  /** Runs on the fresh databases before the services start (the scenario seeds its data here). */
  readonly prepare?: (orderDb: DataSource, paymentDb: DataSource) => Promise<void>;
}

/** What a restart did, for the report. */
export interface RestartReport {
  readonly downMs: number;
  /** Messages of the rewound groups that will be delivered again. */
  readonly rewoundMessages: number;
}

export class ExampleSystem {
  readonly deliveries = new DeliveryCounter();
  readonly #options: ExampleSystemOptions;
  readonly #cluster: EmbeddedCluster;
  readonly #databases: { readonly order: ServiceDatabase; readonly payment: ServiceDatabase };
  readonly #env: ServiceEnvironment;
  #order: RunningOrderService | undefined;
  #payment: KeelRuntime | undefined;
  #server: Server | undefined;
  #apiUrl = '';
  // Check-backs answered by runtimes already stopped (a restart starts a new producer at zero).
  readonly #checksAnsweredBefore = { order: 0, payment: 0 };
  #admin: AdminClient | undefined;
  /** Restarts (and duplicate-delivery windows) under way; stop() waits for them. */
  readonly #operations = new Set<Promise<unknown>>();
  #stopped: Promise<void> | undefined;

  private constructor(
    options: ExampleSystemOptions,
    cluster: EmbeddedCluster,
    databases: { readonly order: ServiceDatabase; readonly payment: ServiceDatabase },
  ) {
    this.#options = options;
    this.#cluster = cluster;
    this.#databases = databases;
    this.#env = { nameServer: cluster.nameServer, clock: options.clock, logger: options.logger };
  }

  static async start(options: ExampleSystemOptions): Promise<ExampleSystem> {
    const cluster = await EmbeddedCluster.start(options);
    const opened: ServiceDatabase[] = [];
    try {
      const order = await openServiceDatabase(options.database, 'order', { fresh: true });
      opened.push(order);
      const payment = await openServiceDatabase(options.database, 'payment', { fresh: true });
      opened.push(payment);
      await options.prepare?.(order.dataSource, payment.dataSource);
      const system = new ExampleSystem(options, cluster, { order, payment });
      try {
        await system.#startPayment();
        await system.#startOrder();
        await system.#listen();
      } catch (error: unknown) {
        await system.stop();
        throw error;
      }
      return system;
    } catch (error: unknown) {
      for (const database of opened) await database.close();
      await cluster.stop();
      throw error;
    }
  }

  get apiUrl(): string {
    return this.#apiUrl;
  }

  get nameServer(): string {
    return this.#cluster.nameServer;
  }

  get orderDb(): DataSource {
    return this.#databases.order.dataSource;
  }

  get paymentDb(): DataSource {
    return this.#databases.payment.dataSource;
  }

  get orderRuntime(): KeelRuntime | undefined {
    return this.#order?.runtime;
  }

  get paymentRuntime(): KeelRuntime | undefined {
    return this.#payment;
  }

  /** Check-backs the broker sent and the services answered from their barrier rows, so far. */
  get checkBacksAnswered(): { readonly order: number; readonly payment: number } {
    return {
      order: this.#checksAnsweredBefore.order + (this.#order?.runtime.producer.stats.checksAnswered ?? 0),
      payment: this.#checksAnsweredBefore.payment + (this.#payment?.producer.stats.checksAnswered ?? 0),
    };
  }

  /** Half messages the broker holds open: transactions whose outcome it does not know yet. */
  async openTransactions(): Promise<number> {
    const { transactions, truncated } = await this.#adminClient().txList();
    // A broker with more open than were listed reports its total instead.
    const totals = new Map(truncated.map((broker) => [broker.brokerName, broker.total]));
    const listed = transactions.filter((transaction) => !totals.has(transaction.brokerName)).length;
    return listed + [...totals.values()].reduce((total, count) => total + count, 0);
  }

  /**
   * The next `count` transactions of the order service commit in the database and then lose their
   * END_TRANSACTION, as if the process died right after COMMIT (the test kit's fault point). Their
   * messages stay half messages until the broker checks back and the barrier row says COMMIT.
   */
  loseEndTransactions(count: number): void {
    const running = this.#order;
    if (running === undefined) throw new Error('the order service is not running');
    injectFaults(running.runtime).failAt('after-commit', { times: count });
  }

  /**
   * For `forMs`, every delivery to the payment and order services' handlers comes with a second
   * copy at the same time (same msgId), racing it for the inbox row. Returns how many copies were
   * handed over.
   */
  duplicateDeliveries(forMs: number): Promise<number> {
    return this.#operation('duplicate deliveries', () => this.#duplicateDeliveries(forMs));
  }

  async #duplicateDeliveries(forMs: number): Promise<number> {
    const runtimes = [this.#payment, this.#order?.runtime].filter((runtime) => runtime !== undefined);
    let copies = 0;
    const stops = runtimes.flatMap((runtime) => [
      duplicateEveryDelivery(runtime, { copies: 1, concurrent: true }),
      runtime.events.on('deliveryStarted', () => {
        copies += 1;
      }),
    ]);
    try {
      await sleep(this.#options.clock, forMs);
    } finally {
      for (const stop of stops) stop();
    }
    // Each original and its copy both announce their start: half of the starts were copies.
    return Math.floor(copies / 2);
  }

  /**
   * Stops the payment service and starts it again. With `rewindMs`, its consumer offsets are set
   * back that far first, as a crash leaves them (offsets are committed every few seconds), so the
   * messages of those seconds are delivered again.
   */
  restartPaymentService(rewindMs: number): Promise<RestartReport> {
    return this.#operation('restart the payment service', () => this.#restartPaymentService(rewindMs));
  }

  async #restartPaymentService(rewindMs: number): Promise<RestartReport> {
    const started = this.#options.clock.now();
    const running = this.#payment;
    this.#payment = undefined;
    await running?.shutdown();
    this.#checksAnsweredBefore.payment += running?.producer.stats.checksAnswered ?? 0;
    const rewound = await this.#rewind(Groups.payment, [Topics.orderCreated], rewindMs);
    await this.#startPayment();
    return { downMs: this.#options.clock.now() - started, rewoundMessages: rewound };
  }

  /** The same for the order service and shipping; the API answers 503 while it is down. */
  restartOrderService(rewindMs: number): Promise<RestartReport> {
    return this.#operation('restart the order service', () => this.#restartOrderService(rewindMs));
  }

  async #restartOrderService(rewindMs: number): Promise<RestartReport> {
    const started = this.#options.clock.now();
    const running = this.#order;
    this.#order = undefined;
    await running?.runtime.shutdown();
    this.#checksAnsweredBefore.order += running?.runtime.producer.stats.checksAnswered ?? 0;
    const rewound =
      (await this.#rewind(Groups.order, [Topics.paymentSucceeded, Topics.paymentFailed], rewindMs)) +
      (await this.#rewind(Groups.shipping, [Topics.orderStatus], rewindMs));
    await this.#startOrder();
    return { downMs: this.#options.clock.now() - started, rewoundMessages: rewound };
  }

  /** Stops the broker (gracefully) and starts it again on the same store after `downMs`. */
  restartBroker(downMs: number): Promise<RestartReport> {
    return this.#operation('restart the broker', () => this.#restartBroker(downMs));
  }

  async #restartBroker(downMs: number): Promise<RestartReport> {
    const started = this.#options.clock.now();
    await this.#cluster.stopBroker('broker restart (fault injected by the scenario)');
    await sleep(this.#options.clock, downMs);
    await this.#cluster.startBroker();
    return { downMs: this.#options.clock.now() - started, rewoundMessages: 0 };
  }

  /**
   * Stops everything, in the reverse order of start, after any restart under way. Every step runs
   * even when an earlier one fails (one failure must not leave the broker running); the first
   * failure is thrown at the end. Later calls share the first.
   */
  stop(): Promise<void> {
    this.#stopped ??= this.#stop();
    return this.#stopped;
  }

  async #stop(): Promise<void> {
    // Their failures are the caller's to see (the fault schedule reports them), not stop()'s.
    await Promise.allSettled([...this.#operations]);
    const steps: Array<[string, () => Promise<unknown>]> = [
      ['close the admin client', async () => this.#admin?.close()],
      ['close the HTTP API', () => this.#closeServer()],
      ['stop the order service', async () => this.#order?.runtime.shutdown()],
      ['stop the payment service', async () => this.#payment?.shutdown()],
      ["close the order service's database", () => this.#databases.order.close()],
      ["close the payment service's database", () => this.#databases.payment.close()],
      ['stop the broker and the name server', () => this.#cluster.stop()],
    ];
    let failure: { readonly error: unknown } | undefined;
    for (const [step, run] of steps) {
      try {
        await run();
      } catch (error: unknown) {
        failure ??= { error };
        this.#options.logger.warn(`stopping the example: could not ${step}`, {
          error: error instanceof Error ? error : String(error),
        });
      }
    }
    this.#admin = undefined;
    this.#order = undefined;
    this.#payment = undefined;
    if (failure !== undefined) throw failure.error;
  }

  async #closeServer(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (server === undefined) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /** Runs a restart (or another change of the running system), refused once stop() was called. */
  async #operation<T>(name: string, body: () => Promise<T>): Promise<T> {
    if (this.#stopped !== undefined) {
      throw new IllegalStateError(`cannot ${name}: the example system is stopping`);
    }
    const running = body();
    this.#operations.add(running);
    try {
      return await running;
    } finally {
      this.#operations.delete(running);
    }
  }

  async #startPayment(): Promise<void> {
    const runtime = await startPaymentService(this.paymentDb, this.#env, this.#options.faults);
    this.deliveries.attach(runtime);
    this.#payment = runtime;
  }

  async #startOrder(): Promise<void> {
    const running = await startOrderService(this.orderDb, this.#env);
    this.deliveries.attach(running.runtime);
    this.#order = running;
  }

  async #listen(): Promise<void> {
    const orderQueries = new OrderQueries(this.orderDb);
    const paymentQueries = new PaymentQueries(this.paymentDb);
    const backends: ApiBackends = {
      placeOrder: async (request, key) => {
        const running = this.#order;
        if (running === undefined) {
          throw new KeelError('SERVICE_RESTARTING', 'the order service is restarting', { retriable: true });
        }
        const placed = await running.orders.placeOrder(request, key);
        return { order: toOrderView(placed.order), created: placed.created };
      },
      order: (id) => orderQueries.order(id),
      product: (sku) => orderQueries.product(sku),
      account: (userId) => paymentQueries.account(userId),
    };
    const logger = this.#options.logger.child('http');
    const server = createApiServer(backends, (message, error) =>
      logger.error(message, { error: error instanceof Error ? error : String(error) }),
    );
    this.#server = server;
    const port =
      this.#options.port === 0
        ? await listenOnEphemeralPort(server)
        : await new Promise<number>((resolve, reject) => {
            server.once('error', reject);
            server.listen(this.#options.port, '127.0.0.1', () => resolve(this.#options.port));
          });
    this.#apiUrl = `http://127.0.0.1:${port}`;
  }

  async #rewind(group: string, topics: readonly string[], rewindMs: number): Promise<number> {
    if (rewindMs <= 0) return 0;
    let rewound = 0;
    for (const topic of topics) {
      const resets = await this.#adminClient().resetOffsetByTime({
        group,
        topic,
        timestampMs: this.#options.clock.now() - rewindMs,
      });
      for (const reset of resets) rewound += Math.max(0, (reset.oldOffset ?? 0) - reset.newOffset);
    }
    return rewound;
  }

  #adminClient(): AdminClient {
    this.#admin ??= new AdminClient({
      nameServer: this.#cluster.nameServer,
      logger: this.#options.logger.child('admin'),
    });
    return this.#admin;
  }
}
