// The push consumer of @keel/broker/client (RocketMQ's DefaultMQPushConsumer, facts §8.3–§8.6):
//
//   const consumer = new PushConsumer({ group: 'billing', nameServer: '127.0.0.1:9876' });
//   consumer.subscribe('OrderEvents', 'Created || Paid');
//   consumer.onMessages(async (messages) => { ...; return 'CONSUME_SUCCESS'; });
//   await consumer.start();
//   ...
//   await consumer.shutdown();
//
// Lifecycle (guarded moves; anything else throws IllegalStateError):
//
//   created ──start──► running ──shutdown──► stopping ──► shutdown
//      └───────────────shutdown──────────────────────────────┘
//
// A start that fails (the group already registered on this client id, ...) or meets a shutdown()
// before it is registered undoes what it did and ends in 'shutdown'; shutdown() waits for a start
// in progress first, so nothing it scheduled outlives the consumer.
//
// While running: a rebalance at start, every rebalanceIntervalMs and on NOTIFY_CONSUMER_IDS_CHANGED
// or a route change of a subscribed topic decides the queues (RebalanceService → Rebalancer);
// each assigned queue has a pull loop (PullLoops) feeding the consume service; offsets are written
// out every persistConsumerOffsetIntervalMs; orderly CLUSTERING consumers renew queue locks every
// lockRenewIntervalMs (first after 1 s).
//
// Shutdown, in this order so nothing consumed is lost and nothing is consumed twice needlessly:
// stop rebalancing and pulling; let the consume service finish what was pulled; write the offsets
// out; release the queue locks; unregister the group; release the client instance.

import { IllegalStateError } from '../../common/errors';
import type { ConsumerData } from '../../protocol/bodies/heartbeat-data';
import type { ClientInstance } from '../client-instance';
import { acquireClientInstance, releaseClientInstance } from '../client-instance-registry';
import type { ConsumerDataProvider } from '../client-registrations';
import type { ConcurrentMessageListener } from './consume-concurrently';
import { OrderlyConsumeService, type OrderlyMessageListener } from './consume-orderly';
import type { ConsumedMessage } from './consumed-message';
import type { ConsumeMode } from './consumer-modes';
import type { MessageQueue } from './message-queue';
import {
  resolvePushConsumerOptions,
  type PushConsumerOptions,
  type ResolvedPushConsumerOptions,
} from './push-consumer-options';
import {
  assemblePushConsumerRuntime,
  locksQueues,
  type ConsumeService,
  type PushConsumerRuntime,
  type PushListener,
} from './push-consumer-runtime';
import { groupByBroker, renewLocks } from './queue-locking';
import { retryTopicOf, Subscriptions } from './subscriptions';

/** What a start has done so far, so a failed one undoes exactly that. */
interface StartProgress {
  readonly instance: ClientInstance;
  runtime: PushConsumerRuntime | undefined;
  registered: boolean;
}

export type PushConsumerState = 'created' | 'running' | 'stopping' | 'shutdown';

/** ConsumeMessageOrderlyService: the first lock renewal comes soon after start. */
const FIRST_LOCK_RENEWAL_DELAY_MS = 1000;

export class PushConsumer {
  readonly options: ResolvedPushConsumerOptions;
  readonly #subscriptions: Subscriptions;
  #listener: PushListener | undefined;
  #state: PushConsumerState = 'created';
  #running: PushConsumerRuntime | undefined;
  #paused = false;
  #shutdown: Promise<void> | undefined;
  #starting: Promise<void> | undefined;
  /** One identity for register and unregister: the instance removes only what this consumer added. */
  readonly #consumerDataProvider: ConsumerDataProvider = () => this.#consumerData();

  constructor(options: PushConsumerOptions) {
    this.options = resolvePushConsumerOptions(options);
    this.#subscriptions = new Subscriptions(this.options.clock);
  }

  get state(): PushConsumerState {
    return this.#state;
  }

  get group(): string {
    return this.options.group;
  }

  /** The shared client instance's id; defined while running. */
  get clientId(): string | undefined {
    return this.#running?.instance.clientId;
  }

  /** The queues this consumer owns now (sorted by nothing in particular). */
  get assignedQueues(): MessageQueue[] {
    return this.#running?.table.all().map((entry) => entry.queue) ?? [];
  }

  /** Subscribes to `topic` with a tag expression: '*' or 'TagA || TagB'. Before or after start. */
  subscribe(topic: string, expression = '*'): void {
    if (this.#state === 'stopping' || this.#state === 'shutdown') {
      throw new IllegalStateError(`push consumer ${this.group} is ${this.#state}; cannot subscribe`);
    }
    this.#subscriptions.subscribe(topic, expression);
    const running = this.#running;
    if (running !== undefined) void this.#announceSubscription(running, topic);
  }

