// The broker's request codes and the processors that answer them. Each line binds one code to one
// processor with the broker's context; codes not listed answer REQUEST_CODE_NOT_SUPPORTED.

import { RequestCode } from '../../protocol/remoting/request-code';
import type { ProcessorTable } from '../../transport/processor-table';
import type { BrokerContext } from '../broker-context';
import {
  processDeleteTopicInBroker,
  processGetAllTopicConfig,
  processGetBrokerRuntimeInfo,
  processGetConsumeStats,
  processGetTopicStatsInfo,
  processUpdateAndCreateTopic,
} from './admin-processor';
import { processHeartbeat, processUnregisterClient } from './client-manage-processor';
import { processGetConsumerConnectionList } from './consumer-connection-processor';
import { processConsumerSendMsgBack } from './consumer-send-back-processor';
import { processEndTransaction, processListHalfMessages } from './end-transaction-processor';
import {
  processGetConsumerListByGroup,
  processQueryConsumerOffset,
  processUpdateConsumerOffset,
} from './consumer-manage-processor';
import { processLockBatchMq, processUnlockBatchMq } from './lock-processor';
import {
  processGetEarliestMsgStoretime,
  processGetMaxOffset,
  processGetMinOffset,
  processSearchOffsetByTimestamp,
} from './offset-query-processor';
import { processPull } from './pull-processor';
import { processQueryMessage, processViewMessageById } from './query-processor';
import { timedProcessor } from './request-latency';
import { processSend } from './send-processor';
import {
  processGetAllConsumerOffset,
  processGetAllDelayOffset,
  processGetAllSubscriptionGroupConfig,
} from './slave-sync-processor';

/** Registers the codes on `table` and returns it, so a caller can build and use it in one step. */
export function registerBrokerProcessors(table: ProcessorTable, context: BrokerContext): ProcessorTable {
  // Sends are timed here, to their answer; pulls inside the processor (a held pull's wait is not latency).
  const send = timedProcessor(context.stats, 'send', (req, rc) => processSend(context, req, rc));
  table.register(RequestCode.SEND_MESSAGE, send);
  table.register(RequestCode.SEND_MESSAGE_V2, send);
  table.register(RequestCode.SEND_BATCH_MESSAGE, send);
  table.register(RequestCode.PULL_MESSAGE, (req, rc) => processPull(context, req, rc));
  table.register(RequestCode.CONSUMER_SEND_MSG_BACK, (req, rc) =>
    processConsumerSendMsgBack(context, req, rc),
  );
  table.register(RequestCode.END_TRANSACTION, (req, rc) => processEndTransaction(context, req, rc));
  table.register(RequestCode.KEEL_LIST_HALF_MESSAGES, (req, rc) => processListHalfMessages(context, req, rc));
  table.register(RequestCode.HEART_BEAT, (req, rc) => processHeartbeat(context, req, rc));
  table.register(RequestCode.UNREGISTER_CLIENT, (req, rc) => processUnregisterClient(context, req, rc));
  table.register(RequestCode.GET_CONSUMER_LIST_BY_GROUP, (req, rc) =>
    processGetConsumerListByGroup(context, req, rc),
  );
  table.register(RequestCode.QUERY_CONSUMER_OFFSET, (req, rc) =>
    processQueryConsumerOffset(context, req, rc),
  );
  table.register(RequestCode.UPDATE_CONSUMER_OFFSET, (req, rc) =>
    processUpdateConsumerOffset(context, req, rc),
  );
  table.register(RequestCode.GET_MAX_OFFSET, (req, rc) => processGetMaxOffset(context, req, rc));
  table.register(RequestCode.GET_MIN_OFFSET, (req, rc) => processGetMinOffset(context, req, rc));
  table.register(RequestCode.GET_EARLIEST_MSG_STORETIME, (req, rc) =>
    processGetEarliestMsgStoretime(context, req, rc),
  );
  table.register(RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, (req, rc) =>
    processSearchOffsetByTimestamp(context, req, rc),
  );
  table.register(RequestCode.QUERY_MESSAGE, (req, rc) => processQueryMessage(context, req, rc));
  table.register(RequestCode.VIEW_MESSAGE_BY_ID, (req, rc) => processViewMessageById(context, req, rc));
  table.register(RequestCode.LOCK_BATCH_MQ, (req, rc) => processLockBatchMq(context, req, rc));
  table.register(RequestCode.UNLOCK_BATCH_MQ, (req, rc) => processUnlockBatchMq(context, req, rc));
  table.register(RequestCode.UPDATE_AND_CREATE_TOPIC, (req, rc) =>
    processUpdateAndCreateTopic(context, req, rc),
  );
  table.register(RequestCode.DELETE_TOPIC_IN_BROKER, (req, rc) =>
    processDeleteTopicInBroker(context, req, rc),
  );
  table.register(RequestCode.GET_ALL_TOPIC_CONFIG, (req, rc) => processGetAllTopicConfig(context, req, rc));
  table.register(RequestCode.GET_ALL_CONSUMER_OFFSET, (req, rc) =>
    processGetAllConsumerOffset(context, req, rc),
  );
  table.register(RequestCode.GET_ALL_DELAY_OFFSET, (req, rc) => processGetAllDelayOffset(context, req, rc));
  table.register(RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG, (req, rc) =>
    processGetAllSubscriptionGroupConfig(context, req, rc),
  );
  table.register(RequestCode.GET_BROKER_RUNTIME_INFO, (req, rc) =>
    processGetBrokerRuntimeInfo(context, req, rc),
  );
  table.register(RequestCode.GET_TOPIC_STATS_INFO, (req, rc) => processGetTopicStatsInfo(context, req, rc));
  table.register(RequestCode.GET_CONSUME_STATS, (req, rc) => processGetConsumeStats(context, req, rc));
  table.register(RequestCode.GET_CONSUMER_CONNECTION_LIST, (req, rc) =>
    processGetConsumerConnectionList(context, req, rc),
  );
  return table;
}
