// keel admin tx list | tx commit | tx rollback: the open transactions (half messages) of the
// cluster's brokers, and an operator's decision for one of them.

import {
  DEFAULT_TX_LIST_MAX,
  MAX_LISTED_HALF_MESSAGES,
  type OpenTransaction,
  type ResolvedTransaction,
} from '../../client/admin/transaction-admin';
import { UsageError, type OptionDef } from '../args';
import { BROKER_OPTION, CLUSTER_OPTION, type AdminSubcommand, type AdminStep } from './admin-subcommand';
import { formatTable, formatTime } from './table';

const MSG_ID_OPTION: OptionDef = {
  name: 'msgId',
  short: 'i',
  value: 'msgId',
  doc: "The producer's msgId (UNIQ_KEY, also the transactionId)",
};

export const txList: AdminSubcommand = {
  name: 'tx list',
  summary: 'Open transactions: half messages waiting for END_TRANSACTION or parked after the last check',
  synopsis: '[-c <cluster> | -b <broker>] [-i <msgId>] [-m <max>]',
  options: [
    CLUSTER_OPTION,
    BROKER_OPTION,
    MSG_ID_OPTION,
    {
      name: 'max',
      short: 'm',
      value: 'n',
      doc: `At most this many per broker (default ${DEFAULT_TX_LIST_MAX}, up to ${MAX_LISTED_HALF_MESSAGES})`,
    },
  ],
  notes: [
    'PREPARED: the broker still checks it with its producer group. PARKED: checked transactionCheckMax',
    "times without an answer; it waits for 'keel admin tx commit' or 'tx rollback'.",
  ],
  example: 'keel admin tx list -n 127.0.0.1:9876 -c DefaultCluster',
  prepare(options) {
    const query = {
      cluster: options.optional('cluster'),
      broker: options.optional('broker'),
      msgId: options.optional('msgId'),
      maxCount: options.integer('max', '-m', 1),
    };
    if (query.maxCount !== undefined && query.maxCount > MAX_LISTED_HALF_MESSAGES) {
      throw new UsageError(`-m must be at most ${MAX_LISTED_HALF_MESSAGES}, got ${query.maxCount}`);
    }
    if (query.cluster !== undefined && query.broker !== undefined) {
      throw new UsageError('give at most one of -c <cluster> and -b <broker>');
    }
    return async ({ client }) => {
      const { transactions, truncated } = await client.txList(query);
      return {
        json: { transactions, truncated },
        text: [
          ...(transactions.length === 0 ? ['no open transactions'] : transactionTable(transactions)),
          ...truncated.map(
            (t) =>
              `(${t.brokerName}: ${t.total} match, the first ${query.maxCount ?? DEFAULT_TX_LIST_MAX} listed; raise -m)`,
          ),
        ],
      };
    };
  },
};

export const txCommit: AdminSubcommand = resolveSubcommand('commit');
export const txRollback: AdminSubcommand = resolveSubcommand('rollback');

function resolveSubcommand(resolution: 'commit' | 'rollback'): AdminSubcommand {
  return {
    name: `tx ${resolution}`,
    summary:
      resolution === 'commit'
        ? "Commit an open transaction: its message is delivered to its topic (the operator's decision)"
        : 'Roll back an open transaction: its message is never delivered',
    synopsis: '-i <msgId> [-b <broker>]',
    options: [MSG_ID_OPTION, { ...BROKER_OPTION, doc: 'Only on this broker (name or host:port)' }],
    notes: [
      'Sends END_TRANSACTION as the producer would answer a check. A transaction already resolved is',
      'left alone: a message is never delivered twice, nor after a rollback.',
      ...(resolution === 'commit'
        ? [
            'Several open half messages with one msgId (a producer retried its half send): the oldest is',
            'committed and the others rolled back, so the message is delivered once.',
          ]
        : ['Several open half messages with one msgId are all rolled back.']),
    ],
    example: `keel admin tx ${resolution} -n 127.0.0.1:9876 -i 7F0000011F9018B4AAC27E0A6CB70000`,
    prepare(options) {
      const msgId = options.required('msgId', '-i');
      const broker = options.optional('broker');
      const step: AdminStep = async ({ client }) => {
        const resolved =
          resolution === 'commit'
            ? await client.txCommit(msgId, broker)
            : await client.txRollback(msgId, broker);
        return {
          json: { resolution, resolved },
          text: resolved.map(describeResolved),
        };
      };
      return step;
    },
  };
}

function describeResolved(t: ResolvedTransaction): string {
  const done = t.resolution === 'commit' ? 'committed' : 'rolled back';
  const what = `${done} ${t.msgId} (topic ${t.topic}, group ${t.producerGroup}, broker ${t.brokerName}, commit-log offset ${t.commitLogOffset}, was ${t.state})`;
  if (t.duplicateOf === undefined) return what;
  return `${what}: a duplicate of the half message committed at ${t.duplicateOf.brokerName} commit-log offset ${t.duplicateOf.commitLogOffset} (a retried half send)`;
}

function transactionTable(transactions: readonly OpenTransaction[]): string[] {
  return formatTable(
    [
      { title: 'Broker' },
      { title: 'Message ID' },
      { title: 'Topic' },
      { title: 'Producer group' },
      { title: 'Age', align: 'right' },
      { title: 'Checks', align: 'right' },
      { title: 'Last check' },
      { title: 'State' },
    ],
    transactions.map((t) => [
      t.brokerName,
      t.msgId || t.offsetMsgId,
      t.topic,
      t.producerGroup || '-',
      formatAge(t.ageMs),
      t.checkTimes,
      formatTime(t.lastCheckTimestamp),
      t.state,
    ]),
  );
}

/** `3d 4h`, `2h 5m`, `7m 12s`, `42s`: the two largest units, enough to judge an age by eye. */
export function formatAge(ms: number): string {
  const seconds = Math.floor(Math.max(0, ms) / 1000);
  const units: Array<[string, number]> = [
    ['d', Math.floor(seconds / 86_400)],
    ['h', Math.floor(seconds / 3600) % 24],
    ['m', Math.floor(seconds / 60) % 60],
    ['s', seconds % 60],
  ];
  const first = units.findIndex(([, value]) => value > 0);
  if (first < 0) return '0s';
  return units
    .slice(first, first + 2)
    .filter(([, value], i) => i === 0 || value > 0)
    .map(([unit, value]) => `${value}${unit}`)
    .join(' ');
}
