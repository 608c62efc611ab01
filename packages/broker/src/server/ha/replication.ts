// Master/slave replication of one broker, by role (facts §7.2–7.3):
//
//   ASYNC_MASTER  HA listener on haListenPort; sends are acknowledged without waiting for slaves
//   SYNC_MASTER   the same, and a send is acknowledged once a slave has it (SlaveAcks' rules)
//   SLAVE         HA client to the master (verbatim copy of its commit log, own consume queues and
//                 index) and a metadata sync every 10 s; the store refuses every other write
//
// Built with the broker context (processors ask it for the SYNC_MASTER wait and for whether a
// slave's master is reachable); the network parts start with the broker's servers.

import type { Clock } from '../../common/clock';
import type { Logger } from '../../common/logger';
import type { MessageStore, PutMessageResult, PutMessageStatus } from '../../store/message-store';
import type { RemotingClient } from '../../transport/remoting-client';
import type { BrokerConfig, BrokerRole } from '../broker-config';
import type { ConsumerOffsetManager } from '../offset/consumer-offset-manager';
import type { RegistrationOutcome } from '../registration/name-server-registrar';
import type { ScheduleMessageService } from '../schedule/schedule-message-service';
import type { SubscriptionGroupManager } from '../subscription/subscription-group-manager';
import type { TopicConfigManager } from '../topic/topic-config-manager';
import { HaClient, type HaClientStatus } from './ha-client';
import { HaServer } from './ha-server';
import { MasterLocator } from './master-locator';
import { SlaveAcks, type ConnectedSlave, type SlaveWaitStatus } from './slave-acks';
import { SlaveSynchronizer, type SlaveSyncStatus } from './slave-synchronizer';

/** A put's status once the SYNC_MASTER wait is over: the store's, or the slave's verdict. */
export type ReplicatedPutStatus = PutMessageStatus | Exclude<SlaveWaitStatus, 'PUT_OK'>;
export type ReplicatedPutResult = Omit<PutMessageResult, 'status'> & { readonly status: ReplicatedPutStatus };

export interface ReplicationOptions {
  readonly config: BrokerConfig;
  readonly clock: Clock;
  readonly log: Logger;
  readonly store: MessageStore;
  readonly topics: TopicConfigManager;
  readonly groups: SubscriptionGroupManager;
  readonly offsets: ConsumerOffsetManager;
  readonly schedule: ScheduleMessageService;
}

export interface ReplicationNetwork {
  /** The broker's client for its own requests (metadata sync). */
  readonly client: RemotingClient;
  /** The name servers' answers to the last registration (a slave learns its master there). */
  readonly registrations: () => readonly RegistrationOutcome[];
  /** Interface the HA listener binds; default all. */
  readonly bindAddress?: string;
}

export type ReplicationStatus =
  | {
      readonly role: 'ASYNC_MASTER' | 'SYNC_MASTER';
      readonly listening: boolean;
      readonly slaves: readonly ConnectedSlave[];
      /** Best acknowledged offset of the connected slaves; -1 with none. */
      readonly slaveAckOffset: number;
      readonly commitLogMaxOffset: number;
    }
  | {
      readonly role: 'SLAVE';
      readonly link: HaClientStatus | undefined;
      readonly sync: SlaveSyncStatus | undefined;
    };

export class Replication {
  readonly role: BrokerRole;
  readonly #options: ReplicationOptions;
  readonly #acks: SlaveAcks | undefined;
  #server: HaServer | undefined;
  #client: HaClient | undefined;
  #sync: SlaveSynchronizer | undefined;
  #closed = false;

  constructor(options: ReplicationOptions) {
    this.#options = options;
    const { config, clock, store } = options;
    this.role = config.brokerRole;
    if (this.role !== 'SLAVE') {
      this.#acks = new SlaveAcks({
        clock,
        slaveTimeoutMs: config.slaveTimeout,
        fallBehindMaxBytes: config.haSlaveFallbehindMax,
      });
    }
    // The store keeps its listeners for its lifetime; these do nothing before start or after close.
    store.onConfirmed(() => {
      this.#server?.logGrew();
      this.#client?.logConfirmed();
    });
  }

  /** Opens the HA listener (a master) or starts following the master (a slave). */
  async start(network: ReplicationNetwork): Promise<void> {
    const { config, clock, log, store } = this.#options;
    const ha = {
      clock,
      heartbeatIntervalMs: config.haSendHeartbeatInterval,
      housekeepingMs: config.haHousekeepingInterval,
    };
    if (this.#acks !== undefined) {
      this.#server = await HaServer.listen({
        ...ha,
        port: config.haListenPort,
        ...(network.bindAddress === undefined ? {} : { host: network.bindAddress }),
        store,
        acks: this.#acks,
        log: log.child('ha'),
        batchBytes: config.haTransferBatchSize,
      });
      return;
    }
    const locator = new MasterLocator(config.haMasterAddress, network.registrations);
    this.#client = new HaClient({
      ...ha,
      store,
      log: log.child('ha'),
      masterHaAddress: () => locator.haAddress(),
    });
    this.#sync = new SlaveSynchronizer({
      client: network.client,
      clock,
      log: log.child('slave-sync'),
      masterAddress: () => locator.brokerAddress(),
      topics: this.#options.topics,
      groups: this.#options.groups,
      offsets: this.#options.offsets,
      schedule: this.#options.schedule,
    });
    this.#client.start();
    this.#sync.start();
  }

  /** A slave: whether the replication link to its master is up now. A master: true. */
  get masterReachable(): boolean {
    return this.#client === undefined ? this.role !== 'SLAVE' : this.#client.status().connected;
  }

  /**
   * SYNC_MASTER: waits until a slave has the stored messages that asked to wait (WAIT not false),
   * and returns the statuses RocketMQ answers with (SlaveAcks). Other roles: the results as they are.
   */
  async awaitSlaves(
    results: readonly PutMessageResult[],
    waits: readonly boolean[],
  ): Promise<ReplicatedPutResult[]> {
    if (this.role !== 'SYNC_MASTER' || this.#acks === undefined) return [...results];
    let end = -1;
    results.forEach((result, i) => {
      if (result.status === 'PUT_OK' && waits[i] !== false) {
        end = Math.max(end, result.physicalOffset + result.totalSize);
      }
    });
    if (end < 0) return [...results];
    const verdict = await this.#acks.waitFor(end);
    if (verdict === 'PUT_OK') return [...results];
    return results.map((result, i) =>
      result.status === 'PUT_OK' && waits[i] !== false ? { ...result, status: verdict } : result,
    );
  }

  /**
   * A slave: runs a metadata sync round now instead of at the next 10 s period (a round in
   * progress is joined). A master: nothing to do.
   */
  syncMetadata(): Promise<void> {
    return this.#sync?.syncAll() ?? Promise.resolve();
  }

  status(): ReplicationStatus {
    if (this.role === 'SLAVE') {
      return { role: 'SLAVE', link: this.#client?.status(), sync: this.#sync?.status() };
    }
    return {
      role: this.role,
      listening: this.#server !== undefined && !this.#closed,
      slaves: this.#acks?.slaves() ?? [],
      slaveAckOffset: this.#acks?.ackedOffset ?? -1,
      commitLogMaxOffset: this.#options.store.commitLogOffsets().max,
    };
  }

  /** Closes the HA listener or link and stops the sync; call before the store closes. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#sync?.close();
    await this.#client?.close();
    await this.#server?.close();
  }
}
