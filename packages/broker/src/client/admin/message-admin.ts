// Finding and reading messages: by id (mqadmin queryMsgById), by key (queryMsgByKey), at a queue
// offset (queryMsgByOffset), and reading a topic from a position (consumeMessage).

import { decodeOffsetMessageId } from '../../protocol/message/message-id';
import { formatHostAddress } from '../../protocol/message/host-address';
import { InvalidMessageIdError } from '../../protocol/message/message-errors';
import { QueryMessageRequestHeader, ViewMessageRequestHeader } from '../../protocol/headers/query-headers';
import {
  GetMinOffsetRequestHeader,
  GetMinOffsetResponseHeader,
  QueryConsumerOffsetRequestHeader,
  QueryConsumerOffsetResponseHeader,
  SearchOffsetRequestHeader,
  SearchOffsetResponseHeader,
} from '../../protocol/headers/offset-headers';
import { RequestCode } from '../../protocol/remoting/request-code';
import { ResponseCode } from '../../protocol/remoting/response-code';
import type { MessageExt } from '../message';
import { decodeMessages } from '../message-decoding';
import { AdminError, AdminErrorCodes } from './admin-errors';
import { askSuccess, type AdminRequester } from './admin-requester';
import {
  readClusterInfo,
  readTopicRoute,
  routeMasters,
  routeReadQueues,
  type RoutedQueue,
} from './cluster-view';
import type { ProgressListener } from './progress';
import { rawPull, type RawPullStatus } from './raw-pull';

/** The most a broker answers to one QUERY_MESSAGE (its maxMsgsNumBatch). */
export const QUERY_MAX_NUM = 64;

export interface KeyQuery {
  readonly topic: string;
  readonly key: string;
  readonly beginTimestampMs?: number | undefined;
  readonly endTimestampMs?: number | undefined;
  /** Default and cap: 64 per broker. */
  readonly maxNum?: number | undefined;
}

/** QUERY_MESSAGE on every master of the topic, merged, newest first. */
export async function queryMsgByKey(requester: AdminRequester, query: KeyQuery): Promise<MessageExt[]> {
  return queryIndex(requester, query, false);
}

async function queryIndex(
  requester: AdminRequester,
  query: KeyQuery,
  uniqueKey: boolean,
): Promise<MessageExt[]> {
  const maxNum = Math.min(query.maxNum ?? QUERY_MAX_NUM, QUERY_MAX_NUM);
  const extFields = QueryMessageRequestHeader.encode({
    topic: query.topic,
    key: query.key,
    maxNum,
    beginTimestamp: query.beginTimestampMs ?? 0,
    endTimestamp: query.endTimestampMs ?? Number.MAX_SAFE_INTEGER,
    uniqueKeyQuery: uniqueKey,
  });
  const found: MessageExt[] = [];
  for (const master of routeMasters(await readTopicRoute(requester, query.topic))) {
    const response = await askSuccess(
      requester,
      master.address,
      { code: RequestCode.QUERY_MESSAGE, extFields },
      [ResponseCode.QUERY_NOT_FOUND],
    );
    if (response.code === ResponseCode.SUCCESS) found.push(...decodeMessages(response.body));
  }
  const matching = uniqueKey ? found.filter((message) => message.msgId === query.key) : found;
  return matching.sort((a, b) => b.storeTimestamp - a.storeTimestamp).slice(0, maxNum);
}

/**
 * The message(s) with id `msgId`. An offset message id (the broker's) names the broker and the
 * commit-log offset: VIEW_MESSAGE_BY_ID there. A UNIQ_KEY (the producer's msgId) has the same
 * length, so an id that does not name a registered broker is looked up as a UNIQ_KEY on the
 * brokers of `topic`, which is then required. Several results mean the producer retried a send.
 */
export async function queryMsgById(
  requester: AdminRequester,
  msgId: string,
  topic?: string,
): Promise<MessageExt[]> {
  const brokerAddress = await registeredStoreHost(requester, msgId);
  if (brokerAddress !== undefined) {
    const { physicalOffset } = decodeOffsetMessageId(msgId);
    const response = await askSuccess(
      requester,
      brokerAddress,
      {
        code: RequestCode.VIEW_MESSAGE_BY_ID,
        extFields: ViewMessageRequestHeader.encode({ offset: physicalOffset }),
      },
      [ResponseCode.SYSTEM_ERROR],
    );
    if (response.code === ResponseCode.SUCCESS) return decodeMessages(response.body);
    if (topic === undefined) {
      throw new AdminError(
        AdminErrorCodes.MESSAGE_NOT_FOUND,
        `no message ${msgId} on ${brokerAddress}: ${response.remark ?? '(no remark)'}`,
      );
    }
  }
  if (topic === undefined) {
    throw new AdminError(
      AdminErrorCodes.INVALID_ARGUMENT,
      `${msgId} is not the offset id of a registered broker; if it is a producer's msgId (UNIQ_KEY), give its topic (-t)`,
    );
  }
  const found = await queryIndex(requester, { topic, key: msgId }, true);
  if (found.length === 0)
    throw new AdminError(AdminErrorCodes.MESSAGE_NOT_FOUND, `no message ${msgId} in topic ${topic}`);
  return found;
}

/** The broker address an offset message id names, if it is one a registered broker has. */
async function registeredStoreHost(requester: AdminRequester, msgId: string): Promise<string | undefined> {
  let address: string;
  try {
    address = formatHostAddress(decodeOffsetMessageId(msgId).storeHost);
  } catch (error) {
    if (error instanceof InvalidMessageIdError) return undefined;
    throw error;
  }
  const info = await readClusterInfo(requester);
  for (const data of info.brokerAddrTable.values())
    for (const known of data.brokerAddrs.values()) if (known === address) return address;
  return undefined;
}

