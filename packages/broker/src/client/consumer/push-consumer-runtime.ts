// The parts of a running push consumer and how they are wired together (see push-consumer.ts for
// the lifecycle): API → offset store → consume service ← pull loops ← rebalancer ← rebalance
// service. Kept apart from the facade so the lifecycle reads on its own.

import type { TimerHandle } from '../../common/clock';
import type { ClientInstance } from '../client-instance';
import { ALLOCATION_STRATEGIES } from './allocation';
import { ClientConsumerApi } from './client-consumer-api';
import { ConcurrentConsumeService, type ConcurrentMessageListener } from './consume-concurrently';
import { OrderlyConsumeService, type OrderlyMessageListener } from './consume-orderly';
import type { ConsumedMessage } from './consumed-message';
import { LocalFileOffsetStore } from './local-file-offset-store';
import { describeMessageQueue, type MessageQueue } from './message-queue';
import type { OffsetStore } from './offset-store';
import type { ProcessQueue } from './process-queue';
import { ProcessQueueTable } from './process-queue-table';
import { PullLoops } from './pull-loop';
import type { ResolvedPushConsumerOptions } from './push-consumer-options';
import { Rebalancer } from './rebalance';
import { RebalanceService } from './rebalance-service';
import { RemoteOffsetStore } from './remote-offset-store';
import type { Subscriptions } from './subscriptions';

export type PushListener =
  | { readonly mode: 'CONCURRENTLY'; readonly listener: ConcurrentMessageListener<ConsumedMessage> }
  | { readonly mode: 'ORDERLY'; readonly listener: OrderlyMessageListener<ConsumedMessage> };

export type ConsumeService =
  ConcurrentConsumeService<ConsumedMessage> | OrderlyConsumeService<ConsumedMessage>;

export interface PushConsumerRuntime {
  readonly instance: ClientInstance;
  readonly api: ClientConsumerApi;
  readonly offsetStore: OffsetStore;
  readonly table: ProcessQueueTable<ConsumedMessage>;
  readonly consumeService: ConsumeService;
  readonly pullLoops: PullLoops<ConsumedMessage>;
  readonly rebalancer: Rebalancer<ConsumedMessage>;
  readonly rebalanceService: RebalanceService;
  readonly timers: TimerHandle[];
  readonly unsubscribers: (() => void)[];
  readonly pendingUnlocks: Set<Promise<void>>;
}

/** What the runtime reads from the consumer that owns it. */
export interface PushConsumerContext {
  readonly options: ResolvedPushConsumerOptions;
  readonly listener: PushListener;
  readonly subscriptions: Subscriptions;
  readonly isPaused: () => boolean;
}

/** Orderly CLUSTERING consumers hold broker locks on their queues; nobody else does. */
export function locksQueues(context: Pick<PushConsumerContext, 'options' | 'listener'>): boolean {
  return context.listener.mode === 'ORDERLY' && context.options.messageModel === 'CLUSTERING';
}

export async function assemblePushConsumerRuntime(
  instance: ClientInstance,
  context: PushConsumerContext,
): Promise<PushConsumerRuntime> {
  const { options, listener, subscriptions } = context;
  const { clock, logger, group } = options;
  const api = new ClientConsumerApi(instance, group, options.sendBackMaxReconsumeTimes);
  const offsetStore: OffsetStore =
    options.messageModel === 'CLUSTERING'
      ? new RemoteOffsetStore(api)
      : new LocalFileOffsetStore({
          disk: options.disk,
          directory: options.localOffsetStoreDir,
          clientId: instance.clientId,
          group,
        });
  await offsetStore.load();
  const table = new ProcessQueueTable<ConsumedMessage>();
  const consumeService = createConsumeService(context, api, offsetStore);
  const pendingUnlocks = new Set<Promise<void>>();
  // Closures below refer to parts created after them; none runs before start completes assembly.
  const rebalanceService: RebalanceService = new RebalanceService({
    clock,
    logger,
    intervalMs: options.rebalanceIntervalMs,
    rebalance: () => rebalanceAll(context, rebalancer, pendingUnlocks),
  });
  const pullLoops = new PullLoops<ConsumedMessage>({
    clock,
    logger,
    group,
    api,
    offsetStore,
    messageModel: options.messageModel,
    consumeMode: listener.mode,
    limits: {
      maxCachedMessages: options.pullThresholdForQueue,
      maxCachedBytes: options.pullThresholdSizeForQueueMiB * 1024 * 1024,
      maxOffsetSpan: options.consumeConcurrentlyMaxSpan,
    },
    pullBatchSize: options.pullBatchSize,
    suspendMs: options.brokerSuspendMaxMs,
    pullTimeoutMs: options.pullTimeoutMs,
    pullDelayOnErrorMs: options.pullDelayOnErrorMs,
    requiresLock: locksQueues(context),
    // Not for orderly queues: the broker stores a pull's commitOffset only after reading the
    // store, so a pull sent before the handover upload of a queue can overwrite it with an
    // older offset, and the next owner would replay already-consumed messages out of order.
    commitOffsetOnPull: options.messageModel === 'CLUSTERING' && listener.mode === 'CONCURRENTLY',
    advanceIdleOffset: true,
    expressionOf: (topic) => subscriptions.expressionOf(topic),
    isPaused: context.isPaused,
    onFound: (queue, processQueue, messages) => {
      if (consumeService instanceof ConcurrentConsumeService) {
        consumeService.submit(queue, processQueue, messages);
      } else {
        consumeService.submit(queue, processQueue);
      }
    },
    onOffsetIllegal: (queue, processQueue) => {
      forgetQueue(context, table, offsetStore, queue, processQueue);
      forgetRun(consumeService, processQueue);
      rebalanceService.trigger();
    },
  });
  const rebalancer = new Rebalancer<ConsumedMessage>(
    {
      group,
      clientId: instance.clientId,
      messageModel: options.messageModel,
      consumeMode: listener.mode,
      allocate: ALLOCATION_STRATEGIES[options.allocation],
      startPolicy: {
        consumeFromWhere: options.consumeFromWhere,
        consumeTimestampMs: options.consumeTimestampMs,
      },
    },
    {
      api,
      offsetStore,
      table,
      clock,
      logger,
      startPulling: (queue, processQueue, nextOffset) => pullLoops.start(queue, processQueue, nextOffset),
      queueRemoved: (_queue, processQueue) => forgetRun(consumeService, processQueue),
    },
  );
  return {
    instance,
    api,
    offsetStore,
    table,
    consumeService,
    pullLoops,
    rebalancer,
    rebalanceService,
    timers: [],
    unsubscribers: [],
    pendingUnlocks,
  };
}

