// keel admin queryMsgById | queryMsgByKey | queryMsgByOffset | sendMessage | consumeMessage

import { QUERY_MAX_NUM } from '../../client/admin/message-admin';
import { UsageError, type OptionDef } from '../args';
import { TOPIC_OPTION, type AdminSubcommand } from './admin-subcommand';
import { messageDetails, messageJson, messageTable } from './message-view';

const BEGIN_OPTION: OptionDef = {
  name: 'begin-timestamp',
  short: 's',
  value: 'timestamp',
  doc: 'From this store time: epoch ms, yyyyMMddHHmmss (local) or ISO 8601',
};
const END_OPTION: OptionDef = {
  name: 'end-timestamp',
  short: 'e',
  value: 'timestamp',
  doc: 'Up to this store time',
};

export const queryMsgById: AdminSubcommand = {
  name: 'queryMsgById',
  summary: 'Show a message by its offset message id, or by its msgId (UNIQ_KEY) with -t',
  synopsis: '-i <msgId> [-t <topic>]',
  options: [
    {
      name: 'msg-id',
      short: 'i',
      value: 'msgId',
      doc: 'Offset message id, or the producer msgId (needs -t)',
    },
    { ...TOPIC_OPTION, doc: 'Topic, to look up a producer msgId (UNIQ_KEY)' },
  ],
  example: 'keel admin queryMsgById -n 127.0.0.1:9876 -i 7F00000100002A9F0000000000000000',
  prepare(options) {
    const msgId = options.required('msg-id', '-i');
    const topic = options.optional('topic');
    return async ({ client }) => {
      const messages = await client.queryMsgById(msgId, topic);
      return {
        json: { messages: messages.map(messageJson) },
        text: messages.flatMap((message, i) => [...(i > 0 ? [''] : []), ...messageDetails(message)]),
      };
    };
  },
};

export const queryMsgByKey: AdminSubcommand = {
  name: 'queryMsgByKey',
  summary: "Messages of a topic with a key, from every broker's index, newest first",
  synopsis: '-t <topic> -k <key> [-s <timestamp>] [-e <timestamp>] [-m <max>]',
  options: [
    TOPIC_OPTION,
    { name: 'key', short: 'k', value: 'key', doc: 'Message key (KEYS)' },
    BEGIN_OPTION,
    END_OPTION,
    {
      name: 'max-num',
      short: 'm',
      value: 'n',
      doc: `At most this many per broker (max and default ${QUERY_MAX_NUM})`,
    },
  ],
  example: 'keel admin queryMsgByKey -n 127.0.0.1:9876 -t OrderEvents -k order-42',
  prepare(options) {
    const query = {
      topic: options.required('topic', '-t'),
      key: options.required('key', '-k'),
      beginTimestampMs: options.timestamp('begin-timestamp', '-s'),
      endTimestampMs: options.timestamp('end-timestamp', '-e'),
      maxNum: options.integer('max-num', '-m', 1),
    };
    return async ({ client }) => {
      const messages = await client.queryMsgByKey(query);
      return {
        json: { messages: messages.map(messageJson) },
        text:
          messages.length === 0
            ? [`no message with key ${query.key} in ${query.topic}`]
            : messageTable(messages),
      };
    };
  },
};

export const queryMsgByOffset: AdminSubcommand = {
  name: 'queryMsgByOffset',
  summary: 'Show the message at an offset of one queue',
  synopsis: '-t <topic> -b <brokerName> -i <queueId> -o <offset>',
  options: [
    TOPIC_OPTION,
    { name: 'broker', short: 'b', value: 'brokerName', doc: 'Broker name' },
    { name: 'queue-id', short: 'i', value: 'queueId', doc: 'Queue id' },
    { name: 'offset', short: 'o', value: 'offset', doc: 'Consume-queue offset' },
  ],
  notes: ['Reads with group TOOLS_CONSUMER and commits no offset.'],
  example: 'keel admin queryMsgByOffset -n 127.0.0.1:9876 -t OrderEvents -b broker-a -i 0 -o 42',
  prepare(options) {
    const query = {
      topic: options.required('topic', '-t'),
      brokerName: options.required('broker', '-b'),
      queueId: options.requiredInteger('queue-id', '-i'),
      offset: options.requiredInteger('offset', '-o'),
    };
    return async ({ client }) => {
      const result = await client.queryMsgByOffset(query);
      const { message } = result;
      return {
        json: { ...result, message: message === undefined ? undefined : messageJson(message) },
        text:
          message === undefined
            ? [
                `no message at offset ${query.offset} of ${query.brokerName}/${query.queueId} ` +
                  `(${result.status}; the queue holds offsets ${result.minOffset} to ${result.maxOffset - 1})`,
              ]
            : messageDetails(message),
      };
    };
  },
};

