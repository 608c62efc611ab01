// The subcommands of `keel admin`, in the order its help lists them.

import type { AdminSubcommand } from './admin-subcommand';
import { brokerStatus, clusterList } from './cluster-subcommands';
import { consumerConnection, consumerProgress, resetOffsetByTime } from './consumer-subcommands';
import {
  consumeMessage,
  queryMsgById,
  queryMsgByKey,
  queryMsgByOffset,
  sendMessage,
} from './message-subcommands';
import { dlqList, dlqResend } from './dlq-subcommands';
import { deleteTopic, topicList, topicRoute, topicStatus, updateTopic } from './topic-subcommands';
import { txCommit, txList, txRollback } from './transaction-subcommands';

export const ADMIN_SUBCOMMANDS: readonly AdminSubcommand[] = [
  updateTopic,
  deleteTopic,
  topicList,
  topicRoute,
  topicStatus,
  clusterList,
  brokerStatus,
  consumerProgress,
  consumerConnection,
  resetOffsetByTime,
  queryMsgById,
  queryMsgByKey,
  queryMsgByOffset,
  sendMessage,
  consumeMessage,
  dlqList,
  dlqResend,
  txList,
  txCommit,
  txRollback,
];
