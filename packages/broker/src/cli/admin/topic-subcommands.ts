// keel admin updateTopic | deleteTopic | topicList | topicRoute | topicStatus

import { TOPIC_DEFAULTS } from '../../client/admin/topic-admin';
import { permToString } from '../../protocol/perm-name';
import { UsageError } from '../args';
import { BROKER_OPTION, CLUSTER_OPTION, TOPIC_OPTION, type AdminSubcommand } from './admin-subcommand';
import { formatTable, formatTime } from './table';

export const updateTopic: AdminSubcommand = {
  name: 'updateTopic',
  summary: 'Create or update a topic on every master of a cluster, or on one broker',
  synopsis: '-t <topic> (-c <cluster> | -b <broker>) [-r <n>] [-w <n>] [-p <perm>] [-o true|false]',
  options: [
    TOPIC_OPTION,
    CLUSTER_OPTION,
    BROKER_OPTION,
    {
      name: 'read-queue-nums',
      short: 'r',
      value: 'n',
      doc: `Read queues per broker (default ${TOPIC_DEFAULTS.readQueueNums})`,
    },
    {
      name: 'write-queue-nums',
      short: 'w',
      value: 'n',
      doc: `Write queues per broker (default ${TOPIC_DEFAULTS.writeQueueNums})`,
    },
    { name: 'perm', short: 'p', value: 'perm', doc: 'Permission bits: 2 write, 4 read, 6 both (default 6)' },
    { name: 'order', short: 'o', value: 'true|false', doc: 'Ordered topic (default false)' },
  ],
  example: 'keel admin updateTopic -n 127.0.0.1:9876 -c DefaultCluster -t OrderEvents -r 4 -w 4',
  prepare(options) {
    const topic = options.required('topic', '-t');
    const cluster = options.optional('cluster');
    const broker = options.optional('broker');
    if ((cluster === undefined) === (broker === undefined))
      throw new UsageError('give exactly one of -c <cluster> (every master) and -b <broker>');
    const settings = {
      topic,
      cluster,
      broker,
      readQueueNums: options.integer('read-queue-nums', '-r', 1),
      writeQueueNums: options.integer('write-queue-nums', '-w', 1),
      perm: options.integer('perm', '-p', 0),
      order: options.boolean('order', '-o'),
    };
    return async ({ client }) => {
      const brokers = await client.createOrUpdateTopic(settings);
      return {
        json: { topic, brokers },
        text: brokers.map((b) => `create topic ${topic} to ${b.brokerName} (${b.address}) success`),
      };
    };
  },
};

export const deleteTopic: AdminSubcommand = {
  name: 'deleteTopic',
  summary: "Delete a topic from a cluster's masters and from every name server",
  synopsis: '-t <topic> [-c <cluster>]',
  options: [TOPIC_OPTION, { ...CLUSTER_OPTION, doc: 'Cluster name (default: every cluster)' }],
  notes: ['Consumer offsets on the topic are dropped; stored messages stay until retention removes them.'],
  example: 'keel admin deleteTopic -n 127.0.0.1:9876 -c DefaultCluster -t OrderEvents',
  prepare(options) {
    const topic = options.required('topic', '-t');
    const cluster = options.optional('cluster');
    return async ({ client }) => {
      const deletion = await client.deleteTopic(topic, cluster);
      return {
        json: { topic, ...deletion },
        text: [
          ...deletion.brokers.map((b) => `delete topic ${topic} from ${b.brokerName} (${b.address}) success`),
          ...deletion.nameServers.map(
            (address) => `delete topic ${topic} from name server ${address} success`,
          ),
        ],
      };
    };
  },
};

export const topicList: AdminSubcommand = {
  name: 'topicList',
  summary: 'List every topic the name servers route',
  synopsis: '',
  options: [],
  example: 'keel admin topicList -n 127.0.0.1:9876',
  prepare() {
    return async ({ client }) => {
      const topics = await client.topicList();
      return { json: { topics }, text: topics };
    };
  },
};

export const topicRoute: AdminSubcommand = {
  name: 'topicRoute',
  summary: "A topic's brokers and queues, as the name servers route it",
  synopsis: '-t <topic>',
  options: [TOPIC_OPTION],
  example: 'keel admin topicRoute -n 127.0.0.1:9876 -t OrderEvents',
  prepare(options) {
    const topic = options.required('topic', '-t');
    return async ({ client }) => {
      const route = await client.topicRoute(topic);
      const brokers = route.brokerDatas.map((b) => ({
        cluster: b.cluster,
        brokerName: b.brokerName,
        brokerAddrs: Object.fromEntries(b.brokerAddrs),
      }));
      return {
        json: { topic, brokerDatas: brokers, queueDatas: route.queueDatas },
        text: [
          ...formatTable(
            [
              { title: 'Cluster' },
              { title: 'Broker' },
              { title: 'Id', align: 'right' },
              { title: 'Address' },
            ],
            route.brokerDatas.flatMap((b) =>
              [...b.brokerAddrs].map(([id, address]) => [b.cluster, b.brokerName, id, address]),
            ),
          ),
          '',
          ...formatTable(
            [
              { title: 'Broker' },
              { title: 'Read Queues', align: 'right' },
              { title: 'Write Queues', align: 'right' },
              { title: 'Perm' },
            ],
            route.queueDatas.map((q) => [
              q.brokerName,
              q.readQueueNums,
              q.writeQueueNums,
              permToString(q.perm),
            ]),
          ),
        ],
      };
    };
  },
};

export const topicStatus: AdminSubcommand = {
  name: 'topicStatus',
  summary: 'Min and max offset and last update time of every queue of a topic',
  synopsis: '-t <topic>',
  options: [TOPIC_OPTION],
  example: 'keel admin topicStatus -n 127.0.0.1:9876 -t OrderEvents',
  prepare(options) {
    const topic = options.required('topic', '-t');
    return async ({ client }) => {
      const queues = await client.topicStatus(topic);
      return {
        json: { topic, queues },
        text: formatTable(
          [
            { title: 'Broker' },
            { title: 'QID', align: 'right' },
            { title: 'Min Offset', align: 'right' },
            { title: 'Max Offset', align: 'right' },
            { title: 'Last Updated' },
          ],
          queues.map((q) => [
            q.brokerName,
            q.queueId,
            q.minOffset,
            q.maxOffset,
            formatTime(q.lastUpdateTimestamp),
          ]),
        ),
      };
    };
  },
};
