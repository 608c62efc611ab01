// What every request processor of the broker works with: its identity, its configuration, the
// store and the managers. One object built by the Broker at start, so processors are plain
// functions of (context, request) and tests can build a context around a MemoryDisk store.

import type { Clock } from '../common/clock';
import type { Logger } from '../common/logger';
import type { HostAddress } from '../protocol/message/host-address';
import type { MessageStore } from '../store/message-store';
import type { BrokerConfig } from './broker-config';
import type { ConsumerManager } from './client/consumer-manager';
import type { ProducerManager } from './client/producer-manager';
import type { RebalanceLockManager } from './lock/rebalance-lock-manager';
import type { PullRequestHoldService } from './longpolling/pull-request-hold-service';
import type { ConsumerOffsetManager } from './offset/consumer-offset-manager';
import type { BrokerStats } from './broker-stats';
import type { ScheduleMessageService } from './schedule/schedule-message-service';
import type { SubscriptionGroupManager } from './subscription/subscription-group-manager';
import type { TopicConfigManager } from './topic/topic-config-manager';
import type { TimerService } from './timer/timer-service';
import type { TransactionService } from './transaction/transaction-service';
import type { Replication } from './ha/replication';

export interface BrokerContext {
  readonly config: BrokerConfig;
  readonly clock: Clock;
  readonly log: Logger;
  /** `brokerIP1:listenPort`: what the broker registers and clients connect to. */
  readonly brokerAddr: string;
  /** The same address as stored in every record's STOREHOST and in offset message ids. */
  readonly storeHost: HostAddress;
  readonly store: MessageStore;
  readonly topics: TopicConfigManager;
  readonly groups: SubscriptionGroupManager;
  readonly offsets: ConsumerOffsetManager;
  readonly producers: ProducerManager;
  readonly consumers: ConsumerManager;
  readonly locks: RebalanceLockManager;
  readonly holds: PullRequestHoldService;
  readonly stats: BrokerStats;
  /** Delay-level delivery (SCHEDULE_TOPIC_XXXX); idle on a SLAVE. */
  readonly schedule: ScheduleMessageService;
  /** Delivery at a time (the timer topic); undefined on a SLAVE, which replicates deliveries. */
  readonly timer: TimerService | undefined;
  /** Half messages: END_TRANSACTION, the check service, `tx list`. */
  readonly transactions: TransactionService;
  /** Master/slave replication: the SYNC_MASTER wait, a slave's link to its master (server/ha). */
  readonly replication: Replication;
  /** Called after a topic table change that the name servers must hear about. */
  readonly topicsChanged: () => void;
}
