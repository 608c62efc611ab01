// The lite pull consumer (RocketMQ's DefaultLitePullConsumer, facts §8.3): the application asks
// for messages with poll() instead of registering a listener.
//
//   const consumer = new LitePullConsumer({ group: 'reports', nameServer: '127.0.0.1:9876' });
//   consumer.subscribe('OrderEvents', '*');          // or consumer.assign([...queues])
//   await consumer.start();
//   for (;;) { const batch = await consumer.poll(1000); ...; await consumer.commitSync(); }
//
// Subscribe mode shares the topic's queues with the group (CLUSTERING rebalance, as the push
// consumer); assign mode reads exactly the given queues and never rebalances. Either way each
// queue has a pull loop filling its process queue in the background, and poll() takes what is
// cached. A message counts as consumed once poll() has returned it: commitSync (or the auto-commit
// every autoCommitIntervalMs) writes those positions to the broker. seek() moves one queue.
//
// Lifecycle: created ──start──► running ──shutdown──► shutdown (commits first when autoCommit).

import type { TimerHandle } from '../../common/clock';
import { IllegalStateError } from '../../common/errors';
import type { ConsumerData } from '../../protocol/bodies/heartbeat-data';
import type { ClientInstance } from '../client-instance';
import { acquireClientInstance, releaseClientInstance } from '../client-instance-registry';
import type { ConsumerDataProvider } from '../client-registrations';
import { ALLOCATION_STRATEGIES } from './allocation';
import { ClientConsumerApi } from './client-consumer-api';
import type { ConsumedMessage } from './consumed-message';
import { describeMessageQueue, messageQueueKey, sortMessageQueues, type MessageQueue } from './message-queue';
import { ProcessQueue } from './process-queue';
import { ProcessQueueTable } from './process-queue-table';
import { PullLoops } from './pull-loop';
import {
  resolveLitePullConsumerOptions,
  type LitePullConsumerOptions,
  type ResolvedLitePullConsumerOptions,
} from './lite-pull-consumer-options';
import { Rebalancer } from './rebalance';
import { RebalanceService } from './rebalance-service';
import { RemoteOffsetStore } from './remote-offset-store';
import { computeStartOffset } from './start-offset';
import { Subscriptions } from './subscriptions';
import { tagMatches } from './tag-filter';

export type LitePullConsumerState = 'created' | 'running' | 'shutdown';

interface Running {
  readonly instance: ClientInstance;
  readonly api: ClientConsumerApi;
  readonly offsetStore: RemoteOffsetStore;
  readonly table: ProcessQueueTable<ConsumedMessage>;
  readonly pullLoops: PullLoops<ConsumedMessage>;
  readonly rebalanceService: RebalanceService | undefined;
  readonly timers: TimerHandle[];
  readonly unsubscribers: (() => void)[];
}

export class LitePullConsumer {
  readonly options: ResolvedLitePullConsumerOptions;
  readonly #subscriptions: Subscriptions;
  #assigned: MessageQueue[] | undefined;
  #state: LitePullConsumerState = 'created';
  #running: Running | undefined;
  /** Per queue: the offset after the last message poll() returned, not yet committed. */
  readonly #consumed = new Map<string, { readonly queue: MessageQueue; offset: number }>();
  /** poll() calls waiting for messages. */
  #waiters: (() => void)[] = [];
  /** Where the next poll starts looking, so one busy queue does not starve the others. */
  #pollCursor = 0;
  #starting: Promise<void> | undefined;
  #shutdown: Promise<void> | undefined;
  /** One identity for register and unregister: the instance removes only what this consumer added. */
  readonly #consumerDataProvider: ConsumerDataProvider = () => this.#consumerData();

  constructor(options: LitePullConsumerOptions) {
    this.options = resolveLitePullConsumerOptions(options);
    this.#subscriptions = new Subscriptions(this.options.clock);
  }

  get state(): LitePullConsumerState {
    return this.#state;
  }

