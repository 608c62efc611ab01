// publish()'s options and their checks: every problem at once, each naming the option and the fix,
// thrown before anything is recorded (a bad publish must fail where it is written, not at commit).

import { closestMatch } from '@keel/broker';
import type { OutgoingMessage } from '../context/transaction-record';
import { TxError, TxErrorCodes } from '../errors';
import { describe, TOPIC_PATTERN } from '../metadata/handler-options';
import { isSystemPropertyName } from './keel-properties';

export interface PublishOptions {
  /** Business key (KEYS): searchable on the broker; `idempotencyKey: 'key'` dedupes by it. No spaces. */
  readonly key?: string;
  /** One tag (TAGS); handlers subscribe by tag expression. */
  readonly tag?: string;
  /** Delay level 1..n of the broker's messageDelayLevel, counted from the commit. */
  readonly delayLevel?: number;
  /** Deliver at this time (a Date or epoch ms); not together with delayLevel. */
  readonly deliverAt?: Date | number;
  /** Messages with one sharding key go to one queue, so an orderly handler sees them in order. */
  readonly shardingKey?: string;
  /** User properties, delivered as Delivered.headers. RocketMQ's property names are refused. */
  readonly headers?: Readonly<Record<string, string>>;
}

const OPTION_KEYS = [
  'key',
  'tag',
  'delayLevel',
  'deliverAt',
  'shardingKey',
  'headers',
] as const satisfies ReadonlyArray<keyof PublishOptions>;

// Property names and values travel as name\u0001value\u0002: those two characters cannot occur.
function hasPropertySeparator(text: string): boolean {
  return text.includes('\u0001') || text.includes('\u0002');
}

/** The message publish() records, or a TxError listing every problem. */
export function outgoingMessageOf(topic: unknown, body: Buffer, options: PublishOptions): OutgoingMessage {
  const problems: string[] = [];
  if (typeof topic !== 'string' || !TOPIC_PATTERN.test(topic) || topic.startsWith('%')) {
    problems.push(`topic ${describe(topic)} is not a topic name; use 1-127 characters of [|a-zA-Z0-9_-]`);
  }
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw invalid(topic, [`options must be an object, got ${describe(options)}`]);
  }
  for (const key of Object.keys(options)) {
    if ((OPTION_KEYS as readonly string[]).includes(key)) continue;
    const suggestion = closestMatch(key, OPTION_KEYS);
    problems.push(`unknown option ${key}${suggestion === undefined ? '' : `, did you mean ${suggestion}?`}`);
  }
  const { key, tag, delayLevel, deliverAt, shardingKey, headers } = options;
  if (key !== undefined && !isText(key, /\s/)) {
    problems.push(
      `key must be a non-empty string without spaces (KEYS are space-separated), got ${describe(key)}`,
    );
  }
  if (tag !== undefined && !isText(tag, /\|\||\s/)) {
    problems.push(`tag must be one non-empty tag without spaces or "||", got ${describe(tag)}`);
  }
  if (delayLevel !== undefined && (!Number.isSafeInteger(delayLevel) || delayLevel < 1)) {
    problems.push(
      `delayLevel must be a whole number from 1 (the broker's messageDelayLevel), got ${describe(delayLevel)}`,
    );
  }
  const deliverAtMs = deliverAt instanceof Date ? deliverAt.getTime() : deliverAt;
  if (deliverAtMs !== undefined && (!Number.isSafeInteger(deliverAtMs) || deliverAtMs < 0)) {
    problems.push(`deliverAt must be a valid Date or whole epoch ms, got ${describe(deliverAt)}`);
  }
  if (delayLevel !== undefined && deliverAt !== undefined) {
    problems.push('give delayLevel or deliverAt, not both (the broker refuses a message with both)');
  }
  if (shardingKey !== undefined && (typeof shardingKey !== 'string' || shardingKey === '')) {
    problems.push(`shardingKey must be a non-empty string, got ${describe(shardingKey)}`);
  }
  problems.push(...headerProblems(headers));
  if (problems.length > 0) throw invalid(topic, problems);
  return {
    topic: topic as string,
    body,
    ...(key === undefined ? {} : { key }),
    ...(tag === undefined ? {} : { tag }),
    ...(delayLevel === undefined ? {} : { delayLevel }),
    ...(deliverAtMs === undefined ? {} : { deliverAtMs }),
    ...(shardingKey === undefined ? {} : { shardingKey }),
    ...(headers === undefined ? {} : { headers: Object.freeze({ ...headers }) }),
  };
}

function headerProblems(headers: unknown): string[] {
  if (headers === undefined) return [];
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) {
    return [`headers must be an object of strings, got ${describe(headers)}`];
  }
  const problems: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (name === '' || hasPropertySeparator(name)) {
      problems.push(`header name ${JSON.stringify(name)} is empty or holds a control character`);
    } else if (isSystemPropertyName(name)) {
      problems.push(`header ${name} is a property RocketMQ or Keel sets; choose another name`);
    }
    if (typeof value !== 'string' || hasPropertySeparator(value)) {
      problems.push(`header ${name} must be a string without \\u0001 or \\u0002, got ${describe(value)}`);
    }
  }
  return problems;
}

function isText(value: unknown, forbidden: RegExp): value is string {
  return typeof value === 'string' && value !== '' && !forbidden.test(value) && !hasPropertySeparator(value);
}

function invalid(topic: unknown, problems: readonly string[]): TxError {
  return new TxError(
    TxErrorCodes.INVALID_ARGUMENT,
    `publish(${typeof topic === 'string' ? topic : '?'}): ${problems.join('; ')}`,
  );
}
