// Consumer groups: the list with each group's total lag and online members, one group's members
// (client ids and connection addresses), subscriptions and lag per queue, and resetting a group's
// offsets on a topic to a point in time (confirmed; its consumers must be stopped first, or they
// commit their own offsets over the reset).

import type { ApiRoute } from '../api-route';
import type { ApiContext } from './api-context';
import { consumerGroupNames } from './consumer-groups';

/** Timestamps the reset accepts: from the epoch to year 9999. */
const TIMESTAMP_MS = { min: 0, max: 253_402_300_799_999 } as const;

export function groupRoutes({ admin }: ApiContext): ApiRoute[] {
  return [
    {
      method: 'GET',
      pattern: '/api/groups',
      handle: async () => {
        const names = await consumerGroupNames(admin);
        const groups = await Promise.all(
          names.map(async (name) => {
            const [progress, members] = await Promise.all([
              admin.consumerProgress(name),
              admin.consumerMembers(name),
            ]);
            const clients = new Set(members.members.map((member) => member.clientId));
            return {
              name,
              totalLag: progress.totalLag,
              members: clients.size,
              topics: [...new Set(progress.queues.map((queue) => queue.topic))].sort(),
              messageModel: members.messageModel ?? null,
            };
          }),
        );
        return { groups };
      },
    },
    {
      method: 'GET',
      pattern: '/api/groups/:group',
      handle: async (input) => {
        const group = input.param('group');
        const [progress, members] = await Promise.all([
          admin.consumerProgress(group, input.queryString('topic')),
          admin.consumerMembers(group),
        ]);
        return {
          group,
          totalLag: progress.totalLag,
          queues: progress.queues,
          members: members.members,
          subscriptions: members.subscriptions,
          messageModel: members.messageModel ?? null,
        };
      },
    },
    {
      method: 'POST',
      pattern: '/api/groups/:group/reset-offset',
      handle: async (input) => {
        const group = input.param('group');
        const topic = input.requiredBodyString('topic');
        const timestampMs = input.requiredBodyInt('timestampMs', TIMESTAMP_MS);
        input.requireConfirm(`resetting the offsets of group ${group} on ${topic}`);
        const resets = await admin.resetOffsetByTime({ group, topic, timestampMs });
        return { group, topic, timestampMs, resets };
      },
    },
  ];
}
