// Opens everything a broker's processors need, in the order that keeps data safe: the store first
// (it takes the directory lock and recovers), then the metadata tables under its root, then the
// in-memory managers and the services. Every service is opened (recovered, rebuilt) before any is
// started: until then nothing but the transaction rebuild's repair writes to the store, so that
// repair lands right after the op record it completes. If opening fails, the services opened so
// far are stopped in reverse order, then the store is closed. `close` undoes it in reverse: held
// pulls are answered, offsets persisted, the store flushed and checkpointed.

import type { Clock } from '../common/clock';
import { ConfigError } from '../common/errors';
import type { Logger } from '../common/logger';
import { hostAddressOf } from '../protocol/message/host-address';
import type { Disk } from '../store/disk/disk';
import { MessageStore } from '../store/message-store';
import { metadataFilePaths } from '../store/metadata/metadata-paths';
import type { BrokerConfig } from './broker-config';
import type { BrokerContext } from './broker-context';
import { BrokerStats } from './broker-stats';
import { ConsumerIdsChangeNotifier } from './client/consumer-ids-change-notifier';
import { ConsumerManager } from './client/consumer-manager';
import { ProducerManager } from './client/producer-manager';
import { RebalanceLockManager } from './lock/rebalance-lock-manager';
import { PullRequestHoldService } from './longpolling/pull-request-hold-service';
import { ConsumerOffsetManager } from './offset/consumer-offset-manager';
import { MessageArrivals } from './pull/message-arrivals';
import { SubscriptionGroupManager } from './subscription/subscription-group-manager';
import { TopicConfigManager } from './topic/topic-config-manager';
import { deliveryTimeTagsCodeRule } from './delivery/delivery-time-rule';
import { ScheduleMessageService } from './schedule/schedule-message-service';
import { TimerService, timerDirOf } from './timer/timer-service';
import { TransactionService } from './transaction/transaction-service';
import { Replication } from './ha/replication';

export interface OpenBrokerContextOptions {
  readonly config: BrokerConfig;
  readonly clock: Clock;
  readonly disk: Disk;
  readonly log: Logger;
  /** Request ids for broker-originated oneway requests (NOTIFY_CONSUMER_IDS_CHANGED). */
  readonly nextOpaque: () => number;
  readonly topicsChanged: () => void;
}

export interface OpenedBrokerContext {
  readonly context: BrokerContext;
  close(): Promise<void>;
}

