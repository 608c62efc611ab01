// Turns the body of a FOUND pull response (stored records back to back) into MessageExt values:
// what the consumers call on every pull.

import { formatHostAddress } from '../protocol/message/host-address';
import { MessageConst } from '../protocol/message/message-const';
import { createOffsetMessageId } from '../protocol/message/message-id';
import { parseMessageProperties } from '../protocol/message/message-properties';
import { decodeStoredMessages, type DecodedStoredMessage } from '../protocol/message/stored-message-decoder';
import { MessageDecodeError } from './client-errors';
import { decompressBody } from './compression';
import type { MessageExt } from './message';

/**
 * Decodes every record of `pullBody`. Throws MessageDecodeError when the bytes are not whole
 * records (a pull body never ends inside one), UnsupportedCompressionError for LZ4/ZSTD bodies.
 */
export function decodeMessages(pullBody: Buffer): MessageExt[] {
  const batch = decodeStoredMessages(pullBody);
  if (batch.stoppedAt !== undefined) {
    const found = batch.stoppedAt;
    const detail = found.kind === 'corrupt' ? `${found.reason}: ${found.detail}` : found.kind;
    throw new MessageDecodeError(
      `pull body damaged after ${batch.messages.length} messages at byte ${batch.consumed}: ${detail}`,
    );
  }
  return batch.messages.map(toMessageExt);
}

export function toMessageExt(record: DecodedStoredMessage): MessageExt {
  const properties = parseMessageProperties(record.properties);
  const offsetMsgId = createOffsetMessageId(record.storeHost, record.physicalOffset);
  const keys = properties.get(MessageConst.PROPERTY_KEYS);
  return {
    msgId: properties.get(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX) ?? offsetMsgId,
    offsetMsgId,
    topic: record.topic,
    queueId: record.queueId,
    queueOffset: record.queueOffset,
    commitLogOffset: record.physicalOffset,
    bornTimestamp: record.bornTimestamp,
    storeTimestamp: record.storeTimestamp,
    bornHost: formatHostAddress(record.bornHost),
    storeHost: formatHostAddress(record.storeHost),
    reconsumeTimes: record.reconsumeTimes,
    sysFlag: record.sysFlag,
    flag: record.flag,
    tags: properties.get(MessageConst.PROPERTY_TAGS),
    keys: keys === undefined ? [] : keys.split(MessageConst.KEY_SEPARATOR).filter((key) => key !== ''),
    properties,
    // Copied so a consumer may keep the body without pinning the whole pull response.
    body: Buffer.from(decompressBody(record.body ?? Buffer.alloc(0), record.sysFlag)),
  };
}
