// Raw remoting requests the process tests send besides send and pull (../../server/integration/
// broker-requests.ts): the name server's route, and consumer offsets.

import { decodeTopicRouteData, type TopicRouteData } from '../../../src/protocol/bodies/topic-route-data';
import {
  QueryConsumerOffsetRequestHeader,
  QueryConsumerOffsetResponseHeader,
  UpdateConsumerOffsetRequestHeader,
} from '../../../src/protocol/headers/offset-headers';
import { GetRouteInfoRequestHeader } from '../../../src/protocol/headers/namesrv-headers';
import { createRequest } from '../../../src/protocol/remoting/remoting-command';
import { RequestCode } from '../../../src/protocol/remoting/request-code';
import { ResponseCode } from '../../../src/protocol/remoting/response-code';
import type { RemotingClient } from '../../../src/transport/remoting-client';

/** The route the name server gives for `topic`, or undefined if it has none. */
export async function routeOf(
  client: RemotingClient,
  nameServerAddress: string,
  topic: string,
): Promise<TopicRouteData | undefined> {
  const response = await client.invoke(
    nameServerAddress,
    createRequest({
      code: RequestCode.GET_ROUTEINFO_BY_TOPIC,
      opaque: 0,
      extFields: GetRouteInfoRequestHeader.encode({ topic, acceptStandardJsonOnly: undefined }),
    }),
    3000,
  );
  if (response.code === ResponseCode.TOPIC_NOT_EXIST) return undefined;
  if (response.code !== ResponseCode.SUCCESS) {
    throw new Error(`GET_ROUTEINFO_BY_TOPIC ${topic}: code ${response.code} ${response.remark ?? ''}`);
  }
  return decodeTopicRouteData(response.body);
}

export interface QueueOffset {
  readonly group: string;
  readonly topic: string;
  readonly queueId: number;
}

/** UPDATE_CONSUMER_OFFSET, sent two-way so the test knows the broker has taken it. */
export async function commitOffset(
  client: RemotingClient,
  brokerAddress: string,
  queue: QueueOffset,
  offset: number,
): Promise<void> {
  const response = await client.invoke(
    brokerAddress,
    createRequest({
      code: RequestCode.UPDATE_CONSUMER_OFFSET,
      opaque: 0,
      extFields: UpdateConsumerOffsetRequestHeader.encode({
        consumerGroup: queue.group,
        topic: queue.topic,
        queueId: queue.queueId,
        commitOffset: offset,
        bname: undefined,
      }),
    }),
    3000,
  );
  if (response.code !== ResponseCode.SUCCESS) {
    throw new Error(`UPDATE_CONSUMER_OFFSET: code ${response.code} ${response.remark ?? ''}`);
  }
}

/** QUERY_CONSUMER_OFFSET: the committed offset, or undefined for QUERY_NOT_FOUND. */
export async function queryOffset(
  client: RemotingClient,
  brokerAddress: string,
  queue: QueueOffset,
): Promise<number | undefined> {
  const response = await client.invoke(
    brokerAddress,
    createRequest({
      code: RequestCode.QUERY_CONSUMER_OFFSET,
      opaque: 0,
      extFields: QueryConsumerOffsetRequestHeader.encode({
        consumerGroup: queue.group,
        topic: queue.topic,
        queueId: queue.queueId,
        bname: undefined,
      }),
    }),
    3000,
  );
  if (response.code === ResponseCode.QUERY_NOT_FOUND) return undefined;
  if (response.code !== ResponseCode.SUCCESS) {
    throw new Error(`QUERY_CONSUMER_OFFSET: code ${response.code} ${response.remark ?? ''}`);
  }
  return QueryConsumerOffsetResponseHeader.decode(response.extFields).offset;
}