  /** The queues read now. */
  assignment(): MessageQueue[] {
    return sortMessageQueues(this.#running?.table.all().map((entry) => entry.queue) ?? []);
  }

  /** Subscribe mode: share `topic`'s queues with the group. Before start; excludes assign. */
  subscribe(topic: string, expression = '*'): void {
    this.#requireCreated('subscribe');
    if (this.#assigned !== undefined) throw new IllegalStateError('subscribe and assign cannot be mixed');
    this.#subscriptions.subscribe(topic, expression);
  }

  /** Assign mode: read exactly `queues`. Before start, or while running to replace the set. */
  async assign(queues: readonly MessageQueue[]): Promise<void> {
    if (this.#state === 'shutdown') throw new IllegalStateError('lite pull consumer is shut down');
    if (this.#assigned === undefined && this.#subscriptions.size > 0) {
      throw new IllegalStateError('subscribe and assign cannot be mixed');
    }
    this.#assigned = sortMessageQueues(queues);
    for (const queue of queues) {
      if (this.#subscriptions.filterOf(queue.topic) === undefined)
        this.#subscriptions.subscribe(queue.topic, '*');
    }
    if (this.#running !== undefined) await this.#applyAssignment(this.#running);
  }

  async start(): Promise<void> {
    this.#requireCreated('start');
    if (this.#starting !== undefined) {
      throw new IllegalStateError(`lite pull consumer ${this.options.group} is starting; start it once`);
    }
    if (this.#subscriptions.size === 0) {
      throw new IllegalStateError(
        `lite pull consumer ${this.options.group}: call subscribe or assign before start`,
      );
    }
    this.#starting = this.#startRunning();
    return this.#starting;
  }

  /** Goes 'running' once registered and routed; a failure undoes exactly what was done. */
  async #startRunning(): Promise<void> {
    const instance = acquireClientInstance(this.options);
    const running = this.#assemble(instance);
    let registered = false;
    try {
      instance.registerConsumer(this.options.group, this.#consumerDataProvider);
      registered = true;
      this.#running = running;
      await Promise.all(this.#subscriptions.topics.map((topic) => instance.topicRoute(topic)));
      await instance.sendHeartbeatToAllBrokers();
      this.#state = 'running';
      if (this.options.autoCommit) {
        running.timers.push(
          this.options.clock.setInterval(() => void this.#autoCommit(), this.options.autoCommitIntervalMs),
        );
      }
      if (running.rebalanceService === undefined) {
        await this.#applyAssignment(running);
        return;
      }
      const rebalanceService = running.rebalanceService;
      running.unsubscribers.push(
        instance.on('consumerIdsChanged', ({ group }) => {
          if (group === this.options.group) rebalanceService.trigger();
        }),
      );
      await rebalanceService.start();
    } catch (error) {
      await this.#unwindStart(running, registered);
      throw error;
    }
  }

  /** Undoes a failed start; its own failures are logged so the start's error is the one thrown. */
  async #unwindStart(running: Running, registered: boolean): Promise<void> {
    try {
      await this.#stopWork(running);
      if (registered) {
        await running.instance.unregisterConsumer(this.options.group, this.#consumerDataProvider);
      }
    } catch (error) {
      this.options.logger.warn('could not undo a failed start cleanly', {
        group: this.options.group,
        error: error instanceof Error ? error : new Error(String(error)),
      });
    } finally {
      this.#running = undefined;
      this.#state = 'shutdown';
      await releaseClientInstance(running.instance);
    }
  }

  /** Timers, listeners, rebalancing and pulls: everything that would go on without us. */
  async #stopWork(running: Running): Promise<void> {
    for (const timer of running.timers) this.options.clock.clearInterval(timer);
    for (const unsubscribe of running.unsubscribers) unsubscribe();
    await running.rebalanceService?.stop();
    running.pullLoops.stop();
  }

  /**
   * Resolves with up to pullBatchSize messages, or an empty array after `timeoutMs` without any.
   * Each call takes from one queue, the queues taking turns.
   */
  async poll(timeoutMs: number = this.options.pollTimeoutMs): Promise<ConsumedMessage[]> {
    const running = this.#requireRunning();
    const deadline = this.options.clock.now() + timeoutMs;
    for (;;) {
      const taken = this.#take(running);
      if (taken !== undefined) return taken;
      const remaining = deadline - this.options.clock.now();
      if (remaining <= 0 || this.#state !== 'running') return [];
      await this.#waitForMessages(remaining);
    }
  }

  /** Writes the position after every message poll() returned to the broker, and waits for it. */
  async commitSync(): Promise<void> {
    const running = this.#requireRunning();
    for (const [key, { queue, offset }] of this.#consumed) {
      // A queue given away meanwhile belongs to someone else now; its position is theirs to write.
      if (!running.table.has(queue)) {
        this.#consumed.delete(key);
        continue;
      }
      running.offsetStore.updateOffset(queue, offset, false);
    }
    this.#consumed.clear();
    await Promise.all(
      running.table.all().map(async ({ queue }) => {
        const offset = await running.offsetStore.readOffset(queue, 'memory');
        if (offset !== undefined) await running.api.updateConsumerOffset(queue, offset, { oneway: false });
      }),
    );
  }

  /** The committed offset of `queue` as the broker has it (undefined when none). */
  committed(queue: MessageQueue): Promise<number | undefined> {
    return this.#requireRunning().api.queryConsumerOffset(queue);
  }

  /** Reads `queue` from `offset` on: cached messages are dropped and the position is set there. */
  async seek(queue: MessageQueue, offset: number): Promise<void> {
    const running = this.#requireRunning();
    const current = running.table.get(queue);
    if (current === undefined) {
      throw new IllegalStateError(
        `cannot seek ${describeMessageQueue(queue)}: it is not assigned to this consumer`,
      );
    }
    if (!Number.isSafeInteger(offset) || offset < 0) {
      throw new RangeError(`seek offset must be a whole number from 0, got ${offset}`);
    }
    current.dropped = true;
    this.#consumed.delete(messageQueueKey(queue));
    running.offsetStore.updateOffset(queue, offset, false);
    const processQueue = new ProcessQueue<ConsumedMessage>(this.options.clock);
    running.table.set(queue, processQueue);
    running.pullLoops.start(queue, processQueue, offset);
  }

  /** Commits (when autoCommit), stops pulling and leaves the group. Later calls share the first. */
  shutdown(): Promise<void> {
    // Concurrent calls must not release the shared client instance twice.
    this.#shutdown ??= this.#doShutdown();
    return this.#shutdown;
  }

  async #doShutdown(): Promise<void> {
    // A start in progress finishes (or unwinds) first; its failure is start()'s caller's to see.
    await this.#starting?.catch(() => undefined);
    const running = this.#running;
    if (this.#state !== 'running' || running === undefined) {
      this.#state = 'shutdown';
      return;
    }
    await this.#stopWork(running);
    if (this.options.autoCommit) await this.#commitLogged();
    this.#state = 'shutdown';
    this.#running = undefined;
    this.#wakePollers();
    for (const { processQueue } of running.table.all()) processQueue.dropped = true;
    await running.instance.unregisterConsumer(this.options.group, this.#consumerDataProvider);
    await releaseClientInstance(running.instance);
  }

  #assemble(instance: ClientInstance): Running {
    const { clock, logger, group } = this.options;
    const api = new ClientConsumerApi(instance, group);
    const offsetStore = new RemoteOffsetStore(api);
    const table = new ProcessQueueTable<ConsumedMessage>();
    const pullLoops = new PullLoops<ConsumedMessage>({
      clock,
      logger,
      group,
      api,
      offsetStore,
      messageModel: 'CLUSTERING',
      consumeMode: 'CONCURRENTLY',
      limits: {
        maxCachedMessages: this.options.pullThresholdForQueue,
        maxCachedBytes: this.options.pullThresholdSizeForQueueMiB * 1024 * 1024,
        maxOffsetSpan: this.options.consumeMaxSpan,
      },
      pullBatchSize: this.options.pullBatchSize,
      suspendMs: this.options.brokerSuspendMaxMs,
      pullTimeoutMs: this.options.pullTimeoutMs,
      pullDelayOnErrorMs: this.options.pullDelayOnErrorMs,
      requiresLock: false,
      // Positions move only by poll() + commit: nothing rides on pulls, nothing moves on its own.
      commitOffsetOnPull: false,
      advanceIdleOffset: false,
      expressionOf: (topic) => this.#subscriptions.expressionOf(topic),
      isPaused: () => false,
      onFound: () => this.#wakePollers(),
      onOffsetIllegal: (queue, processQueue) => {
        if (table.get(queue) !== processQueue) return;
        // Resume at once where the broker says the queue now starts.
        void offsetStore.readOffset(queue, 'memory').then((offset) => {
          if (offset === undefined || this.#state !== 'running') return;
          const replacement = new ProcessQueue<ConsumedMessage>(clock);
          table.set(queue, replacement);
          pullLoops.start(queue, replacement, offset);
        });
      },
    });
    let rebalanceService: RebalanceService | undefined;
    if (this.#assigned === undefined) {
      const rebalancer = new Rebalancer<ConsumedMessage>(
        {
          group,
          clientId: instance.clientId,
          messageModel: 'CLUSTERING',
          consumeMode: 'CONCURRENTLY',
          allocate: ALLOCATION_STRATEGIES[this.options.allocation],
          // CONSUME_ACTIVELY: a queue the application does not poll is full, not dead.
          expireIdleQueues: false,
          startPolicy: {
            consumeFromWhere: this.options.consumeFromWhere,
            consumeTimestampMs: this.options.consumeTimestampMs,
          },
        },
        {
          api,
          offsetStore,
          table,
          clock,
          logger,
          startPulling: (queue, processQueue, nextOffset) => pullLoops.start(queue, processQueue, nextOffset),
        },
      );
      rebalanceService = new RebalanceService({
        clock,
        logger,
        intervalMs: this.options.rebalanceIntervalMs,
        rebalance: async () => {
          for (const topic of this.#subscriptions.topics) {
            const outcome = await rebalancer.rebalanceTopic(topic);
            for (const queue of outcome.removed) this.#consumed.delete(messageQueueKey(queue));
          }
        },
      });
    }
    return { instance, api, offsetStore, table, pullLoops, rebalanceService, timers: [], unsubscribers: [] };
  }

  async #applyAssignment(running: Running): Promise<void> {
    const wanted = new Set((this.#assigned ?? []).map(messageQueueKey));
    for (const { queue, processQueue } of running.table.all()) {
      if (wanted.has(messageQueueKey(queue))) continue;
      processQueue.dropped = true;
      running.table.delete(queue);
      this.#consumed.delete(messageQueueKey(queue));
      running.offsetStore.removeOffset(queue);
    }
    for (const queue of this.#assigned ?? []) {
      if (running.table.has(queue)) continue;
      const offset = await computeStartOffset(running.offsetStore, running.api, queue, {
        consumeFromWhere: this.options.consumeFromWhere,
        consumeTimestampMs: this.options.consumeTimestampMs,
      });
      const processQueue = new ProcessQueue<ConsumedMessage>(this.options.clock);
      running.table.set(queue, processQueue);
      running.pullLoops.start(queue, processQueue, offset);
    }
  }

  /** Takes the cached messages of the next queue that has some; undefined when none has. */
  #take(running: Running): ConsumedMessage[] | undefined {
    const entries = running.table.all();
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[(this.#pollCursor + i) % entries.length];
      if (entry === undefined || entry.processQueue.dropped) continue;
      const cached = entry.processQueue.messages().slice(0, this.options.pullBatchSize);
      if (cached.length === 0) continue;
      this.#pollCursor = (this.#pollCursor + i + 1) % entries.length;
      entry.processQueue.removeMessages(cached);
      const last = cached[cached.length - 1]!;
      const key = messageQueueKey(entry.queue);
      this.#consumed.set(key, { queue: entry.queue, offset: last.queueOffset + 1 });
      const filter = this.#subscriptions.filterOf(entry.queue.topic);
      // The broker filters by tag hash only; a collision is consumed here unseen.
      const wanted = filter === undefined ? cached : cached.filter((m) => tagMatches(filter, m.tags));
      if (wanted.length > 0) return wanted;
    }
    return undefined;
  }

  #waitForMessages(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.options.clock.setTimeout(wake, timeoutMs);
      const clock = this.options.clock;
      function wake(): void {
        clock.clearTimeout(timer);
        resolve();
      }
      this.#waiters.push(wake);
    });
  }

  #wakePollers(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  async #autoCommit(): Promise<void> {
    if (this.#state === 'running') await this.#commitLogged();
  }

  async #commitLogged(): Promise<void> {
    try {
      await this.commitSync();
    } catch (error) {
      this.options.logger.warn('could not commit consumed offsets; the next commit tries again', {
        group: this.options.group,
        error: error instanceof Error ? error : new Error(String(error)),
      });
    }
  }

  #consumerData(): ConsumerData {
    return {
      groupName: this.options.group,
      consumeType: 'CONSUME_ACTIVELY',
      messageModel: 'CLUSTERING',
      consumeFromWhere: this.options.consumeFromWhere,
      subscriptionDataSet: this.#subscriptions.toSubscriptionData(),
      unitMode: false,
    };
  }

  #requireCreated(what: string): void {
    if (this.#state !== 'created') {
      throw new IllegalStateError(
        `lite pull consumer ${this.options.group} is ${this.#state}; ${what} before start`,
      );
    }
  }

  #requireRunning(): Running {
    if (this.#state !== 'running' || this.#running === undefined) {
      throw new IllegalStateError(
        `lite pull consumer ${this.options.group} is ${this.#state}; call start() first`,
      );
    }
    return this.#running;
  }
}
