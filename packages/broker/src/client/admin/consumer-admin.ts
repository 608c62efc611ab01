// Consumer groups: progress and lag per queue (mqadmin consumerProgress), the connected client ids
// (consumerConnection) and rewinding a group to a point in time (resetOffsetByTime).

import { decodeConsumeStats } from '../../protocol/bodies/queue-stats-bodies';
import { decodeConsumerListBody } from '../../protocol/bodies/simple-bodies';
import { GetConsumeStatsRequestHeader } from '../../protocol/headers/admin-headers';
import { GetConsumerListByGroupRequestHeader } from '../../protocol/headers/client-headers';
import {
  QueryConsumerOffsetRequestHeader,
  QueryConsumerOffsetResponseHeader,
  SearchOffsetRequestHeader,
  SearchOffsetResponseHeader,
  UpdateConsumerOffsetRequestHeader,
} from '../../protocol/headers/offset-headers';
import { RequestCode } from '../../protocol/remoting/request-code';
import { ResponseCode } from '../../protocol/remoting/response-code';
import { askSuccess, type AdminRequester } from './admin-requester';
import { mastersOf, readClusterInfo, readTopicRoute, routeReadQueues } from './cluster-view';
import type { ProgressListener } from './progress';

export interface QueueProgress {
  readonly topic: string;
  readonly brokerName: string;
  readonly queueId: number;
  /** The queue's max offset: where the next message will be written. */
  readonly brokerOffset: number;
  /** The group's committed offset: the next message it will consume. */
  readonly consumerOffset: number;
  /** brokerOffset − consumerOffset. */
  readonly lag: number;
  /** Store time of the last message the group consumed, ms (0 when none). */
  readonly lastTimestamp: number;
}

export interface ConsumerProgress {
  readonly group: string;
  /** By topic, broker name and queue id. */
  readonly queues: readonly QueueProgress[];
  readonly totalLag: number;
  /** Sum over brokers; Keel's brokers report 0 until they measure it. */
  readonly consumeTps: number;
}

/**
 * GET_CONSUME_STATS on every master (a group's offsets may live on any broker; a broker that
 * never saw the group answers an empty table), optionally for one topic.
 */
export async function consumerProgress(
  requester: AdminRequester,
  group: string,
  topic?: string,
): Promise<ConsumerProgress> {
  const masters = mastersOf(await readClusterInfo(requester));
  const extFields = GetConsumeStatsRequestHeader.encode({ consumerGroup: group, topic });
  const queues: QueueProgress[] = [];
  let consumeTps = 0;
  for (const master of masters) {
    const response = await askSuccess(requester, master.address, {
      code: RequestCode.GET_CONSUME_STATS,
      extFields,
    });
    const stats = decodeConsumeStats(response.body);
    consumeTps += stats.consumeTps;
    for (const [queue, offsets] of stats.offsetTable) {
      queues.push({
        topic: queue.topic,
        brokerName: queue.brokerName,
        queueId: queue.queueId,
        brokerOffset: offsets.brokerOffset,
        consumerOffset: offsets.consumerOffset,
        lag: Math.max(0, offsets.brokerOffset - offsets.consumerOffset),
        lastTimestamp: offsets.lastTimestamp,
      });
    }
  }
  queues.sort(
    (a, b) =>
      a.topic.localeCompare(b.topic) || a.brokerName.localeCompare(b.brokerName) || a.queueId - b.queueId,
  );
  return { group, queues, totalLag: queues.reduce((sum, queue) => sum + queue.lag, 0), consumeTps };
}

export interface ConsumerConnection {
  readonly group: string;
  /** Client ids of the group's online members, sorted, from every master. */
  readonly clientIds: readonly string[];
}

/**
 * GET_CONSUMER_LIST_BY_GROUP on every master, merged. RocketMQ's mqadmin uses
 * GET_CONSUMER_CONNECTION_LIST (addresses, versions, subscriptions), which Keel's broker does not
 * serve; client ids are what it does serve.
 */
export async function consumerConnection(
  requester: AdminRequester,
  group: string,
): Promise<ConsumerConnection> {
  const masters = mastersOf(await readClusterInfo(requester));
  const extFields = GetConsumerListByGroupRequestHeader.encode({ consumerGroup: group });
  const clientIds = new Set<string>();
  for (const master of masters) {
    const response = await requester.ask(master.address, {
      code: RequestCode.GET_CONSUMER_LIST_BY_GROUP,
      extFields,
    });
    // SYSTEM_ERROR "no consumer for this group" is how a broker says it has no member of the group.
    if (response.code !== ResponseCode.SUCCESS) continue;
    for (const id of decodeConsumerListBody(response.body).consumerIdList) clientIds.add(id);
  }
  return { group, clientIds: [...clientIds].sort() };
}

export interface OffsetReset {
  readonly brokerName: string;
  readonly queueId: number;
  /** The committed offset before; undefined when the group had none on this queue. */
  readonly oldOffset: number | undefined;
  readonly newOffset: number;
}

/**
 * For each read queue of `topic`: SEARCH_OFFSET_BY_TIMESTAMP, then UPDATE_CONSUMER_OFFSET for
 * `group`. Running consumers keep their in-memory offsets and commit them over this; they must be
 * stopped first (RocketMQ asks them to reset through INVOKE_BROKER_TO_RESET_OFFSET, which Keel's
 * broker does not implement).
 */
export async function resetOffsetByTime(
  requester: AdminRequester,
  request: { readonly group: string; readonly topic: string; readonly timestampMs: number },
  onProgress?: ProgressListener,
): Promise<OffsetReset[]> {
  const { group, topic, timestampMs } = request;
  const queues = routeReadQueues(topic, await readTopicRoute(requester, topic));
  const resets: OffsetReset[] = [];
  for (const queue of queues) {
    const { brokerName, queueId, address } = queue;
    const queried = await askSuccess(
      requester,
      address,
      {
        code: RequestCode.QUERY_CONSUMER_OFFSET,
        extFields: QueryConsumerOffsetRequestHeader.encode({
          consumerGroup: group,
          topic,
          queueId,
          bname: brokerName,
        }),
      },
      [ResponseCode.QUERY_NOT_FOUND],
    );
    const oldOffset =
      queried.code === ResponseCode.SUCCESS
        ? QueryConsumerOffsetResponseHeader.decode(queried.extFields).offset
        : undefined;
    const searched = await askSuccess(requester, address, {
      code: RequestCode.SEARCH_OFFSET_BY_TIMESTAMP,
      extFields: SearchOffsetRequestHeader.encode({
        topic,
        queueId,
        timestamp: timestampMs,
        bname: brokerName,
      }),
    });
    const newOffset = SearchOffsetResponseHeader.decode(searched.extFields).offset;
    await askSuccess(requester, address, {
      code: RequestCode.UPDATE_CONSUMER_OFFSET,
      extFields: UpdateConsumerOffsetRequestHeader.encode({
        consumerGroup: group,
        topic,
        queueId,
        commitOffset: newOffset,
        bname: brokerName,
      }),
    });
    resets.push({ brokerName, queueId, oldOffset, newOffset });
    onProgress?.({ done: resets.length, total: queues.length, unit: 'queues' });
  }
  return resets;
}