export async function openBrokerContext(options: OpenBrokerContextOptions): Promise<OpenedBrokerContext> {
  const { config, clock, disk, log } = options;
  const storeHost = storeHostOf(config);
  const store = await MessageStore.open({
    disk,
    clock,
    config: config.store,
    tagsCodeRule: deliveryTimeTagsCodeRule(config.messageDelayLevelsMs),
    // A slave's log is a copy of its master's: nothing but replication may write to it.
    replica: config.brokerRole === 'SLAVE',
  });
  // How to stop each service opened so far, for a failed open (in reverse order).
  const opened: Array<{ readonly name: string; readonly stop: () => Promise<void> }> = [];
  try {
    const paths = metadataFilePaths(config.store.storePathRootDir);
    const topics = await TopicConfigManager.load({
      disk,
      path: paths.topics,
      clock,
      settings: {
        brokerClusterName: config.brokerClusterName,
        brokerName: config.brokerName,
        autoCreateTopicEnable: config.autoCreateTopicEnable,
        defaultTopicQueueNums: config.defaultTopicQueueNums,
        clusterTopicEnable: config.clusterTopicEnable,
        brokerTopicEnable: config.brokerTopicEnable,
      },
    });
    const groups = await SubscriptionGroupManager.load({
      disk,
      path: paths.subscriptionGroups,
      clock,
      autoCreateSubscriptionGroup: config.autoCreateSubscriptionGroup,
    });
    const offsets = await ConsumerOffsetManager.load({
      disk,
      path: paths.consumerOffsets,
      clock,
      flushConsumerOffsetIntervalMs: config.flushConsumerOffsetInterval,
      onPersistError: (error) =>
        log.error('persisting consumer offsets failed; retrying', { error: String(error) }),
    });
    const idleMs = config.clientChannelMaxIdleTimeSeconds * 1000;
    const producers = new ProducerManager({ channelMaxIdleMs: idleMs });
    const consumers = new ConsumerManager({ channelMaxIdleMs: idleMs });
    const notifier = new ConsumerIdsChangeNotifier({
      isNotifyEnabled: (group) =>
        config.notifyConsumerIdsChangedEnable && (groups.find(group)?.notifyConsumerIdsChangedEnable ?? true),
      nextOpaque: options.nextOpaque,
      onSendError: (error, channel, group) =>
        log.debug('consumer ids change notification not sent', {
          group,
          client: channel.remoteAddress,
          error: String(error),
        }),
    });
    notifier.attach(consumers);
    const holds = new PullRequestHoldService({
      clock,
      maxOffsetOf: (topic, queueId) => store.maxOffsetInQueue(topic, queueId),
      longPollingEnable: config.longPollingEnable,
      shortPollingTimeMs: config.shortPollingTimeMills,
      onWakeError: (error, pull) =>
        log.error('answering a held pull failed', {
          topic: pull.topic,
          queue: pull.queueId,
          error: String(error),
        }),
    });
    const arrivals = new MessageArrivals((arrival) =>
      holds.notifyMessageArriving(arrival.topic, arrival.queueId, arrival.maxOffset, arrival.tagsCode),
    );
    store.onDispatch((request) => arrivals.dispatched(request));
    store.onConfirmed((confirmed) => arrivals.confirmed(confirmed));
    const schedule = await ScheduleMessageService.load({
      disk,
      path: paths.delayOffsets,
      store,
      clock,
      log: log.child('schedule'),
      delayLevelsMs: config.messageDelayLevelsMs,
      flushDelayOffsetIntervalMs: config.flushDelayOffsetInterval,
      deliver: config.brokerRole !== 'SLAVE',
    });
    opened.push({ name: 'schedule', stop: () => schedule.stop() });
    // Not on a SLAVE: it replicates the master's deliveries instead of making its own.
    const timer =
      config.brokerRole === 'SLAVE'
        ? undefined
        : await TimerService.open({
            store,
            disk,
            clock,
            log: log.child('timer'),
            dir: timerDirOf(config.store.storePathRootDir),
            flushIntervalMs: config.timerFlushIntervalMs,
          });
    if (timer !== undefined) opened.push({ name: 'timer', stop: () => timer.stop() });
    // Before any request, and before any service writes: the half-message table is rebuilt from the
    // store (repairing a commit cut short by a crash) and follows it from here.
    const transactions = await TransactionService.open({
      config,
      store,
      producers,
      offsets,
      disk,
      clock,
      log: log.child('transaction'),
      storeHost,
      nextOpaque: options.nextOpaque,
    });
    opened.push({ name: 'transactions', stop: () => transactions.close() });
    const replication = new Replication({ config, clock, log, store, topics, groups, offsets, schedule });
    holds.start();
    offsets.start();
    schedule.start();
    timer?.start();
    transactions.start();
    const context: BrokerContext = {
      config,
      clock,
      log,
      brokerAddr: `${config.brokerIP1}:${config.listenPort}`,
      storeHost,
      store,
      topics,
      groups,
      offsets,
      producers,
      consumers,
      locks: new RebalanceLockManager(),
      holds,
      stats: new BrokerStats(clock),
      schedule,
      timer,
      transactions,
      replication,
      topicsChanged: options.topicsChanged,
    };
    return {
      context,
      close: async () => {
        // First: a slave's link appends to the store, a master's streams from it.
        await replication.close();
        holds.wakeAll('shutdown');
        holds.stop();
        // Before the store closes: a delivery in progress must finish its put.
        await schedule.stop();
        await timer?.stop();
        // Before the offsets are persisted: it commits CID_RMQ_SYS_TRANS's progress.
        await transactions.close();
        await offsets.stop();
        await store.close();
      },
    };
  } catch (error) {
    await stopOpened(opened, log);
    await store.close();
    throw error;
  }
}

/** Stops the services a failed open left behind, newest first; a failed stop is logged, not thrown. */
async function stopOpened(
  opened: ReadonlyArray<{ readonly name: string; readonly stop: () => Promise<void> }>,
  log: Logger,
): Promise<void> {
  for (const service of [...opened].reverse()) {
    try {
      await service.stop();
    } catch (error) {
      // The open's failure is the one to report; this one is logged so it is not lost.
      log.error('stopping a service after a failed broker open failed too', {
        service: service.name,
        error: String(error),
      });
    }
  }
}

function storeHostOf(config: BrokerConfig) {
  try {
    return hostAddressOf(config.brokerIP1, config.listenPort);
  } catch (error) {
    throw new ConfigError([
      {
        kind: 'invalid-value',
        key: 'brokerIP1',
        message: `${config.brokerIP1} is not an IP address; stored messages and message ids need a literal IPv4 or IPv6 address (${String(error)})`,
      },
    ]);
  }
}
