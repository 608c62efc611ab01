// Which messages a pull wants, from a TAG subscription expression: `*` (or empty) means every
// message, otherwise tags separated by `||`, matched by their Java String.hashCode as the consume
// queue stores them (collisions are possible; the client re-checks the tag itself, as RocketMQ's).

import { KeelError } from '../../common/errors';
import { javaStringHashCode } from '../../protocol/message/java-string-hash';

export interface TagFilter {
  /** Undefined: every message. */
  readonly codes: ReadonlySet<number> | undefined;
}

export const ACCEPT_ALL: TagFilter = { codes: undefined };

export class SubscriptionParseError extends KeelError {
  constructor(message: string) {
    super('SUBSCRIPTION_PARSE_FAILED', message);
  }
}

/** Parses a TAG expression; throws SubscriptionParseError for an expression with no tag at all. */
export function parseTagExpression(expression: string): TagFilter {
  const trimmed = expression.trim();
  if (trimmed === '' || trimmed === '*') return ACCEPT_ALL;
  const tags = trimmed
    .split('||')
    .map((tag) => tag.trim())
    .filter((tag) => tag.length > 0);
  if (tags.length === 0)
    throw new SubscriptionParseError(`subscription expression '${expression}' names no tag`);
  return { codes: new Set(tags.map(javaStringHashCode)) };
}

/** From the code set a heartbeat carried (already hashed by the client). */
export function tagFilterOfCodes(subString: string, codeSet: readonly number[]): TagFilter {
  const trimmed = subString.trim();
  if (trimmed === '' || trimmed === '*') return ACCEPT_ALL;
  return { codes: new Set(codeSet) };
}

export function acceptsTag(filter: TagFilter, tagsCode: number | undefined): boolean {
  return filter.codes === undefined || tagsCode === undefined || filter.codes.has(tagsCode);
}
