// The part of the admin client the console's API uses: a seam, so handler tests can answer with
// fakes instead of a cluster.

import type { AdminClient } from '../client/admin/admin-client';

export type ConsoleAdmin = Pick<
  AdminClient,
  | 'nameServers'
  | 'clusterInfo'
  | 'clusterList'
  | 'topicList'
  | 'topicRoute'
  | 'topicStatus'
  | 'createOrUpdateTopic'
  | 'deleteTopic'
  | 'sendMessage'
  | 'consumerProgress'
  | 'consumerMembers'
  | 'resetOffsetByTime'
  | 'consumeMessage'
  | 'queryMsgByKey'
  | 'queryMsgById'
  | 'dlqList'
  | 'dlqResend'
  | 'txList'
  | 'txCommit'
  | 'txRollback'
>;