export interface OffsetQuery {
  readonly topic: string;
  readonly brokerName: string;
  readonly queueId: number;
  readonly offset: number;
}

export interface OffsetQueryResult {
  readonly status: RawPullStatus;
  /** Present when status is FOUND. */
  readonly message: MessageExt | undefined;
  readonly minOffset: number;
  readonly maxOffset: number;
}

/** The message at one consume-queue offset (a pull of one, committing nothing). */
export async function queryMsgByOffset(
  requester: AdminRequester,
  query: OffsetQuery,
): Promise<OffsetQueryResult> {
  const queue = await findQueue(requester, query.topic, query.brokerName, query.queueId);
  const result = await rawPull(requester, queue, query.offset, 1);
  return {
    status: result.status,
    message: result.messages[0],
    minOffset: result.minOffset,
    maxOffset: result.maxOffset,
  };
}

async function findQueue(requester: AdminRequester, topic: string, brokerName: string, queueId: number) {
  const queues = routeReadQueues(topic, await readTopicRoute(requester, topic));
  const queue = queues.find((q) => q.brokerName === brokerName && q.queueId === queueId);
  if (queue === undefined) {
    const brokers = [...new Set(queues.map((q) => q.brokerName))].join(', ') || '(none)';
    throw new AdminError(
      AdminErrorCodes.BROKER_NOT_FOUND,
      `topic ${topic} has no read queue ${queueId} on broker ${brokerName}; its brokers: ${brokers}`,
    );
  }
  return queue;
}

export interface ConsumeRequest {
  readonly topic: string;
  /** How many messages at most, over all queues. */
  readonly count: number;
  /** Start at this group's committed offsets (the queue's min offset where it has none). */
  readonly group?: string | undefined;
  /** Start at the first message stored at or after this time. */
  readonly beginTimestampMs?: number | undefined;
  /** Stop at messages stored after this time. */
  readonly endTimestampMs?: number | undefined;
  /** Only this broker's queues. */
  readonly brokerName?: string | undefined;
  /** Only this queue id. */
  readonly queueId?: number | undefined;
  /** Start every selected queue at this offset. */
  readonly offset?: number | undefined;
}

const PULL_BATCH = 32;

/**
 * Reads up to `count` messages, queue after queue (by broker name, then queue id), from the
 * position the request says (default: each queue's min offset). Commits nothing: the group's
 * offsets are read, never moved.
 */
export async function consumeMessages(
  requester: AdminRequester,
  request: ConsumeRequest,
  onProgress?: ProgressListener,
): Promise<MessageExt[]> {
  const queues = routeReadQueues(request.topic, await readTopicRoute(requester, request.topic)).filter(
    (queue) =>
      (request.brokerName === undefined || queue.brokerName === request.brokerName) &&
      (request.queueId === undefined || queue.queueId === request.queueId),
  );
  if (queues.length === 0) {
    throw new AdminError(
      AdminErrorCodes.INVALID_ARGUMENT,
      `topic ${request.topic} has no read queue matching broker ${request.brokerName ?? '(any)'} queue ${request.queueId ?? '(any)'}`,
    );
  }
  const messages: MessageExt[] = [];
  for (const queue of queues) {
    let offset = await startOffset(requester, queue, request);
    while (messages.length < request.count) {
      const result = await rawPull(
        requester,
        queue,
        offset,
        Math.min(PULL_BATCH, request.count - messages.length),
      );
      const inRange = result.messages.filter(
        (message) => request.endTimestampMs === undefined || message.storeTimestamp <= request.endTimestampMs,
      );
      messages.push(...inRange);
      if (inRange.length > 0) onProgress?.({ done: messages.length, total: request.count, unit: 'messages' });
      if (result.status !== 'FOUND' || inRange.length < result.messages.length) break;
      offset = result.nextBeginOffset;
    }
    if (messages.length >= request.count) break;
  }
  return messages;
}

async function startOffset(
  requester: AdminRequester,
  queue: RoutedQueue,
  request: ConsumeRequest,
): Promise<number> {
  const { topic, queueId, brokerName, address } = queue;
  if (request.offset !== undefined) return request.offset;
  if (request.beginTimestampMs !== undefined) {
    const response = await askSuccess(requester, address, {
      code: RequestCode.SEARCH_OFFSET_BY_TIMESTAMP,
      extFields: SearchOffsetRequestHeader.encode({
        topic,
        queueId,
        timestamp: request.beginTimestampMs,
        bname: brokerName,
      }),
    });
    return SearchOffsetResponseHeader.decode(response.extFields).offset;
  }
  if (request.group !== undefined) {
    const response = await askSuccess(
      requester,
      address,
      {
        code: RequestCode.QUERY_CONSUMER_OFFSET,
        extFields: QueryConsumerOffsetRequestHeader.encode({
          consumerGroup: request.group,
          topic,
          queueId,
          bname: brokerName,
        }),
      },
      [ResponseCode.QUERY_NOT_FOUND],
    );
    if (response.code === ResponseCode.SUCCESS)
      return QueryConsumerOffsetResponseHeader.decode(response.extFields).offset;
  }
  const response = await askSuccess(requester, address, {
    code: RequestCode.GET_MIN_OFFSET,
    extFields: GetMinOffsetRequestHeader.encode({ topic, queueId, bname: brokerName }),
  });
  return GetMinOffsetResponseHeader.decode(response.extFields).offset;
}
