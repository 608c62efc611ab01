// ConsumerBrokerApi over a ClientInstance: each method is one request of facts §2.4–§2.10 sent to
// the queue's broker group. Routes come from the instance's cache; a broker name it does not know
// yet triggers one route refresh before giving up with NoRouteError.
//
// Which broker of the group (facts §2.4, §7.2):
//   - pulls go where the previous pull's answer suggested (suggestWhichBrokerId, per queue; the
//     master at first), falling back to any broker of the group when that one is not in the route:
//     with the master gone, its slave. A pull from a slave never commits an offset (COMMIT_OFFSET
//     cleared), as RocketMQ's client. A pull that fails, or a suggestion the route does not know,
//     re-reads the topic's route at once (at most once a second), so a dead master is left, and a
//     returning one found, without waiting for the 30 s route poll;
//   - offsets (query, commit) and queue offsets go to the master, else to a slave (which keeps
//     them until its master is back, then hands them over: server/ha/offset-takeover.ts);
//   - locks and send-backs need the master.
//
// Decisions:
//   - every pull carries the subscription (SUBSCRIPTION flag, RocketMQ's postSubscriptionWhenPull),
//     so the first pulls after start do not race the first heartbeat (SUBSCRIPTION_NOT_EXIST);
//   - the pull's RPC timeout is the caller's (30 s for a 15 s hold), other requests use the
//     client's requestTimeoutMs, lock requests 1000 ms as the Java client.

import { isReadable } from '../../protocol/perm-name';
import { decodeConsumerListBody } from '../../protocol/bodies/simple-bodies';
import {
  decodeLockBatchResponseBody,
  encodeLockBatchRequestBody,
  encodeUnlockBatchRequestBody,
} from '../../protocol/bodies/lock-batch-bodies';
import { GetConsumerListByGroupRequestHeader } from '../../protocol/headers/client-headers';
import {
  GetMaxOffsetRequestHeader,
  GetMaxOffsetResponseHeader,
  QueryConsumerOffsetRequestHeader,
  QueryConsumerOffsetResponseHeader,
  SearchOffsetRequestHeader,
  SearchOffsetResponseHeader,
  UpdateConsumerOffsetRequestHeader,
} from '../../protocol/headers/offset-headers';
import {
  PullMessageRequestHeader,
  PullMessageResponseHeader,
  PullSysFlag,
} from '../../protocol/headers/pull-headers';
import { ConsumerSendMsgBackRequestHeader } from '../../protocol/headers/send-back-headers';
import { createRequest, type RemotingCommand } from '../../protocol/remoting/remoting-command';
import { RequestCode } from '../../protocol/remoting/request-code';
import { ResponseCode } from '../../protocol/remoting/response-code';
import { BrokerResponseError, NoRouteError } from '../client-errors';
import type { ClientInstance } from '../client-instance';
import { decodeMessages } from '../message-decoding';
import { toConsumedMessage, type ConsumedMessage } from './consumed-message';
import type {
  ConsumerBrokerApi,
  PullOptions,
  PullResult,
  PullStatus,
  UpdateOffsetOptions,
} from './consumer-broker-api';
import type { MessageQueue } from './message-queue';
import { MASTER_BROKER_ID, type FoundBroker } from '../route-snapshot';

/** The Java client's timeout for LOCK_BATCH_MQ / UNLOCK_BATCH_MQ. */
export const LOCK_REQUEST_TIMEOUT_MS = 1000;
/** A subscription expression the broker understands: tags only (SQL92 is not supported). */
const EXPRESSION_TYPE_TAG = 'TAG';

/** Pull response codes that are not errors, and what they mean to the consumer. */
const PULL_STATUS_BY_CODE: ReadonlyMap<number, PullStatus> = new Map([
  [ResponseCode.SUCCESS, 'FOUND'],
  [ResponseCode.PULL_NOT_FOUND, 'NO_NEW_MSG'],
  [ResponseCode.PULL_RETRY_IMMEDIATELY, 'NO_MATCHED_MSG'],
  [ResponseCode.PULL_OFFSET_MOVED, 'OFFSET_ILLEGAL'],
]);

