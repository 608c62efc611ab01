// Finding messages: by topic and store-time range (read without committing anything), by key
// (the index), by id (offset id, or the producer's msgId with its topic); and one message in full
// with, per consumer group, whether the group has consumed it.
//
// "Consumed" compares the group's committed offset on the message's queue with the message's queue
// offset: offsets are committed after consumption, so a message below the offset is done. Groups
// that never committed on the topic are not listed (they do not consume it).

import type { AdminClient } from '../../client/admin/admin-client';
import type { MessageExt } from '../../client/message';
import type { ApiRoute } from '../api-route';
import type { ConsoleAdmin } from '../console-admin';
import { messageDetailJson, messageSummaryJson } from '../message-json';
import { badRequest, type RequestInput } from '../request-input';
import { LIST_LIMITS, type ApiContext } from './api-context';
import { consumerGroupNames } from './consumer-groups';

const TIMESTAMP_MS = { min: 0, max: Number.MAX_SAFE_INTEGER } as const;

export interface ConsumptionStatus {
  readonly group: string;
  readonly consumed: boolean;
  /** The group's committed offset on the message's queue: the next message it will consume. */
  readonly consumerOffset: number;
}

export function messageRoutes({ admin }: ApiContext): ApiRoute[] {
  return [
    {
      method: 'GET',
      pattern: '/api/messages',
      handle: async (input) => ({ messages: (await searchMessages(admin, input)).map(messageSummaryJson) }),
    },
    {
      method: 'GET',
      pattern: '/api/messages/:msgId',
      handle: async (input) => {
        const found = await admin.queryMsgById(input.param('msgId'), input.queryString('topic'));
        const brokerNames = await brokerNamesByAddress(admin);
        return {
          messages: await Promise.all(
            found.map(async (message) => ({
              message: messageDetailJson(message),
              brokerName: brokerNames.get(message.storeHost) ?? null,
              consumption: await consumptionOf(admin, message, brokerNames.get(message.storeHost)),
            })),
          ),
        };
      },
    },
  ];
}

function searchMessages(admin: ConsoleAdmin, input: RequestInput): Promise<MessageExt[]> {
  const topic = input.requiredQueryString('topic');
  const key = input.queryString('key');
  const begin = input.queryInt('begin', TIMESTAMP_MS);
  const end = input.queryInt('end', TIMESTAMP_MS);
  if (begin !== undefined && end !== undefined && begin > end)
    throw badRequest(`begin (${begin}) is after end (${end}); give the earlier time as begin`);
  const max =
    input.queryInt('max', { min: 1, max: LIST_LIMITS.messages.max }) ?? LIST_LIMITS.messages.default;
  if (key !== undefined)
    return admin.queryMsgByKey({ topic, key, beginTimestampMs: begin, endTimestampMs: end, maxNum: max });
  if (begin === undefined)
    throw badRequest('give a key, or a time range: begin (and optionally end), in epoch milliseconds');
  return admin.consumeMessage({ topic, count: max, beginTimestampMs: begin, endTimestampMs: end });
}

async function brokerNamesByAddress(admin: Pick<AdminClient, 'clusterInfo'>): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const [brokerName, data] of (await admin.clusterInfo()).brokerAddrTable)
    for (const address of data.brokerAddrs.values()) names.set(address, brokerName);
  return names;
}

async function consumptionOf(
  admin: ConsoleAdmin,
  message: MessageExt,
  brokerName: string | undefined,
): Promise<ConsumptionStatus[]> {
  if (brokerName === undefined) return [];
  const statuses: ConsumptionStatus[] = [];
  for (const group of await consumerGroupNames(admin)) {
    // Without a topic filter: only the topics the group has committed on come back.
    const progress = await admin.consumerProgress(group);
    const queue = progress.queues.find(
      (q) => q.topic === message.topic && q.brokerName === brokerName && q.queueId === message.queueId,
    );
    if (queue !== undefined)
      statuses.push({
        group,
        consumed: queue.consumerOffset > message.queueOffset,
        consumerOffset: queue.consumerOffset,
      });
  }
  return statuses;
}
