// The admin client (RocketMQ's DefaultMQAdminExt, with mqadmin's operation names): what `keel admin`
// runs, and what operators' scripts and tests can call directly.
//
//   const admin = new AdminClient({ nameServer: '127.0.0.1:9876' });
//   await admin.createOrUpdateTopic({ topic: 'OrderEvents', cluster: 'DefaultCluster' });
//   const { totalLag } = await admin.consumerProgress('order-service');
//   await admin.close();
//
// Every call reads the cluster table or route fresh from the name servers: admin answers must
// describe the cluster as it is now, not as a cache remembers it. Connections are shared with
// producers of the same instance name, and closed by `close`.

import type { ClusterInfo } from '../../protocol/bodies/cluster-info';
import type { TopicRouteData } from '../../protocol/bodies/topic-route-data';
import type { ClientInstance } from '../client-instance';
import { acquireClientInstance, releaseClientInstance } from '../client-instance-registry';
import { resolveClientOptions, throwIfProblems, type ClientOptions } from '../client-options';
import type { ConfigProblem } from '../../common/errors';
import type { MessageExt } from '../message';
import { Producer } from '../producer/producer';
import type { SendResult } from '../producer/send-result';
import { ClientInstanceRequester, type AdminRequester } from './admin-requester';
import { brokerStatus, clusterList, type BrokerStatus, type ClusterMember } from './cluster-admin';
import { readClusterInfo, readTopicRoute, type MasterBroker } from './cluster-view';
import {
  listDeadLetters,
  resendDeadLetters,
  type DeadLetter,
  type DeadLetterSelector,
  type ResentDeadLetter,
} from './dead-letter-admin';
import {
  consumerConnection,
  consumerProgress,
  resetOffsetByTime,
  type ConsumerConnection,
  type ConsumerProgress,
  type OffsetReset,
} from './consumer-admin';
import {
  consumeMessages,
  queryMsgById,
  queryMsgByKey,
  queryMsgByOffset,
  type ConsumeRequest,
  type KeyQuery,
  type OffsetQuery,
  type OffsetQueryResult,
} from './message-admin';
import { consumerMembers, type ConsumerMembers } from './consumer-members';
import type { ProgressListener } from './progress';
import {
  listTransactions,
  resolveTransaction,
  type ResolvedTransaction,
  type TransactionList,
  type TransactionListQuery,
} from './transaction-admin';
import {
  createOrUpdateTopic,
  deleteTopic,
  topicList,
  topicStatus,
  type QueueStatus,
  type TopicDeletion,
  type TopicSettings,
} from './topic-admin';

export type AdminClientOptions = ClientOptions;

export interface AdminSendRequest {
  readonly topic: string;
  readonly body: string | Buffer;
  readonly keys?: string | undefined;
  readonly tags?: string | undefined;
}

/** The producer group of `sendMessage`, like mqadmin's own. */
export const ADMIN_PRODUCER_GROUP = 'KEEL_ADMIN_PRODUCER';

export class AdminClient {
  readonly #options: ReturnType<typeof resolveClientOptions>;
  readonly #instance: ClientInstance;
  readonly #requester: AdminRequester;
  #producer: { readonly producer: Producer; readonly started: Promise<void> } | undefined;
  #closed = false;

  constructor(options: AdminClientOptions) {
    const problems: ConfigProblem[] = [];
    this.#options = resolveClientOptions(options, problems);
    throwIfProblems(problems, 'admin client');
    this.#instance = acquireClientInstance(this.#options);
    this.#requester = new ClientInstanceRequester(this.#instance, this.#options.nameServers);
  }

  get nameServers(): readonly string[] {
    return this.#options.nameServers;
  }

