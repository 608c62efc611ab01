// Dead letters: the groups that have any (with how many), the letters of one group, and resending
// one (by msgId) or all of them (confirmed) to the group's retry topic.

import { DLQ_GROUP_TOPIC_PREFIX } from '../../server/topic/system-topics';
import type { ApiRoute } from '../api-route';
import { badRequest } from '../request-input';
import { messageSummaryJson } from '../message-json';
import { LIST_LIMITS, type ApiContext } from './api-context';
import { deadLetterGroupNames } from './consumer-groups';

export function deadLetterRoutes({ admin }: ApiContext): ApiRoute[] {
  return [
    {
      method: 'GET',
      pattern: '/api/dlq',
      handle: async () => {
        const groups = await Promise.all(
          (await deadLetterGroupNames(admin)).map(async (group) => {
            const queues = await admin.topicStatus(DLQ_GROUP_TOPIC_PREFIX + group);
            const count = queues.reduce((sum, queue) => sum + queue.maxOffset - queue.minOffset, 0);
            return { group, count };
          }),
        );
        return { groups };
      },
    },
    {
      method: 'GET',
      pattern: '/api/dlq/:group',
      handle: async (input) => {
        const group = input.param('group');
        const limit =
          input.queryInt('max', { min: 1, max: LIST_LIMITS.deadLetters.max }) ??
          LIST_LIMITS.deadLetters.default;
        const letters = await admin.dlqList(group, limit);
        return {
          group,
          letters: letters.map((letter) => ({
            ...messageSummaryJson(letter.message),
            originalTopic: letter.originalTopic,
          })),
        };
      },
    },
    {
      method: 'POST',
      pattern: '/api/dlq/:group/resend',
      handle: async (input) => {
        const group = input.param('group');
        const msgId = input.bodyString('msgId');
        const all = input.bodyBoolean('all') === true;
        if (all === (msgId !== undefined))
          throw badRequest('say what to resend: a msgId, or "all": true (not both)');
        if (all) input.requireConfirm(`resending every dead letter of group ${group}`);
        const resent = await admin.dlqResend(group, msgId === undefined ? { all: true } : { msgId });
        return { group, resent };
      },
    },
  ];
}
