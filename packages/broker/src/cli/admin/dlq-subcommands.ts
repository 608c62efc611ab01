// keel admin dlq list | dlq resend: the dead letters of a consumer group (%DLQ%<group>).

import type { DeadLetter, DeadLetterSelector } from '../../client/admin/dead-letter-admin';
import { DEAD_LETTER_SCAN_LIMIT } from '../../client/admin/dead-letter-admin';
import { UsageError, type OptionDef } from '../args';
import { GROUP_OPTION, type AdminSubcommand, type OptionReader } from './admin-subcommand';
import { messageJson } from './message-view';
import { formatTable, formatTime } from './table';

const LIMIT_OPTION: OptionDef = {
  name: 'max',
  short: 'm',
  value: 'n',
  doc: `Read at most this many dead letters (default ${DEAD_LETTER_SCAN_LIMIT})`,
};

export const dlqList: AdminSubcommand = {
  name: 'dlq list',
  summary: 'Dead letters of a consumer group, oldest first',
  synopsis: '-g <group> [-m <max>]',
  options: [GROUP_OPTION, LIMIT_OPTION],
  example: 'keel admin dlq list -n 127.0.0.1:9876 -g payment-service',
  prepare(options) {
    const group = options.required('group', '-g');
    const limit = options.integer('max', '-m', 1);
    return async ({ client }) => {
      // No progress lines: the scan's total is the limit, not the DLQ's size, so "n/10000" misleads.
      const letters = await client.dlqList(group, limit);
      return {
        json: { group, deadLetters: letters.map(deadLetterJson) },
        text: letters.length === 0 ? [`group ${group} has no dead letters`] : deadLetterTable(letters),
      };
    };
  },
};

export const dlqResend: AdminSubcommand = {
  name: 'dlq resend',
  summary: "Resend dead letters to the group's retry topic (only that group sees them again)",
  synopsis: '-g <group> (--msgId <id> | --key <key> | --all) [-m <max>]',
  options: [
    GROUP_OPTION,
    {
      name: 'msgId',
      short: 'i',
      value: 'id',
      doc: "The producer's msgId, the dead letter's offset id or its ORIGIN_MESSAGE_ID",
    },
    { name: 'key', short: 'k', value: 'key', doc: 'Every dead letter with this key (KEYS)' },
    { name: 'all', value: '', flag: true, doc: 'Every dead letter of the group' },
    LIMIT_OPTION,
  ],
  notes: [
    'A resent message keeps its msgId, keys, tags and properties and starts again at reconsumeTimes 0.',
    'It stays in the DLQ as well: resending it again delivers it again.',
  ],
  example:
    'keel admin dlq resend -n 127.0.0.1:9876 -g payment-service --msgId 7F0000011F9018B4AAC27E0A6CB70000',
  prepare(options) {
    const group = options.required('group', '-g');
    const selector = selectorOf(options);
    const limit = options.integer('max', '-m', 1);
    return async ({ client, progress }) => {
      const resent = await client.dlqResend(group, selector, limit, progress);
      return {
        json: { group, resent },
        text: [
          `resent ${resent.length} dead letter(s) of ${group} to %RETRY%${group}`,
          ...resent.map((r) => `  ${r.msgId} (${r.originalTopic}) → ${r.resentOffsetMsgId}`),
        ],
      };
    };
  },
};

function selectorOf(options: OptionReader): DeadLetterSelector {
  const msgId = options.optional('msgId');
  const key = options.optional('key');
  const all = options.optional('all') === 'true';
  const given = [msgId, key, all ? 'all' : undefined].filter((value) => value !== undefined);
  if (given.length !== 1) {
    throw new UsageError('give exactly one of --msgId <id>, --key <key> or --all');
  }
  if (msgId !== undefined) return { msgId };
  if (key !== undefined) return { key };
  return { all: true };
}

function deadLetterJson(letter: DeadLetter) {
  return { originalTopic: letter.originalTopic, ...messageJson(letter.message) };
}

function deadLetterTable(letters: readonly DeadLetter[]): string[] {
  return formatTable(
    [
      { title: 'Message ID' },
      { title: 'Original topic' },
      { title: 'Reconsumed', align: 'right' },
      { title: 'Dead since' },
      { title: 'Tags' },
      { title: 'Keys' },
    ],
    letters.map(({ message, originalTopic }) => [
      message.msgId,
      originalTopic,
      message.reconsumeTimes,
      formatTime(message.storeTimestamp),
      message.tags ?? '-',
      message.keys.join(' ') || '-',
    ]),
  );
}
