// How `keel admin` shows messages: all fields of one (queryMsgById, queryMsgByOffset), a table row
// per message for lists (queryMsgByKey, consumeMessage), and the JSON form of both.

import type { MessageExt } from '../../client/message';
import { formatFields, formatTable, formatTime } from './table';

/** Bodies longer than this are cut in tables; --json and the detail view show them whole. */
const TABLE_BODY_CHARS = 60;

export function messageJson(message: MessageExt) {
  return {
    msgId: message.msgId,
    offsetMsgId: message.offsetMsgId,
    topic: message.topic,
    tags: message.tags,
    keys: message.keys,
    queueId: message.queueId,
    queueOffset: message.queueOffset,
    commitLogOffset: message.commitLogOffset,
    reconsumeTimes: message.reconsumeTimes,
    bornTimestamp: message.bornTimestamp,
    storeTimestamp: message.storeTimestamp,
    bornHost: message.bornHost,
    storeHost: message.storeHost,
    sysFlag: message.sysFlag,
    properties: Object.fromEntries(message.properties),
    body: message.body.toString('utf8'),
    bodyLength: message.body.length,
  };
}

export function messageDetails(message: MessageExt): string[] {
  return formatFields([
    ['Message ID', message.msgId],
    ['Offset Message ID', message.offsetMsgId],
    ['Topic', message.topic],
    ['Tags', message.tags ?? '-'],
    ['Keys', message.keys.join(' ') || '-'],
    ['Queue ID', message.queueId],
    ['Queue Offset', message.queueOffset],
    ['CommitLog Offset', message.commitLogOffset],
    ['Reconsume Times', message.reconsumeTimes],
    ['Born Timestamp', formatTime(message.bornTimestamp)],
    ['Store Timestamp', formatTime(message.storeTimestamp)],
    ['Born Host', message.bornHost],
    ['Store Host', message.storeHost],
    ['System Flag', message.sysFlag],
    ['Properties', [...message.properties].map(([key, value]) => `${key}=${value}`).join(', ')],
    ['Body', message.body.toString('utf8')],
  ]);
}

export function messageTable(messages: readonly MessageExt[]): string[] {
  return formatTable(
    [
      { title: 'Message ID' },
      { title: 'Queue' },
      { title: 'Offset', align: 'right' },
      { title: 'Stored' },
      { title: 'Tags' },
      { title: 'Keys' },
      { title: 'Body' },
    ],
    messages.map((m) => [
      m.msgId,
      `${m.storeHost}/${m.queueId}`,
      m.queueOffset,
      formatTime(m.storeTimestamp),
      m.tags ?? '-',
      m.keys.join(' ') || '-',
      shortBody(m.body),
    ]),
  );
}

function shortBody(body: Buffer): string {
  const text = body.toString('utf8').replace(/\s+/g, ' ');
  return text.length > TABLE_BODY_CHARS ? `${text.slice(0, TABLE_BODY_CHARS - 1)}…` : text;
}
