// SEND_MESSAGE (10), SEND_MESSAGE_V2 (310) and SEND_BATCH_MESSAGE (320): check the target, turn
// the request into stored records (born host = the TCP peer, store host = this broker, property
// CLUSTER added, MULTI_TAGS flag from the topic's filter type), append, and answer with the offset
// message id, queue and queue offset once the store acknowledges per its flush mode (and, on a
// SYNC_MASTER, once a slave has the message: FLUSH_SLAVE_TIMEOUT / SLAVE_NOT_AVAILABLE otherwise).
//
// A single message may be parked first (delay level, delivery time, half message, retry past its
// maximum: see delivery/send-routing.ts). A batch is stored as sent: like RocketMQ, Keel refuses a
// batch holding a delayed or transactional message rather than deliver part of it early.

import { decodeBatchMessageBody } from '../../protocol/bodies/batch-message-body';
import {
  decodeSendMessageHeader,
  SendMessageResponseHeader,
  type SendMessageRequestHeader,
} from '../../protocol/headers/send-headers';
import { parseHostAddress, type HostAddress } from '../../protocol/message/host-address';
import { MessageConst } from '../../protocol/message/message-const';
import { createOffsetMessageId } from '../../protocol/message/message-id';
import {
  messagePropertiesToString,
  NAME_VALUE_SEPARATOR,
  parseMessageProperties,
  PROPERTY_SEPARATOR,
  type MessageProperties,
} from '../../protocol/message/message-properties';
import { MessageSysFlag } from '../../protocol/message/message-sys-flag';
import { createResponse, type RemotingCommand } from '../../protocol/remoting/remoting-command';
import { RequestCode } from '../../protocol/remoting/request-code';
import { ResponseCode } from '../../protocol/remoting/response-code';
import type { PutMessageRequest, PutMessageResult } from '../../store/message-store';
import type { TopicConfig } from '../../store/metadata/topic-config-file';
import type { RequestContext } from '../../transport/processor-table';
import type { BrokerContext } from '../broker-context';
import { DELIVERY_TIME_PROPERTIES } from '../delivery/delivery-time';
import { routeSentMessage } from '../delivery/send-routing';
import type { ReplicatedPutResult, ReplicatedPutStatus } from '../ha/replication';
import { resolveSendTarget } from './send-target';

const MSG_REGION = 'DefaultRegion';

export async function processSend(
  context: BrokerContext,
  request: RemotingCommand,
  { connection }: RequestContext,
): Promise<RemotingCommand> {
  const header = decodeSendMessageHeader(request.code, request.extFields);
  const target = await resolveSendTarget(context, request, header, connection.remoteAddress);
  if (!target.ok) return target.response;
  const bornHost = bornHostOf(connection);
  if (request.code === RequestCode.SEND_BATCH_MESSAGE) {
    return sendBatch(context, request, header, target.topic, target.queueId, bornHost);
  }
  const properties = parseMessageProperties(header.properties ?? '');
  const put = putRequest(context, header, target.topic, target.queueId, bornHost, {
    body: request.body,
    flag: header.flag,
    propertiesText: header.properties ?? '',
    properties,
  });
  const routing = routeSentMessage(context, {
    put,
    properties,
    maxReconsumeTimes: header.maxReconsumeTimes,
  });
  const routed = routing instanceof Promise ? await routing : routing;
  if (!routed.ok) return createResponse(request, routed.code, routed.remark);
  const result = await context.store.putMessage(routed.put);
  const replicated = await context.replication.awaitSlaves([result], [routed.put.waitStoreMsgOk !== false]);
  // The answer names the queue the producer chose, as RocketMQ's does, even for a parked message.
  return answer(context, request, target.queueId, replicated);
}

/** The peer address of a connection never changes: parsed once, not on every send. */
const bornHosts = new WeakMap<RequestContext['connection'], HostAddress>();

