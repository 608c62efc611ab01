// The options of Keel's decorators and their checks. Each check returns problems as text (what is
// wrong, and the fix) so the validator can list all of them at once; none throws.

import { closestMatch } from '@keel/broker';
import { ISOLATION_LEVELS, type IsolationLevel } from '../context/transaction-options';

export interface TransactionalOptions {
  /** Isolation level when this call starts the transaction (a joining call must not differ). */
  readonly isolation?: IsolationLevel;
}

/**
 * How a handler's inbox key is taken from a message: its message id (UNIQ_KEY, the same on every
 * redelivery), its first business key (KEYS, the `key` given to publish()), or a function of the
 * Delivered message.
 */
export type IdempotencyKeySource = 'messageId' | 'key' | ((message: never) => string);

export interface OnMessageOptions {
  readonly topic: string;
  /** The consumer group; each group handles every message once. */
  readonly group: string;
  /** Tag expression as in RocketMQ (`TagA || TagB`); default `*` (all). */
  readonly tag?: string;
  /** Per-queue ordered delivery (RocketMQ's orderly listener). Default false. */
  readonly orderly?: boolean;
  /** Redeliveries after a failure before the message goes to the dead-letter queue. Default 16. */
  readonly maxRetries?: number;
  /** Default 'messageId'. */
  readonly idempotencyKey?: IdempotencyKeySource;
  /**
   * Errors for which retrying cannot help: the message goes to the dead-letter queue at once.
   * NonRetriableError always does; this adds others (e.g. a validation error of your own).
   */
  readonly nonRetriable?: (error: unknown) => boolean;
}

export interface OnDeadLetterOptions {
  /** The consumer group whose dead letters this method receives. */
  readonly group: string;
  /** Only dead letters that came from this topic; default all topics of the group. */
  readonly topic?: string;
}

export const HANDLER_DEFAULTS = {
  tag: '*',
  orderly: false,
  // RocketMQ's default (retryMaxTimes / maxReconsumeTimes).
  maxRetries: 16,
  idempotencyKey: 'messageId',
} as const;

// RocketMQ has 18 delay levels and retries start at level 3, so 16 retries are the whole schedule
// (10 s up to 2 h apart); more would all wait 2 h, and unbounded retries are a known trap (#6163).
export const MAX_RETRIES_LIMIT = 16;

// RocketMQ's names: topics up to 127 characters (the record stores the length in a signed byte),
// groups up to 255, both of these characters.
export const TOPIC_PATTERN = /^[%|a-zA-Z0-9_-]{1,127}$/;
export const GROUP_PATTERN = /^[%|a-zA-Z0-9_-]{1,255}$/;

const TRANSACTIONAL_KEYS = ['isolation'] as const satisfies ReadonlyArray<keyof TransactionalOptions>;
const ON_MESSAGE_KEYS = [
  'topic',
  'group',
  'tag',
  'orderly',
  'maxRetries',
  'idempotencyKey',
  'nonRetriable',
] as const satisfies ReadonlyArray<keyof OnMessageOptions>;
const ON_DEAD_LETTER_KEYS = ['group', 'topic'] as const satisfies ReadonlyArray<keyof OnDeadLetterOptions>;

export function transactionalOptionProblems(options: unknown): string[] {
  if (!isRecord(options)) return [`options must be an object, got ${describe(options)}`];
  const problems = unknownKeyProblems(options, TRANSACTIONAL_KEYS);
  const isolation = options['isolation'];
  if (isolation !== undefined && !ISOLATION_LEVELS.includes(isolation as IsolationLevel)) {
    const suggestion = closestMatch(String(isolation).toUpperCase(), ISOLATION_LEVELS);
    problems.push(
      `isolation ${describe(isolation)} is not one of ${ISOLATION_LEVELS.join(', ')}` +
        (suggestion === undefined ? '' : `; did you mean ${suggestion}?`),
    );
  }
  return problems;
}

export function onMessageOptionProblems(options: unknown): string[] {
  if (!isRecord(options)) return [`needs options { topic, group }, got ${describe(options)}`];
  const problems = unknownKeyProblems(options, ON_MESSAGE_KEYS);
  problems.push(...topicProblems(options['topic'], true), ...groupProblems(options['group']));
  const { tag, orderly, maxRetries, idempotencyKey, nonRetriable } = options;
  if (tag !== undefined && (typeof tag !== 'string' || tag.trim() === '')) {
    problems.push(`tag must be a tag expression such as "*" or "TagA || TagB", got ${describe(tag)}`);
  }
  if (orderly !== undefined && typeof orderly !== 'boolean') {
    problems.push(`orderly must be true or false, got ${describe(orderly)}`);
  }
  if (
    maxRetries !== undefined &&
    (typeof maxRetries !== 'number' ||
      !Number.isInteger(maxRetries) ||
      maxRetries < 0 ||
      maxRetries > MAX_RETRIES_LIMIT)
  ) {
    problems.push(
      `maxRetries must be a whole number from 0 to ${MAX_RETRIES_LIMIT} (RocketMQ's retry schedule), ` +
        `got ${describe(maxRetries)}`,
    );
  }
  if (
    idempotencyKey !== undefined &&
    idempotencyKey !== 'messageId' &&
    idempotencyKey !== 'key' &&
    typeof idempotencyKey !== 'function'
  ) {
    problems.push(
      `idempotencyKey must be 'messageId', 'key' or a function (message) => string, got ${describe(idempotencyKey)}`,
    );
  }
  if (nonRetriable !== undefined && typeof nonRetriable !== 'function') {
    problems.push(`nonRetriable must be a function (error) => boolean, got ${describe(nonRetriable)}`);
  }
  return problems;
}

export function onDeadLetterOptionProblems(options: unknown): string[] {
  if (!isRecord(options)) return [`needs options { group }, got ${describe(options)}`];
  const problems = unknownKeyProblems(options, ON_DEAD_LETTER_KEYS);
  problems.push(...groupProblems(options['group']));
  if (options['topic'] !== undefined) problems.push(...topicProblems(options['topic'], false));
  return problems;
}

function topicProblems(topic: unknown, forHandler: boolean): string[] {
  if (topic === undefined) return ['topic is missing; add topic: "<topic name>"'];
  if (typeof topic !== 'string' || !TOPIC_PATTERN.test(topic)) {
    return [`topic ${describe(topic)} is not a topic name; use 1-127 characters of [%|a-zA-Z0-9_-]`];
  }
  if (forHandler && topic.startsWith('%DLQ%')) {
    return [`topic ${topic} is a dead-letter queue; receive dead letters with @OnDeadLetter({ group })`];
  }
  if (forHandler && topic.startsWith('%RETRY%')) {
    return [`topic ${topic} is a retry topic; retries reach the handler of the original topic by themselves`];
  }
  return [];
}

function groupProblems(group: unknown): string[] {
  if (group === undefined) return ['group is missing; add group: "<consumer group>"'];
  if (typeof group !== 'string' || !GROUP_PATTERN.test(group)) {
    return [`group ${describe(group)} is not a group name; use 1-255 characters of [%|a-zA-Z0-9_-]`];
  }
  return [];
}

function unknownKeyProblems(options: Readonly<Record<string, unknown>>, known: readonly string[]): string[] {
  return Object.keys(options)
    .filter((key) => !known.includes(key))
    .map((key) => {
      const suggestion = closestMatch(key, known);
      return `unknown option ${key}${suggestion === undefined ? '' : `, did you mean ${suggestion}?`}`;
    });
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  return String(value);
}