  /** UPDATE_AND_CREATE_TOPIC on every master of `cluster`, or on `broker` (name or host:port). */
  createOrUpdateTopic(settings: TopicSettings): Promise<MasterBroker[]> {
    return createOrUpdateTopic(this.#requester, settings);
  }

  /** Deletes the topic on the masters of `cluster` (all when absent) and on every name server. */
  deleteTopic(topic: string, cluster?: string): Promise<TopicDeletion> {
    return deleteTopic(this.#requester, topic, cluster);
  }

  topicList(): Promise<string[]> {
    return topicList(this.#requester);
  }

  /** Throws AdminError ADMIN_TOPIC_NOT_FOUND when no name server knows the topic. */
  topicRoute(topic: string): Promise<TopicRouteData> {
    return readTopicRoute(this.#requester, topic);
  }

  topicStatus(topic: string): Promise<QueueStatus[]> {
    return topicStatus(this.#requester, topic);
  }

  clusterInfo(): Promise<ClusterInfo> {
    return readClusterInfo(this.#requester);
  }

  clusterList(): Promise<ClusterMember[]> {
    return clusterList(this.#requester);
  }

  /** `broker` is a broker name (its master) or a `host:port`. */
  brokerStatus(broker: string): Promise<BrokerStatus> {
    return brokerStatus(this.#requester, broker);
  }

  consumerProgress(group: string, topic?: string): Promise<ConsumerProgress> {
    return consumerProgress(this.#requester, group, topic);
  }

  consumerConnection(group: string): Promise<ConsumerConnection> {
    return consumerConnection(this.#requester, group);
  }

  /** Online members with their connection addresses, and the group's subscriptions. */
  consumerMembers(group: string): Promise<ConsumerMembers> {
    return consumerMembers(this.#requester, group);
  }

  /** An offset message id, or a UNIQ_KEY together with its topic. */
  queryMsgById(msgId: string, topic?: string): Promise<MessageExt[]> {
    return queryMsgById(this.#requester, msgId, topic);
  }

  queryMsgByKey(query: KeyQuery): Promise<MessageExt[]> {
    return queryMsgByKey(this.#requester, query);
  }

  queryMsgByOffset(query: OffsetQuery): Promise<OffsetQueryResult> {
    return queryMsgByOffset(this.#requester, query);
  }

  /** Moves `group`'s offsets on every queue of `topic` to `timestampMs`; stop its consumers first. */
  resetOffsetByTime(
    request: { readonly group: string; readonly topic: string; readonly timestampMs: number },
    onProgress?: ProgressListener,
  ): Promise<OffsetReset[]> {
    return resetOffsetByTime(this.#requester, request, onProgress);
  }

  /** Reads messages without committing any offset. */
  consumeMessage(request: ConsumeRequest, onProgress?: ProgressListener): Promise<MessageExt[]> {
    return consumeMessages(this.#requester, request, onProgress);
  }

  /** Up to `limit` (default 10,000) messages of %DLQ%<group>, oldest first. */
  dlqList(group: string, limit?: number, onProgress?: ProgressListener): Promise<DeadLetter[]> {
    return listDeadLetters(this.#requester, group, limit, onProgress);
  }

  /** Resends chosen dead letters of `group` to %RETRY%<group> (see dead-letter-admin.ts). */
  dlqResend(
    group: string,
    selector: DeadLetterSelector,
    limit?: number,
    onProgress?: ProgressListener,
  ): Promise<ResentDeadLetter[]> {
    return resendDeadLetters(this.#requester, group, selector, this.#options.clock.now(), limit, onProgress);
  }

  /** Open half messages (PREPARED and PARKED) of every master, or of the cluster or broker named. */
  txList(query: TransactionListQuery = {}): Promise<TransactionList> {
    return listTransactions(this.#requester, query);
  }

  /**
   * Commits the open half message with this msgId (UNIQ_KEY); of several (a producer's retried
   * half send) the oldest, rolling the others back. Returns what it resolved, and how.
   */
  txCommit(msgId: string, broker?: string): Promise<readonly ResolvedTransaction[]> {
    return resolveTransaction(this.#requester, msgId, 'commit', broker);
  }

  /** Rolls back the open half message(s) with this msgId (UNIQ_KEY); returns what it resolved. */
  txRollback(msgId: string, broker?: string): Promise<readonly ResolvedTransaction[]> {
    return resolveTransaction(this.#requester, msgId, 'rollback', broker);
  }

  /**
   * Sends one message. The producer is made on first use and kept until `close`: one producer
   * per client keeps UNIQ_KEYs unique (each producer counts its own).
   */
  async sendMessage(request: AdminSendRequest): Promise<SendResult> {
    return (await this.#startedProducer()).send({
      topic: request.topic,
      body: request.body,
      ...(request.keys === undefined ? {} : { keys: request.keys.split(' ').filter((key) => key !== '') }),
      ...(request.tags === undefined ? {} : { tags: request.tags }),
    });
  }

  async #startedProducer(): Promise<Producer> {
    if (this.#producer === undefined) {
      const { nameServers, clientIP, instanceName, requestTimeoutMs, clock, logger } = this.#options;
      const producer = new Producer({
        group: ADMIN_PRODUCER_GROUP,
        nameServer: nameServers,
        clientIP,
        instanceName,
        requestTimeoutMs,
        clock,
        logger,
      });
      this.#producer = { producer, started: producer.start() };
    }
    await this.#producer.started;
    return this.#producer.producer;
  }

  /** Releases the connections; calls after the first do nothing. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // Shutdown works in every producer state, also after a failed start.
    await this.#producer?.producer.shutdown();
    await releaseClientInstance(this.#instance);
  }
}
