import {
  acceptsTag,
  parseTagExpression,
  SubscriptionParseError,
  tagFilterOfCodes,
} from '../../../src/server/pull/tag-filter';

describe('tag filters', () => {
  it('accepts everything for * and the empty expression', () => {
    expect(parseTagExpression('*').codes).toBeUndefined();
    expect(parseTagExpression(' ').codes).toBeUndefined();
    expect(acceptsTag(parseTagExpression('*'), 123)).toBe(true);
  });

  it('matches tags by Java String.hashCode, as the consume queue stores them', () => {
    const filter = parseTagExpression('TagA || TagB');
    expect(filter.codes).toEqual(new Set([2598919, 2598920]));
    expect(acceptsTag(filter, 2598919)).toBe(true);
    expect(acceptsTag(filter, 1)).toBe(false);
  });

  it('refuses an expression that names no tag', () => {
    expect(() => parseTagExpression('||')).toThrow(SubscriptionParseError);
  });

  it('uses the code set of a heartbeat subscription', () => {
    expect(tagFilterOfCodes('*', [1]).codes).toBeUndefined();
    expect(acceptsTag(tagFilterOfCodes('a', [97]), 97)).toBe(true);
    expect(acceptsTag(tagFilterOfCodes('a', [97]), 98)).toBe(false);
  });
});
