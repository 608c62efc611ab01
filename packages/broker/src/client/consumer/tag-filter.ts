// The client-side re-check of a TAG subscription (facts §8.6, §2.6). The broker filters by the
// tag's hash code, so two tags with the same hash both pass it; the consumer compares the strings.

/** A parsed TAG expression: `undefined` tags = every message ("*" or an empty expression). */
export interface TagFilter {
  readonly expression: string;
  readonly tags: ReadonlySet<string> | undefined;
}

export const SUBSCRIBE_ALL = '*';

/** Splits on "||" and trims, as FilterAPI.buildSubscriptionData. */
export function parseTagExpression(expression: string): TagFilter {
  const trimmed = expression.trim();
  if (trimmed === '' || trimmed === SUBSCRIBE_ALL) return { expression, tags: undefined };
  const tags = trimmed
    .split('||')
    .map((tag) => tag.trim())
    .filter((tag) => tag !== '');
  return { expression, tags: tags.length === 0 ? undefined : new Set(tags) };
}

export function tagMatches(filter: TagFilter, tags: string | undefined): boolean {
  if (filter.tags === undefined) return true;
  return tags !== undefined && filter.tags.has(tags);
}
