// keel admin consumerProgress | consumerConnection | resetOffsetByTime

import { UsageError } from '../args';
import { GROUP_OPTION, TOPIC_OPTION, type AdminSubcommand } from './admin-subcommand';
import { formatTable, formatTime } from './table';

export const consumerProgress: AdminSubcommand = {
  name: 'consumerProgress',
  summary: "A group's offsets and lag per queue, and its total lag",
  synopsis: '-g <group> [-t <topic>]',
  options: [GROUP_OPTION, { ...TOPIC_OPTION, doc: 'Only this topic (default: every topic of the group)' }],
  example: 'keel admin consumerProgress -n 127.0.0.1:9876 -g order-service',
  prepare(options) {
    const group = options.required('group', '-g');
    const topic = options.optional('topic');
    return async ({ client }) => {
      const progress = await client.consumerProgress(group, topic);
      return {
        json: progress,
        text: [
          ...formatTable(
            [
              { title: 'Topic' },
              { title: 'Broker' },
              { title: 'QID', align: 'right' },
              { title: 'Broker Offset', align: 'right' },
              { title: 'Consumer Offset', align: 'right' },
              { title: 'Diff', align: 'right' },
              { title: 'Last Consumed' },
            ],
            progress.queues.map((q) => [
              q.topic,
              q.brokerName,
              q.queueId,
              q.brokerOffset,
              q.consumerOffset,
              q.lag,
              formatTime(q.lastTimestamp),
            ]),
          ),
          '',
          `Consume TPS: ${progress.consumeTps}`,
          `Diff Total: ${progress.totalLag}`,
        ],
      };
    };
  },
};

export const consumerConnection: AdminSubcommand = {
  name: 'consumerConnection',
  summary: 'Client ids of the online members of a consumer group',
  synopsis: '-g <group>',
  options: [GROUP_OPTION],
  notes: [
    "Keel's broker does not serve GET_CONSUMER_CONNECTION_LIST (addresses, versions, subscriptions);",
    'this lists the client ids it does serve (GET_CONSUMER_LIST_BY_GROUP).',
  ],
  example: 'keel admin consumerConnection -n 127.0.0.1:9876 -g order-service',
  prepare(options) {
    const group = options.required('group', '-g');
    return async ({ client }) => {
      const connection = await client.consumerConnection(group);
      const note = 'client ids only: GET_CONSUMER_CONNECTION_LIST is not implemented by Keel brokers';
      return {
        json: { ...connection, note },
        text:
          connection.clientIds.length === 0
            ? [`no online consumer in group ${group}`]
            : [
                ...formatTable(
                  [{ title: 'Client Id' }],
                  connection.clientIds.map((id) => [id]),
                ),
                '',
                `(${note})`,
              ],
      };
    };
  },
};

export const resetOffsetByTime: AdminSubcommand = {
  name: 'resetOffsetByTime',
  summary: "Move a group's committed offsets on a topic to a point in time",
  synopsis: '-g <group> -t <topic> -s <timestamp>',
  options: [
    GROUP_OPTION,
    TOPIC_OPTION,
    {
      name: 'timestamp',
      short: 's',
      value: 'timestamp',
      doc: "epoch ms, yyyyMMddHHmmss (local) or ISO 8601; 'now' for the end of every queue",
    },
  ],
  notes: [
    'Stop the consumers of the group first: running consumers commit their in-memory offsets over',
    "the reset. (RocketMQ tells them through INVOKE_BROKER_TO_RESET_OFFSET, which Keel's broker does",
    'not implement.)',
  ],
  example: 'keel admin resetOffsetByTime -n 127.0.0.1:9876 -g order-service -t OrderEvents -s 20260101000000',
  prepare(options) {
    const group = options.required('group', '-g');
    const topic = options.required('topic', '-t');
    const text = options.required('timestamp', '-s');
    const timestampMs = text === 'now' ? undefined : options.timestamp('timestamp', '-s');
    if (text !== 'now' && timestampMs === undefined) throw new UsageError('-s <timestamp> is required');
    return async ({ client, progress }) => {
      // 'now' searches past the newest store time: every queue's max offset.
      const resets = await client.resetOffsetByTime(
        { group, topic, timestampMs: timestampMs ?? Number.MAX_SAFE_INTEGER },
        progress,
      );
      return {
        json: { group, topic, timestampMs: timestampMs ?? 'now', queues: resets },
        text: [
          ...formatTable(
            [{ title: 'Broker' }, { title: 'QID', align: 'right' }, { title: 'Old → New', align: 'right' }],
            resets.map((r) => [r.brokerName, r.queueId, `${r.oldOffset ?? '-'} → ${r.newOffset}`]),
          ),
          '',
          `Stop the consumers of ${group} before they commit their old offsets over this reset.`,
        ],
      };
    };
  },
};