function createConsumeService(
  context: PushConsumerContext,
  api: ClientConsumerApi,
  offsetStore: OffsetStore,
): ConsumeService {
  const { options, listener, subscriptions } = context;
  const common = {
    clock: options.clock,
    logger: options.logger,
    group: options.group,
    messageModel: options.messageModel,
    api,
    offsetStore,
    tagFilterFor: (topic: string) => subscriptions.filterOf(topic),
  };
  if (listener.mode === 'CONCURRENTLY') {
    return new ConcurrentConsumeService<ConsumedMessage>({
      ...common,
      listener: listener.listener,
      maxConcurrency: options.consumeThreadMax,
      batchSize: options.consumeMessageBatchMaxSize,
    });
  }
  return new OrderlyConsumeService<ConsumedMessage>({
    ...common,
    listener: listener.listener,
    batchSize: options.consumeMessageBatchMaxSize,
    suspendCurrentQueueMs: options.suspendCurrentQueueMs,
    maxReconsumeTimes: options.maxReconsumeTimes,
  });
}

async function rebalanceAll(
  context: PushConsumerContext,
  rebalancer: Rebalancer<ConsumedMessage>,
  pendingUnlocks: Set<Promise<void>>,
): Promise<void> {
  for (const topic of context.subscriptions.topics) {
    try {
      const outcome = await rebalancer.rebalanceTopic(topic);
      const pending = outcome.unlocksDone.finally(() => pendingUnlocks.delete(pending));
      pendingUnlocks.add(pending);
      for (const skipped of outcome.skipped) {
        context.options.logger.debug('queue not taken in this rebalance', {
          group: context.options.group,
          queue: describeMessageQueue(skipped.queue),
          reason: skipped.reason,
        });
      }
    } catch (error) {
      context.options.logger.warn('rebalance of a topic failed; the next one tries again', {
        group: context.options.group,
        topic,
        error: error instanceof Error ? error : new Error(String(error)),
      });
    }
  }
}

function forgetQueue(
  context: PushConsumerContext,
  table: ProcessQueueTable<ConsumedMessage>,
  offsetStore: OffsetStore,
  queue: MessageQueue,
  processQueue: ProcessQueue<ConsumedMessage>,
): void {
  if (table.get(queue) === processQueue) table.delete(queue);
  // The corrected offset must reach the store before the next rebalance reads it back.
  offsetStore.persist(queue).then(
    () => offsetStore.removeOffset(queue),
    (error: unknown) =>
      context.options.logger.warn('could not persist a corrected offset', {
        group: context.options.group,
        queue: describeMessageQueue(queue),
        error: error instanceof Error ? error : new Error(String(error)),
      }),
  );
}

/** The orderly service keeps per-queue state that a dropped queue no longer needs. */
function forgetRun(consumeService: ConsumeService, processQueue: ProcessQueue<ConsumedMessage>): void {
  if (consumeService instanceof OrderlyConsumeService) consumeService.forget(processQueue);
}