  /** Registers a concurrent listener (replacing any other); before start. */
  onMessages(listener: ConcurrentMessageListener<ConsumedMessage>): void {
    this.#setListener({ mode: 'CONCURRENTLY', listener });
  }

  /** Registers an orderly listener (replacing any other); before start. */
  onMessagesOrderly(listener: OrderlyMessageListener<ConsumedMessage>): void {
    this.#setListener({ mode: 'ORDERLY', listener });
  }

  /** Pulls pause (checked again every second) until resume; consumption of cached messages goes on. */
  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
  }

  /** Resolves once the current (or next asked-for) rebalance is done; for tests and tools. */
  async rebalanceNow(): Promise<void> {
    const running = this.#requireRunning();
    running.rebalanceService.trigger();
    await running.rebalanceService.whenIdle();
  }

  async start(): Promise<void> {
    if (this.#state !== 'created' || this.#starting !== undefined) {
      throw new IllegalStateError(`push consumer ${this.group} is ${this.#state}; start it once`);
    }
    const listener = this.#listener;
    if (listener === undefined) {
      throw new IllegalStateError(
        `push consumer ${this.group} has no listener; call onMessages or onMessagesOrderly before start`,
      );
    }
    if (this.#subscriptions.size === 0) {
      throw new IllegalStateError(
        `push consumer ${this.group} subscribes to nothing; call subscribe before start`,
      );
    }
    if (this.options.messageModel === 'CLUSTERING') {
      // Redeliveries of the group's failed messages come back through its retry topic.
      this.#subscriptions.subscribe(retryTopicOf(this.group), '*');
    }
    this.#starting = this.#startRunning(listener);
    return this.#starting;
  }

  /**
   * Assembles, registers and schedules. Goes 'running' only once registered; a failure, or a
   * shutdown() arriving before then, unwinds exactly what was done and ends in 'shutdown'.
   */
  async #startRunning(listener: PushListener): Promise<void> {
    const instance = acquireClientInstance(this.options);
    const done: StartProgress = { instance, runtime: undefined, registered: false };
    let running: PushConsumerRuntime;
    try {
      running = await assemblePushConsumerRuntime(instance, {
        options: this.options,
        listener,
        subscriptions: this.#subscriptions,
        isPaused: () => this.#paused,
      });
      done.runtime = running;
      this.#abortIfStopping();
      instance.registerConsumer(this.group, this.#consumerDataProvider);
      done.registered = true;
      await Promise.all(
        this.#subscriptions.topics.map((topic) =>
          instance.topicRoute(topic).catch((error: unknown) =>
            this.options.logger.warn('no route yet for a subscribed topic; the rebalance retries', {
              group: this.group,
              topic,
              error: error instanceof Error ? error : new Error(String(error)),
            }),
          ),
        ),
      );
      this.#abortIfStopping();
      await instance.sendHeartbeatToAllBrokers();
      this.#abortIfStopping();
    } catch (error) {
      await this.#unwindStart(done);
      throw error;
    }
    this.#running = running;
    this.#state = 'running';
    this.#schedule(running, listener.mode);
    // A shutdown() from here on waits for this first rebalance, then stops everything as usual.
    await running.rebalanceService.start();
  }

  #abortIfStopping(): void {
    if (this.#state === 'stopping') {
      throw new IllegalStateError(`push consumer ${this.group} was shut down while starting`);
    }
  }

  /** Undoes a start that did not reach 'running'; its own failures are logged, never thrown. */
  async #unwindStart(done: StartProgress): Promise<void> {
    const steps: [string, () => Promise<void>][] = [];
    const runtime = done.runtime;
    if (runtime !== undefined) {
      steps.push([
        'stop the consumer runtime',
        async () => {
          await runtime.rebalanceService.stop();
          runtime.pullLoops.stop();
          await runtime.consumeService.shutdown();
        },
      ]);
    }
    if (done.registered) {
      steps.push([
        'unregister',
        () => done.instance.unregisterConsumer(this.group, this.#consumerDataProvider),
      ]);
    }
    steps.push(['release the client instance', () => releaseClientInstance(done.instance)]);
    for (const [step, run] of steps) {
      try {
        await run();
      } catch (error) {
        this.options.logger.warn(`could not ${step} after a failed start`, {
          group: this.group,
          error: error instanceof Error ? error : new Error(String(error)),
        });
      }
    }
    this.#state = 'shutdown';
  }

  /** Drains, commits and leaves the group (see the top of the file); later calls share the first. */
  shutdown(): Promise<void> {
    this.#shutdown ??= this.#doShutdown();
    return this.#shutdown;
  }

  async #doShutdown(): Promise<void> {
    if (this.#state === 'shutdown') return;
    // Seen by a start in progress, which then unwinds at its next step.
    this.#state = 'stopping';
    // Its failure is the caller of start()'s to handle; here it only means nothing runs.
    await this.#starting?.catch(() => undefined);
    const running = this.#running;
    if (running === undefined) {
      this.#state = 'shutdown';
      return;
    }
    for (const unsubscribe of running.unsubscribers) unsubscribe();
    for (const timer of running.timers) this.options.clock.clearInterval(timer);
    await running.rebalanceService.stop();
    running.pullLoops.stop();
    await this.#drain(running.consumeService);
    for (const { processQueue } of running.table.all()) processQueue.dropped = true;
    await this.#persistOffsets(running);
    await Promise.all(running.pendingUnlocks);
    if (this.#locksQueues) await this.#unlockAll(running);
    await running.instance.unregisterConsumer(this.group, this.#consumerDataProvider);
    await releaseClientInstance(running.instance);
    this.#running = undefined;
    this.#state = 'shutdown';
  }

  #schedule(running: PushConsumerRuntime, mode: ConsumeMode): void {
    const { clock } = this.options;
    running.timers.push(
      clock.setInterval(
        () => void this.#persistOffsets(running),
        this.options.persistConsumerOffsetIntervalMs,
      ),
    );
    if (mode === 'ORDERLY' && this.#locksQueues) {
      const first = clock.setTimeout(() => void this.#renewLocks(running), FIRST_LOCK_RENEWAL_DELAY_MS);
      running.timers.push(
        first,
        clock.setInterval(() => void this.#renewLocks(running), this.options.lockRenewIntervalMs),
      );
    }
    running.unsubscribers.push(
      running.instance.on('consumerIdsChanged', ({ group }) => {
        if (group === this.group) running.rebalanceService.trigger();
      }),
      running.instance.on('routeChanged', ({ topic }) => {
        if (this.#subscriptions.filterOf(topic) !== undefined) running.rebalanceService.trigger();
      }),
    );
  }

  /** A subscription added while running: learn the route, tell the brokers, then rebalance. */
  async #announceSubscription(running: PushConsumerRuntime, topic: string): Promise<void> {
    try {
      await running.instance.topicRoute(topic);
      await running.instance.sendHeartbeatToAllBrokers();
    } catch (error) {
      this.options.logger.warn('could not announce a new subscription; the schedules retry', {
        group: this.group,
        topic,
        error: error instanceof Error ? error : new Error(String(error)),
      });
    }
    running.rebalanceService.trigger();
  }

  async #persistOffsets(running: PushConsumerRuntime): Promise<void> {
    try {
      await running.offsetStore.persistAll();
    } catch (error) {
      this.options.logger.warn('could not persist consumer offsets; the next round tries again', {
        group: this.group,
        error: error instanceof Error ? error : new Error(String(error)),
      });
    }
  }

  async #renewLocks(running: PushConsumerRuntime): Promise<void> {
    const outcome = await renewLocks(running.api, running.table);
    for (const { brokerName, error } of outcome.failures) {
      this.options.logger.warn('could not renew queue locks', {
        group: this.group,
        brokerName,
        error: error instanceof Error ? error : new Error(String(error)),
      });
    }
    // A queue whose lock came back may have messages waiting: start draining them again.
    if (running.consumeService instanceof OrderlyConsumeService) {
      for (const queue of outcome.locked) {
        const processQueue = running.table.get(queue);
        if (processQueue !== undefined) running.consumeService.submit(queue, processQueue);
      }
    }
  }

  async #unlockAll(running: PushConsumerRuntime): Promise<void> {
    const byBroker = groupByBroker(running.table.all().map((entry) => entry.queue));
    await Promise.all(
      [...byBroker].map(([brokerName, queues]) =>
        running.api.unlockBatch(brokerName, queues).catch((error: unknown) =>
          this.options.logger.warn('could not unlock queues at shutdown; the broker lock expires in 60 s', {
            group: this.group,
            brokerName,
            error: error instanceof Error ? error : new Error(String(error)),
          }),
        ),
      ),
    );
  }

  async #drain(service: ConsumeService): Promise<void> {
    await service.whenIdle();
    await service.shutdown();
  }

  get #locksQueues(): boolean {
    const listener = this.#listener;
    return listener !== undefined && locksQueues({ options: this.options, listener });
  }

  #consumerData(): ConsumerData {
    return {
      groupName: this.group,
      consumeType: 'CONSUME_PASSIVELY',
      messageModel: this.options.messageModel,
      consumeFromWhere: this.options.consumeFromWhere,
      subscriptionDataSet: this.#subscriptions.toSubscriptionData(),
      unitMode: false,
    };
  }

  #setListener(listener: PushListener): void {
    if (this.#state !== 'created') {
      throw new IllegalStateError(
        `push consumer ${this.group} is ${this.#state}; set the listener before start`,
      );
    }
    this.#listener = listener;
  }

  #requireRunning(): PushConsumerRuntime {
    if (this.#state !== 'running' || this.#running === undefined) {
      throw new IllegalStateError(`push consumer ${this.group} is ${this.#state}; call start() first`);
    }
    return this.#running;
  }
}
