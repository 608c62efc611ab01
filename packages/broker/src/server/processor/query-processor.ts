// QUERY_MESSAGE (12) and VIEW_MESSAGE_BY_ID (33) (fact sheet §2.9; RocketMQ's QueryMessageProcessor):
// look-ups by message key and by commit-log offset, answered with whole stored records.

import {
  QueryMessageRequestHeader,
  QueryMessageResponseHeader,
  ViewMessageRequestHeader,
} from '../../protocol/headers/query-headers';
import { MessageConst } from '../../protocol/message/message-const';
import { parseMessageProperties } from '../../protocol/message/message-properties';
import { decodeStoredMessage } from '../../protocol/message/stored-message-decoder';
import { createResponse, type RemotingCommand } from '../../protocol/remoting/remoting-command';
import { ResponseCode } from '../../protocol/remoting/response-code';
import type { RequestContext } from '../../transport/processor-table';
import { DEFAULT_MAX_FRAME_LENGTH_BYTES } from '../../protocol/remoting/frame-layout';
import type { BrokerContext } from '../broker-context';

/** MessageStoreConfig.defaultQueryMaxNum: what a query by UNIQ_KEY asks for, whatever maxNum says. */
export const DEFAULT_QUERY_MAX_NUM = 32;
/** MessageStoreConfig.maxMsgsNumBatch: the most records one query answers with. */
export const MAX_MSGS_NUM_BATCH = 64;

export async function processQueryMessage(
  context: BrokerContext,
  request: RemotingCommand,
  _requestContext: RequestContext,
): Promise<RemotingCommand> {
  const header = QueryMessageRequestHeader.decode(request.extFields);
  const requested = header.uniqueKeyQuery ? DEFAULT_QUERY_MAX_NUM : header.maxNum;
  const maxNum = Math.max(0, Math.min(requested, MAX_MSGS_NUM_BATCH));
  const found = await context.store.queryMessage(
    header.topic,
    header.key,
    maxNum,
    header.beginTimestamp,
    header.endTimestamp,
  );
  const records = withinFrame(
    found.records.filter((record) => recordMatches(record, header.topic, header.key)),
  );
  // RocketMQ sets the index position on both answers; clients use it to merge replies of brokers.
  const extFields = QueryMessageResponseHeader.encode({
    indexLastUpdateTimestamp: found.indexLastUpdateTimestampMs,
    indexLastUpdatePhyoffset: found.indexLastUpdatePhyOffset,
  });
  if (records.length === 0) {
    return createResponse(
      request,
      ResponseCode.QUERY_NOT_FOUND,
      'can not find message, maybe time range not correct',
      { extFields },
    );
  }
  return createResponse(request, ResponseCode.SUCCESS, undefined, {
    extFields,
    body: Buffer.concat(records),
  });
}

/** Room left for the header in a 16 MiB frame: records past it are left out of the answer. */
const MAX_QUERY_BODY_BYTES = DEFAULT_MAX_FRAME_LENGTH_BYTES - 64 * 1024;

/**
 * The records (newest first) that fit one frame. A few messages near maxMessageSize can add up past
 * the frame limit; answering the newest ones beats failing the whole query.
 */
function withinFrame(records: readonly Buffer[]): Buffer[] {
  const kept: Buffer[] = [];
  let bytes = 0;
  for (const record of records) {
    if (bytes + record.length > MAX_QUERY_BODY_BYTES) break;
    kept.push(record);
    bytes += record.length;
  }
  return kept;
}

/**
 * The index matches hashes of `topic#key`, so a record it returns may belong to another topic or
 * key. Keep it only if its topic is the one asked for and the key is one of its KEYS or its UNIQ_KEY
 * (a client's unique-key query and key query both land here; either property matching is a hit).
 */
function recordMatches(record: Buffer, topic: string, key: string): boolean {
  const decoded = decodeStoredMessage(record, 0, { withBody: false });
  if (decoded.kind !== 'message' || decoded.message.topic !== topic) return false;
  const properties = parseMessageProperties(decoded.message.properties);
  if (properties.get(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX) === key) return true;
  const keys = properties.get(MessageConst.PROPERTY_KEYS);
  return keys !== undefined && keys.split(MessageConst.KEY_SEPARATOR).includes(key);
}

export async function processViewMessageById(
  context: BrokerContext,
  request: RemotingCommand,
  _requestContext: RequestContext,
): Promise<RemotingCommand> {
  const { offset } = ViewMessageRequestHeader.decode(request.extFields);
  const record = await context.store.readRecordBytes(offset);
  if (record === undefined) {
    return createResponse(
      request,
      ResponseCode.SYSTEM_ERROR,
      `can not find message by the offset, ${offset}`,
    );
  }
  return createResponse(request, ResponseCode.SUCCESS, undefined, { body: record });
}