function bornHostOf(connection: RequestContext['connection']): HostAddress {
  let host = bornHosts.get(connection);
  if (host === undefined) {
    host = parseHostAddress(connection.remoteAddress);
    bornHosts.set(connection, host);
  }
  return host;
}

async function sendBatch(
  context: BrokerContext,
  request: RemotingCommand,
  header: SendMessageRequestHeader,
  topic: TopicConfig,
  queueId: number,
  bornHost: HostAddress,
): Promise<RemotingCommand> {
  const entries = decodeBatchMessageBody(request.body);
  if (entries.length === 0) {
    return createResponse(
      request,
      ResponseCode.MESSAGE_ILLEGAL,
      'the batch is empty; send at least one message',
    );
  }
  const puts: PutMessageRequest[] = [];
  for (const entry of entries) {
    const unsupported = unbatchable(entry.properties);
    if (unsupported !== undefined) {
      return createResponse(
        request,
        ResponseCode.MESSAGE_ILLEGAL,
        `batch message ${puts.length}: ${unsupported}`,
      );
    }
    // Batch-level properties (the header's) apply to every message, after the message's own.
    const batchLevel = header.properties ?? '';
    puts.push(
      putRequest(context, header, topic, queueId, bornHost, {
        body: entry.body,
        flag: entry.flag,
        propertiesText: joinProperties(entry.propertiesText, batchLevel),
        properties:
          batchLevel === ''
            ? entry.properties
            : new Map([...entry.properties, ...parseMessageProperties(batchLevel)]),
      }),
    );
  }
  const results = await context.store.putMessages(puts);
  const waits = puts.map((put) => put.waitStoreMsgOk !== false);
  return answer(context, request, queueId, await context.replication.awaitSlaves(results, waits));
}

interface MessageParts {
  readonly body: Uint8Array;
  readonly flag: number;
  readonly propertiesText: string;
  readonly properties: MessageProperties;
}

function putRequest(
  context: BrokerContext,
  header: SendMessageRequestHeader,
  topic: TopicConfig,
  queueId: number,
  bornHost: HostAddress,
  message: MessageParts,
): PutMessageRequest {
  let sysFlag = header.sysFlag;
  if (topic.topicFilterType === 'MULTI_TAG') sysFlag |= MessageSysFlag.MULTI_TAGS_FLAG;
  const { properties } = message;
  // RocketMQ stamps this broker's cluster name on every stored message (PROPERTY_CLUSTER), replacing
  // a value the producer sent: readers (traces, request-reply) take it as where the message is stored.
  const clusterName = context.config.brokerClusterName;
  const sentCluster = properties.get(MessageConst.PROPERTY_CLUSTER);
  const propertiesText =
    sentCluster === undefined
      ? joinProperties(
          message.propertiesText,
          `${MessageConst.PROPERTY_CLUSTER}${NAME_VALUE_SEPARATOR}${clusterName}`,
        )
      : sentCluster === clusterName
        ? message.propertiesText
        : messagePropertiesToString(new Map(properties).set(MessageConst.PROPERTY_CLUSTER, clusterName));
  return {
    fields: {
      topic: topic.topicName,
      queueId,
      flag: message.flag,
      queueOffset: 0,
      physicalOffset: 0,
      sysFlag,
      bornTimestamp: header.bornTimestamp,
      bornHost,
      storeTimestamp: 0,
      storeHost: context.storeHost,
      reconsumeTimes: header.reconsumeTimes ?? 0,
      preparedTransactionOffset: 0,
      body: message.body,
      properties: propertiesText,
    },
    tags: properties.get(MessageConst.PROPERTY_TAGS),
    keys: properties.get(MessageConst.PROPERTY_KEYS),
    uniqKey: properties.get(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX),
    waitStoreMsgOk: properties.get(MessageConst.PROPERTY_WAIT_STORE_MSG_OK) !== 'false',
  };
}

