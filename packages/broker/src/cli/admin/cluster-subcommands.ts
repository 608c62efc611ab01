// keel admin clusterList | brokerStatus

import { BROKER_OPTION, type AdminSubcommand } from './admin-subcommand';
import { replicationView } from './replication-view';
import { formatFields, formatTable } from './table';

export const clusterList: AdminSubcommand = {
  name: 'clusterList',
  summary: 'Every broker of every cluster: version, role, replication lag and totals since start',
  synopsis: '',
  options: [],
  notes: [
    "Keel's brokers report totals since start where RocketMQ shows TPS figures.",
    "Lag: on a master, bytes its best slave has not acknowledged; on a slave, bytes behind its master's log end.",
  ],
  example: 'keel admin clusterList -n 127.0.0.1:9876',
  prepare() {
    return async ({ client }) => {
      const members = await client.clusterList();
      const figure = (runtime: ReadonlyMap<string, string>, key: string) => runtime.get(key) ?? '-';
      return {
        json: {
          brokers: members.map((m) => ({
            ...m,
            ...replicationView(m, members),
            runtime: Object.fromEntries(m.runtime),
          })),
        },
        text: formatTable(
          [
            { title: 'Cluster' },
            { title: 'Broker' },
            { title: 'BID', align: 'right' },
            { title: 'Address' },
            { title: 'Version' },
            { title: 'Role' },
            { title: 'Lag', align: 'right' },
            { title: 'Put Total', align: 'right' },
            { title: 'Get Total', align: 'right' },
            { title: 'Runtime' },
          ],
          members.map((m) => [
            m.cluster,
            m.brokerName,
            m.brokerId,
            m.address,
            figure(m.runtime, 'brokerVersionDesc'),
            replicationView(m, members).role,
            replicationView(m, members).lag,
            figure(m.runtime, 'msgPutTotalTodayNow'),
            figure(m.runtime, 'msgGetTotalTodayNow'),
            m.error === undefined ? figure(m.runtime, 'runtime') : `unreachable: ${m.error}`,
          ]),
        ),
      };
    };
  },
};

export const brokerStatus: AdminSubcommand = {
  name: 'brokerStatus',
  summary: "A broker's runtime figures (GET_BROKER_RUNTIME_INFO)",
  synopsis: '-b <broker>',
  options: [BROKER_OPTION],
  example: 'keel admin brokerStatus -n 127.0.0.1:9876 -b broker-a',
  prepare(options) {
    const broker = options.required('broker', '-b');
    return async ({ client }) => {
      const status = await client.brokerStatus(broker);
      return {
        json: {
          brokerName: status.brokerName,
          address: status.address,
          runtime: Object.fromEntries(status.runtime),
        },
        text: formatFields([...status.runtime]),
      };
    };
  },
};
