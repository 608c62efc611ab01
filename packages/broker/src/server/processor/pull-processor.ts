// PULL_MESSAGE (11): read a queue from an offset for a consumer group, filtered by tag, answering
// with commit-log records as they are stored. When there is nothing yet and the consumer allows
// it, the request is held (long polling) and answered as soon as a matching message is
// acknowledged, or at its suspend timeout (facts §2.4).
//
// Every answer suggests which broker of the group to pull from next (ha/pull-routing.ts). A slave
// never moves a consumer's offset for being past its own end: it may only lag its master, so it
// holds the pull as at the end of the queue (RocketMQ's offsetCheckInSlave=false, without the
// PULL_RETRY_IMMEDIATELY busy loop).

import {
  hasPullSysFlag,
  PullMessageRequestHeader,
  PullMessageResponseHeader,
  PullSysFlag,
} from '../../protocol/headers/pull-headers';
import { createResponse, type RemotingCommand } from '../../protocol/remoting/remoting-command';
import { ResponseCode } from '../../protocol/remoting/response-code';
import type { GetMessageResult, GetMessageStatus } from '../../store/get-message';
import type { RequestContext } from '../../transport/processor-table';
import type { BrokerContext } from '../broker-context';
import { isReadable, PermName } from '../../protocol/perm-name';
import {
  acceptsTag,
  parseTagExpression,
  SubscriptionParseError,
  tagFilterOfCodes,
  type TagFilter,
} from '../pull/tag-filter';
import { latencyStart, recordLatencySince } from './request-latency';
import { totalmem } from 'node:os';
import { PHYSICAL_OFFSET_OFFSET } from '../../protocol/message/stored-message-layout';
import type { SubscriptionGroupConfig } from '../../store/metadata/subscription-group-file';
import { isReadFromDisk, routePull, type PullRouting } from '../ha/pull-routing';

/** Entry point of the processor table: a first execution, which may be held. */
export function processPull(
  context: BrokerContext,
  request: RemotingCommand,
  requestContext: RequestContext,
): Promise<RemotingCommand | undefined> {
  return executePull(context, request, requestContext, true);
}

async function executePull(
  context: BrokerContext,
  request: RemotingCommand,
  requestContext: RequestContext,
  allowSuspend: boolean,
): Promise<RemotingCommand | undefined> {
  const started = latencyStart();
  const header = PullMessageRequestHeader.decode(request.extFields);
  const refuse = (code: number, remark: string) => createResponse(request, code, remark);
  const { config } = context;
  if ((config.brokerPermission & PermName.READ) === 0) {
    return refuse(
      ResponseCode.NO_PERMISSION,
      `the broker[${context.brokerAddr}] pulling message is forbidden`,
    );
  }
  const group = await context.groups.findOrAutoCreate(header.consumerGroup);
  if (group === undefined) {
    return refuse(
      ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST,
      `subscription group [${header.consumerGroup}] does not exist; create it (keel admin updateSubGroup) or ` +
        'enable autoCreateSubscriptionGroup',
    );
  }
  if (!group.consumeEnable) {
    return refuse(
      ResponseCode.NO_PERMISSION,
      `subscription group [${header.consumerGroup}] has consumption disabled`,
    );
  }
  const topic = context.topics.select(header.topic);
  if (topic === undefined) {
    return refuse(ResponseCode.TOPIC_NOT_EXIST, `topic[${header.topic}] not exist, apply first please!`);
  }
  if (!isReadable(topic.perm)) {
    return refuse(ResponseCode.NO_PERMISSION, `the topic[${header.topic}] pulling message is forbidden`);
  }
  if (header.queueId < 0 || header.queueId >= topic.readQueueNums) {
    return refuse(
      ResponseCode.SYSTEM_ERROR,
      `queueId[${header.queueId}] is illegal, topic:[${header.topic}] topicConfig.readQueueNums:[${topic.readQueueNums}] consumer:[${requestContext.connection.remoteAddress}]`,
    );
  }
  const filter = subscriptionFilter(context, header);
  if (!('codes' in filter)) return refuse(filter.code, filter.remark);

  const result = await context.store.getMessage(header.topic, header.queueId, header.queueOffset, {
    maxMessages: Math.max(1, Math.min(header.maxMsgNums, config.maxTransferCountOnMessageInMemory)),
    maxBytes: config.maxTransferBytesOnMessageInMemory,
    ...(filter.codes === undefined ? {} : { tagsCodes: filter.codes }),
  });
  let code = responseCodeOf(result.status, header.queueOffset);
  let nextBeginOffset = result.nextBeginOffset;
  if (
    config.brokerRole === 'SLAVE' &&
    code === ResponseCode.PULL_OFFSET_MOVED &&
    result.status !== 'OFFSET_TOO_SMALL'
  ) {
    code = ResponseCode.PULL_NOT_FOUND;
    nextBeginOffset = header.queueOffset;
  }
  const routing = pullRouting(context, group, result);
  if (!routing.serve) {
    return response(request, ResponseCode.PULL_RETRY_IMMEDIATELY, result, {
      nextBeginOffset: header.queueOffset,
      suggestWhichBrokerId: routing.suggestWhichBrokerId,
    });
  }

  const storeOffset =
    allowSuspend &&
    hasPullSysFlag(header.sysFlag, PullSysFlag.COMMIT_OFFSET) &&
    config.brokerRole !== 'SLAVE';
  if (storeOffset)
    context.offsets.commit(header.consumerGroup, header.topic, header.queueId, header.commitOffset);

  if (
    code === ResponseCode.PULL_NOT_FOUND &&
    allowSuspend &&
    hasPullSysFlag(header.sysFlag, PullSysFlag.SUSPEND)
  ) {
    return hold(context, request, requestContext, header, filter);
  }
  if (code === ResponseCode.SUCCESS) context.stats.recordGet(result.records.length, result.totalBytes);
  recordLatencySince(context.stats, 'pull', started);
  return response(request, code, result, {
    nextBeginOffset,
    suggestWhichBrokerId: routing.suggestWhichBrokerId,
  });
}

