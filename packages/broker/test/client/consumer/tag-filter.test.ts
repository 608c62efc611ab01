import { parseTagExpression, tagMatches } from '../../../src/client/consumer';

describe('tag filter', () => {
  it('"*" and empty expressions accept everything, even untagged messages', () => {
    for (const expression of ['*', ' ', '']) {
      expect(tagMatches(parseTagExpression(expression), undefined)).toBe(true);
      expect(tagMatches(parseTagExpression(expression), 'A')).toBe(true);
    }
  });

  it('accepts only the listed tags, trimmed, split on ||', () => {
    const filter = parseTagExpression(' TagA || TagB ');
    expect([...(filter.tags ?? [])]).toEqual(['TagA', 'TagB']);
    expect(tagMatches(filter, 'TagA')).toBe(true);
    expect(tagMatches(filter, 'TagC')).toBe(false);
    expect(tagMatches(filter, undefined)).toBe(false);
  });
});