export class ClientConsumerApi implements ConsumerBrokerApi<ConsumedMessage> {
  readonly #instance: ClientInstance;
  readonly #group: string;
  readonly #maxReconsumeTimes: number | undefined;
  /** suggestWhichBrokerId of each queue's last pull, by queueKey. */
  readonly #suggestedBroker = new Map<string, number>();

  /**
   * `maxReconsumeTimes` travels with every send-back, as Java consumers send theirs: the broker
   * dead-letters a message that has failed that often, whatever the group's retryMaxTimes says.
   * Undefined leaves the decision to the group's setting.
   */
  constructor(instance: ClientInstance, group: string, maxReconsumeTimes?: number) {
    this.#instance = instance;
    this.#group = group;
    this.#maxReconsumeTimes = maxReconsumeTimes;
  }

  async pull(queue: MessageQueue, options: PullOptions): Promise<PullResult<ConsumedMessage>> {
    const target = await this.#pullTarget(queue);
    const commit =
      target.brokerId === MASTER_BROKER_ID && options.commitOffset !== undefined && options.commitOffset > 0;
    const sysFlag = PullSysFlag.SUSPEND | PullSysFlag.SUBSCRIPTION | (commit ? PullSysFlag.COMMIT_OFFSET : 0);
    const extFields = PullMessageRequestHeader.encode({
      consumerGroup: this.#group,
      topic: queue.topic,
      queueId: queue.queueId,
      queueOffset: options.offset,
      maxMsgNums: options.maxNums,
      sysFlag,
      commitOffset: commit ? (options.commitOffset ?? 0) : 0,
      suspendTimeoutMillis: options.suspendMs,
      subscription: options.subscriptionExpression,
      subVersion: 0,
      expressionType: EXPRESSION_TYPE_TAG,
      bname: queue.brokerName,
    });
    const key = queueKey(queue);
    let response: RemotingCommand;
    try {
      response = await this.#instance.invoke(
        target.address,
        createRequest({ code: RequestCode.PULL_MESSAGE, opaque: 0, extFields }),
        options.timeoutMs,
      );
    } catch (error) {
      // The broker may be gone: start again from the master of a fresh route.
      this.#suggestedBroker.delete(key);
      await this.#instance.recheckRoute(queue.topic);
      throw error;
    }
    const status = PULL_STATUS_BY_CODE.get(response.code);
    if (status === undefined) throw new BrokerResponseError(response.code, response.remark, target.address);
    const header = PullMessageResponseHeader.decode(response.extFields);
    this.#suggestedBroker.set(key, header.suggestWhichBrokerId);
    if (
      this.#instance.findBrokerAddress(queue.brokerName, header.suggestWhichBrokerId, true, queue.topic) ===
      undefined
    ) {
      await this.#instance.recheckRoute(queue.topic);
    }
    return {
      status,
      nextBeginOffset: header.nextBeginOffset,
      minOffset: header.minOffset,
      maxOffset: header.maxOffset,
      messages:
        status === 'FOUND'
          ? decodeMessages(response.body).map((m) => toConsumedMessage(m, queue.brokerName))
          : [],
    };
  }

  async queryConsumerOffset(queue: MessageQueue): Promise<number | undefined> {
    const extFields = QueryConsumerOffsetRequestHeader.encode({
      consumerGroup: this.#group,
      topic: queue.topic,
      queueId: queue.queueId,
      bname: queue.brokerName,
    });
    const { response, address } = await this.#request(queue, RequestCode.QUERY_CONSUMER_OFFSET, extFields);
    if (response.code === ResponseCode.QUERY_NOT_FOUND) return undefined;
    expectSuccess(response, address);
    return QueryConsumerOffsetResponseHeader.decode(response.extFields).offset;
  }

  async updateConsumerOffset(
    queue: MessageQueue,
    offset: number,
    options: UpdateOffsetOptions,
  ): Promise<void> {
    const extFields = UpdateConsumerOffsetRequestHeader.encode({
      consumerGroup: this.#group,
      topic: queue.topic,
      queueId: queue.queueId,
      commitOffset: offset,
      bname: queue.brokerName,
    });
    const address = await this.#readableBrokerOf(queue.brokerName, queue.topic);
    if (options.oneway) {
      await this.#instance.invokeOneway(
        address,
        createRequest({ code: RequestCode.UPDATE_CONSUMER_OFFSET, opaque: 0, oneway: true, extFields }),
      );
      return;
    }
    const response = await this.#instance.invoke(
      address,
      createRequest({ code: RequestCode.UPDATE_CONSUMER_OFFSET, opaque: 0, extFields }),
    );
    expectSuccess(response, address);
  }

  async consumerIds(group: string, topic: string): Promise<readonly string[]> {
    const route = await this.#instance.topicRoute(topic);
    if (route === undefined) throw new NoRouteError(topic, 'no name server knows the topic');
    // Any broker of the topic knows the whole group: every consumer heartbeats to all of them.
    const brokerNames = [...new Set(route.brokerDatas.map((broker) => broker.brokerName))].sort();
    const address = brokerNames
      .map((name) => this.#instance.findBrokerAddress(name, MASTER_BROKER_ID, false, topic)?.address)
      .find((candidate) => candidate !== undefined);
    if (address === undefined) throw new NoRouteError(topic, 'no broker of the topic is in the route');
    const response = await this.#instance.invoke(
      address,
      createRequest({
        code: RequestCode.GET_CONSUMER_LIST_BY_GROUP,
        opaque: 0,
        extFields: GetConsumerListByGroupRequestHeader.encode({ consumerGroup: group }),
      }),
    );
    expectSuccess(response, address);
    return decodeConsumerListBody(response.body).consumerIdList;
  }

  async maxOffset(queue: MessageQueue): Promise<number> {
    const extFields = GetMaxOffsetRequestHeader.encode({
      topic: queue.topic,
      queueId: queue.queueId,
      bname: queue.brokerName,
    });
    const { response, address } = await this.#request(queue, RequestCode.GET_MAX_OFFSET, extFields);
    expectSuccess(response, address);
    return GetMaxOffsetResponseHeader.decode(response.extFields).offset;
  }

  async searchOffset(queue: MessageQueue, timestampMs: number): Promise<number> {
    const extFields = SearchOffsetRequestHeader.encode({
      topic: queue.topic,
      queueId: queue.queueId,
      timestamp: timestampMs,
      bname: queue.brokerName,
    });
    const { response, address } = await this.#request(
      queue,
      RequestCode.SEARCH_OFFSET_BY_TIMESTAMP,
      extFields,
    );
    expectSuccess(response, address);
    return SearchOffsetResponseHeader.decode(response.extFields).offset;
  }

  async lockBatch(brokerName: string, queues: readonly MessageQueue[]): Promise<readonly MessageQueue[]> {
    const address = await this.#masterOfBroker(brokerName, queues[0]?.topic);
    const body = encodeLockBatchRequestBody({
      consumerGroup: this.#group,
      clientId: this.#instance.clientId,
      mqSet: queues,
    });
    const response = await this.#instance.invoke(
      address,
      createRequest({ code: RequestCode.LOCK_BATCH_MQ, opaque: 0, body }),
      LOCK_REQUEST_TIMEOUT_MS,
    );
    expectSuccess(response, address);
    return decodeLockBatchResponseBody(response.body).lockOKMQSet;
  }

  async unlockBatch(brokerName: string, queues: readonly MessageQueue[]): Promise<void> {
    const address = await this.#masterOfBroker(brokerName, queues[0]?.topic);
    const body = encodeUnlockBatchRequestBody({
      consumerGroup: this.#group,
      clientId: this.#instance.clientId,
      mqSet: queues,
    });
    const response = await this.#instance.invoke(
      address,
      createRequest({ code: RequestCode.UNLOCK_BATCH_MQ, opaque: 0, body }),
      LOCK_REQUEST_TIMEOUT_MS,
    );
    expectSuccess(response, address);
  }

  async sendMessageBack(message: ConsumedMessage, delayLevel: number): Promise<void> {
    // The broker group it was pulled from holds the record the header points at.
    const brokerName = message.brokerName;
    const address = await this.#masterOfBroker(brokerName, message.topic);
    const extFields = ConsumerSendMsgBackRequestHeader.encode({
      offset: message.commitLogOffset,
      group: this.#group,
      delayLevel,
      originMsgId: message.msgId,
      originTopic: message.topic,
      unitMode: false,
      maxReconsumeTimes: this.#maxReconsumeTimes,
      bname: brokerName,
    });
    const response = await this.#instance.invoke(
      address,
      createRequest({ code: RequestCode.CONSUMER_SEND_MSG_BACK, opaque: 0, extFields }),
    );
    expectSuccess(response, address);
  }

  async queuesOf(topic: string): Promise<readonly MessageQueue[]> {
    const route = await this.#instance.topicRoute(topic);
    if (route === undefined) throw new NoRouteError(topic, 'no name server knows the topic');
    return route.queueDatas
      .filter((data) => isReadable(data.perm))
      .flatMap((data) =>
        Array.from({ length: data.readQueueNums }, (_, queueId) => ({
          topic,
          brokerName: data.brokerName,
          queueId,
        })),
      );
  }

  async #request(
    queue: MessageQueue,
    code: number,
    extFields: Map<string, string>,
  ): Promise<{ response: RemotingCommand; address: string }> {
    const address = await this.#readableBrokerOf(queue.brokerName, queue.topic);
    const response = await this.#instance.invoke(address, createRequest({ code, opaque: 0, extFields }));
    return { response, address };
  }

  /** The broker the previous pull of `queue` suggested, or a fallback (see the top of the file). */
  async #pullTarget(queue: MessageQueue): Promise<FoundBroker> {
    const suggested = this.#suggestedBroker.get(queueKey(queue)) ?? MASTER_BROKER_ID;
    const find = () => this.#instance.findBrokerAddress(queue.brokerName, suggested, false, queue.topic);
    let found = find();
    if (found === undefined) {
      await this.#instance.topicRoute(queue.topic, { refresh: true });
      found = find();
    }
    if (found === undefined) {
      throw new NoRouteError(queue.topic, `broker ${queue.brokerName} is not in the route`);
    }
    return found;
  }

  /** The group's master, else one of its slaves (offsets and queue offsets). */
  async #readableBrokerOf(brokerName: string, topic: string): Promise<string> {
    const find = () => this.#instance.findBrokerAddress(brokerName, MASTER_BROKER_ID, false, topic)?.address;
    const known = find();
    if (known !== undefined) return known;
    await this.#instance.topicRoute(topic, { refresh: true });
    const address = find();
    if (address === undefined) throw new NoRouteError(topic, `broker ${brokerName} is not in the route`);
    return address;
  }

  async #masterOfBroker(brokerName: string, topic: string | undefined): Promise<string> {
    const known = this.#instance.brokerAddress(brokerName);
    if (known !== undefined) return known;
    if (topic !== undefined) await this.#instance.topicRoute(topic, { refresh: true });
    const address = this.#instance.brokerAddress(brokerName);
    if (address === undefined) {
      throw new NoRouteError(topic ?? '(none)', `broker ${brokerName} has no master in the routes`);
    }
    return address;
  }
}

function expectSuccess(response: RemotingCommand, address: string): void {
  if (response.code !== ResponseCode.SUCCESS) {
    throw new BrokerResponseError(response.code, response.remark, address);
  }
}

function queueKey(queue: MessageQueue): string {
  return `${queue.brokerName}\u0000${queue.topic}\u0000${queue.queueId}`;
}