function pullRouting(
  context: BrokerContext,
  group: SubscriptionGroupConfig,
  result: GetMessageResult,
): PullRouting {
  const { config, store, replication } = context;
  const last = result.records[result.records.length - 1];
  return routePull({
    role: config.brokerRole,
    slaveReadEnable: config.slaveReadEnable,
    masterReachable: replication.masterReachable,
    groupBrokerId: group.brokerId,
    whichBrokerWhenConsumeSlowly: group.whichBrokerWhenConsumeSlowly,
    readFromDisk:
      config.slaveReadEnable &&
      isReadFromDisk(
        last === undefined ? undefined : Number(last.readBigInt64BE(PHYSICAL_OFFSET_OFFSET)),
        store.commitLogOffsets().max,
        totalmem(),
        config.accessMessageInMemoryMaxRatio,
      ),
  });
}

/**
 * Parks the pull and resolves with its answer once woken, so the server counts a held pull as a
 * request in progress: a graceful shutdown wakes held pulls and waits for their answers. A pull
 * whose connection closes resolves with no answer.
 */
function hold(
  context: BrokerContext,
  request: RemotingCommand,
  requestContext: RequestContext,
  header: PullMessageRequestHeader,
  filter: TagFilter,
): Promise<RemotingCommand | undefined> {
  const { connection } = requestContext;
  const suspendMs = context.config.longPollingEnable
    ? header.suspendTimeoutMillis
    : context.config.shortPollingTimeMills;
  // The connection may have closed while the store was read: nobody is left to answer.
  if (!connection.isOpen) return Promise.resolve(undefined);
  return new Promise<RemotingCommand | undefined>((resolve) => {
    const stopWaiting = connection.once('close', () => resolve(undefined));
    context.holds.hold({
      connectionId: connection.id,
      topic: header.topic,
      queueId: header.queueId,
      requestOffset: header.queueOffset,
      deadlineMs: requestContext.receivedAtMs + suspendMs,
      filter: (tagsCode) => acceptsTag(filter, tagsCode),
      wake: () => {
        stopWaiting();
        // Re-executed without suspending again: whatever it finds now is the answer.
        resolve(executePull(context, request, requestContext, false));
      },
    });
  });
}

type FilterOutcome = TagFilter | { readonly code: number; readonly remark: string };

function subscriptionFilter(context: BrokerContext, header: PullMessageRequestHeader): FilterOutcome {
  if (hasPullSysFlag(header.sysFlag, PullSysFlag.SUBSCRIPTION)) {
    const type = header.expressionType ?? 'TAG';
    if (type !== 'TAG') {
      return {
        code: ResponseCode.SYSTEM_ERROR,
        remark: `The broker does not support consumer to filter message by ${type}; subscribe by TAG`,
      };
    }
    try {
      return parseTagExpression(header.subscription ?? '*');
    } catch (error) {
      if (!(error instanceof SubscriptionParseError)) throw error;
      return { code: ResponseCode.SUBSCRIPTION_PARSE_FAILED, remark: error.message };
    }
  }
  const subscription = context.consumers.findSubscription(header.consumerGroup, header.topic);
  if (subscription === undefined) {
    return {
      code: ResponseCode.SUBSCRIPTION_NOT_EXIST,
      remark: `the consumer's subscription not exist: group ${header.consumerGroup} sent no heartbeat subscribing ${header.topic}`,
    };
  }
  if (subscription.subVersion < header.subVersion) {
    return {
      code: ResponseCode.SUBSCRIPTION_NOT_LATEST,
      remark: `the consumer's subscription not latest: the broker has version ${subscription.subVersion}, the pull ${header.subVersion}`,
    };
  }
  return tagFilterOfCodes(subscription.subString, subscription.codeSet);
}

/** Store status → response code (PullMessageProcessor's table, facts §2.4). */
export function responseCodeOf(status: GetMessageStatus, requestOffset: number): number {
  switch (status) {
    case 'FOUND':
      return ResponseCode.SUCCESS;
    case 'NO_MATCHED_MESSAGE':
    case 'MESSAGE_WAS_REMOVING':
      return ResponseCode.PULL_RETRY_IMMEDIATELY;
    case 'NO_MATCHED_LOGIC_QUEUE':
    case 'NO_MESSAGE_IN_QUEUE':
      return requestOffset !== 0 ? ResponseCode.PULL_OFFSET_MOVED : ResponseCode.PULL_NOT_FOUND;
    case 'OFFSET_TOO_SMALL':
    case 'OFFSET_OVERFLOW_BADLY':
      return ResponseCode.PULL_OFFSET_MOVED;
    case 'OFFSET_OVERFLOW_ONE':
    case 'OFFSET_FOUND_NULL':
      return ResponseCode.PULL_NOT_FOUND;
  }
}

function response(
  request: RemotingCommand,
  code: number,
  result: GetMessageResult,
  answer: { readonly nextBeginOffset: number; readonly suggestWhichBrokerId: number },
): RemotingCommand {
  return createResponse(request, code, result.status, {
    extFields: PullMessageResponseHeader.encode({
      suggestWhichBrokerId: answer.suggestWhichBrokerId,
      nextBeginOffset: answer.nextBeginOffset,
      minOffset: result.minOffset,
      maxOffset: result.maxOffset,
    }),
    ...(code === ResponseCode.SUCCESS ? { body: Buffer.concat(result.records, result.totalBytes) } : {}),
  });
}
