import fc from 'fast-check';
import { closestMatch, editDistance, suggestionThreshold } from '../../src/common/config/did-you-mean';

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['abc', '', 3],
    ['', 'abc', 3],
    ['brokerld', 'brokerId', 1],
    ['borkerId', 'brokerId', 1], // a swap is one edit
    ['kitten', 'sitting', 3],
    ['ca', 'abc', 3], // optimal string alignment: the swapped pair is not edited again
  ])('%j to %j is %d', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
  });

  it('is zero only for equal strings, symmetric, and bounded by the lengths', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), (a, b) => {
        const d = editDistance(a, b);
        expect(d === 0).toBe(a === b);
        expect(editDistance(b, a)).toBe(d);
        expect(d).toBeGreaterThanOrEqual(Math.abs(a.length - b.length));
        expect(d).toBeLessThanOrEqual(Math.max(a.length, b.length));
      }),
    );
  });

  it('counts one edit for any single insertion, deletion, substitution or adjacent swap', () => {
    const edit = fc.tuple(fc.string({ minLength: 2, maxLength: 10 }), fc.nat(), fc.constantFrom(0, 1, 2, 3));
    fc.assert(
      fc.property(edit, ([s, at, op]) => {
        const i = at % (s.length - 1);
        const edited = [
          s.slice(0, i) + '\u0000' + s.slice(i),
          s.slice(0, i) + s.slice(i + 1),
          s.slice(0, i) + '\u0000' + s.slice(i + 1),
          s.slice(0, i) + s.charAt(i + 1) + s.charAt(i) + s.slice(i + 2),
        ][op] as string;
        expect(editDistance(s, edited)).toBeLessThanOrEqual(1);
      }),
    );
  });
});

describe('closestMatch', () => {
  const keys = ['brokerId', 'brokerName', 'brokerRole', 'listenPort', 'namesrvAddr'];

  it('suggests the nearest close candidate, ignoring case', () => {
    expect(closestMatch('brokerld', keys)).toBe('brokerId');
    expect(closestMatch('BROKERNAME', keys)).toBe('brokerName');
    expect(closestMatch('namesrvAdr', keys)).toBe('namesrvAddr');
  });

  it('suggests nothing for words far from every candidate', () => {
    expect(closestMatch('zookeeperQuorum', keys)).toBeUndefined();
    expect(closestMatch('anything', [])).toBeUndefined();
  });

  it('prefers the earlier candidate on a tie', () => {
    expect(closestMatch('cat', ['bat', 'hat'])).toBe('bat');
    expect(closestMatch('cat', ['hat', 'bat'])).toBe('hat');
  });

  it('allows 2 edits for short words and a third of the length for long ones', () => {
    expect(suggestionThreshold(4)).toBe(2);
    expect(suggestionThreshold(15)).toBe(5);
    expect(closestMatch('flushInterXXXXX', ['flushIntervalMs'])).toBe('flushIntervalMs'); // 5 edits
    expect(closestMatch('flushInteXXXXXX', ['flushIntervalMs'])).toBeUndefined(); // 6 edits
    expect(closestMatch('ab', ['cd'])).toBeUndefined(); // 2 edits, but nothing of 'ab' is left
  });
});