/**
 * Two properties strings as one. Writers differ on the trailing separator (4.9.x Java writes none,
 * older clients one), so one is put between them only when the first does not end with it.
 */
function joinProperties(first: string, second: string): string {
  if (first.length === 0) return second;
  if (second.length === 0) return first;
  return first.endsWith(PROPERTY_SEPARATOR) ? first + second : first + PROPERTY_SEPARATOR + second;
}

/** Why a message cannot travel in a batch (RocketMQ refuses the same), or undefined. */
function unbatchable(properties: MessageProperties): string | undefined {
  const delay = properties.get(MessageConst.PROPERTY_DELAY_TIME_LEVEL);
  if (delay !== undefined && delay !== '0') {
    return `a batch cannot carry a delayed message (DELAY=${delay}); send it on its own`;
  }
  const timed = DELIVERY_TIME_PROPERTIES.find((name) => properties.has(name));
  if (timed !== undefined) {
    return `a batch cannot carry a message with a delivery time (${timed}); send it on its own`;
  }
  if (properties.get(MessageConst.PROPERTY_TRANSACTION_PREPARED) === 'true') {
    return 'a batch cannot carry a transactional (half) message; send it with sendMessageInTransaction';
  }
  return undefined;
}

function answer(
  context: BrokerContext,
  request: RemotingCommand,
  queueId: number,
  results: readonly (PutMessageResult | ReplicatedPutResult)[],
): RemotingCommand {
  const first = results[0]!;
  const failed = results.find(
    (r) => responseCodeOf(r.status) !== ResponseCode.SUCCESS && !isStoredAnyway(r.status),
  );
  if (failed !== undefined) {
    context.stats.recordPutFailure();
    return createResponse(request, responseCodeOf(failed.status), failed.error?.message ?? failed.status);
  }
  context.stats.recordPut(
    results.length,
    results.reduce((sum, r) => sum + r.totalSize, 0),
  );
  // FLUSH_DISK_TIMEOUT, FLUSH_SLAVE_TIMEOUT and SLAVE_NOT_AVAILABLE still carry the message id: the
  // message is stored, only not yet as durable or replicated as asked.
  const code =
    results.map((r) => responseCodeOf(r.status)).find((c) => c !== ResponseCode.SUCCESS) ??
    ResponseCode.SUCCESS;
  const msgId = results.map((r) => createOffsetMessageId(context.storeHost, r.physicalOffset)).join(',');
  return createResponse(request, code, undefined, {
    extFields: SendMessageResponseHeader.encode({
      msgId,
      queueId,
      queueOffset: first.queueOffset,
      transactionId: undefined,
      msgRegion: MSG_REGION,
      traceOn: 'true',
    }),
  });
}

function isStoredAnyway(status: ReplicatedPutStatus): boolean {
  return (
    status === 'FLUSH_DISK_TIMEOUT' || status === 'FLUSH_SLAVE_TIMEOUT' || status === 'SLAVE_NOT_AVAILABLE'
  );
}

export function responseCodeOf(status: ReplicatedPutStatus): number {
  switch (status) {
    case 'PUT_OK':
      return ResponseCode.SUCCESS;
    case 'FLUSH_DISK_TIMEOUT':
      return ResponseCode.FLUSH_DISK_TIMEOUT;
    case 'FLUSH_SLAVE_TIMEOUT':
      return ResponseCode.FLUSH_SLAVE_TIMEOUT;
    case 'SLAVE_NOT_AVAILABLE':
      return ResponseCode.SLAVE_NOT_AVAILABLE;
    case 'SERVICE_NOT_AVAILABLE':
      return ResponseCode.SERVICE_NOT_AVAILABLE;
    case 'MESSAGE_ILLEGAL':
    case 'PROPERTIES_SIZE_EXCEEDED':
      return ResponseCode.MESSAGE_ILLEGAL;
    case 'UNKNOWN_ERROR':
      return ResponseCode.SYSTEM_ERROR;
  }
}