export const sendMessage: AdminSubcommand = {
  name: 'sendMessage',
  summary: 'Send one message',
  synopsis: '-t <topic> -p <body> [-k <keys>] [--tags <tags>]',
  options: [
    TOPIC_OPTION,
    { name: 'body', short: 'p', value: 'body', doc: 'Message body (UTF-8)' },
    { name: 'keys', short: 'k', value: 'keys', doc: 'Keys, separated by spaces' },
    { name: 'tags', value: 'tag', doc: 'Tag' },
  ],
  example:
    'keel admin sendMessage -n 127.0.0.1:9876 -t OrderEvents -p \'{"id":42}\' -k order-42 --tags created',
  prepare(options) {
    const request = {
      topic: options.required('topic', '-t'),
      body: options.required('body', '-p'),
      keys: options.optional('keys'),
      tags: options.optional('tags'),
    };
    return async ({ client }) => {
      const result = await client.sendMessage(request);
      const queue = result.messageQueue;
      return {
        json: result,
        text: [
          `${result.status}: msgId ${result.msgId}, offsetMsgId ${result.offsetMsgId}, ` +
            `queue ${queue.brokerName}/${queue.queueId} offset ${result.queueOffset}`,
        ],
      };
    };
  },
};

const DEFAULT_CONSUME_COUNT = 32;

export const consumeMessage: AdminSubcommand = {
  name: 'consumeMessage',
  summary: 'Print messages of a topic, from the start, a time, a group offset or an offset',
  synopsis:
    '-t <topic> [-g <group> | -s <timestamp> | -o <offset>] [-e <timestamp>] [-c <count>] [-b <broker>] [-i <queueId>]',
  options: [
    TOPIC_OPTION,
    { name: 'group', short: 'g', value: 'group', doc: "Start at this group's committed offsets (not moved)" },
    BEGIN_OPTION,
    END_OPTION,
    { name: 'offset', short: 'o', value: 'offset', doc: 'Start every selected queue at this offset' },
    {
      name: 'count',
      short: 'c',
      value: 'n',
      doc: `How many messages at most (default ${DEFAULT_CONSUME_COUNT})`,
    },
    { name: 'broker', short: 'b', value: 'brokerName', doc: "Only this broker's queues" },
    { name: 'queue-id', short: 'i', value: 'queueId', doc: 'Only this queue id' },
  ],
  notes: ['Reads with group TOOLS_CONSUMER and commits no offset: no group moves.'],
  example: 'keel admin consumeMessage -n 127.0.0.1:9876 -t OrderEvents -s 20260101000000 -c 10',
  prepare(options) {
    const request = {
      topic: options.required('topic', '-t'),
      count: options.integer('count', '-c', 1) ?? DEFAULT_CONSUME_COUNT,
      group: options.optional('group'),
      beginTimestampMs: options.timestamp('begin-timestamp', '-s'),
      endTimestampMs: options.timestamp('end-timestamp', '-e'),
      offset: options.integer('offset', '-o'),
      brokerName: options.optional('broker'),
      queueId: options.integer('queue-id', '-i'),
    };
    const starts = [request.group, request.beginTimestampMs, request.offset].filter((v) => v !== undefined);
    if (starts.length > 1)
      throw new UsageError('give at most one start: -g <group>, -s <timestamp> or -o <offset>');
    return async ({ client, progress }) => {
      const messages = await client.consumeMessage(request, progress);
      return {
        json: { messages: messages.map(messageJson) },
        text: messages.length === 0 ? [`no message in ${request.topic} from there`] : messageTable(messages),
      };
    };
  },
};
