import fc from 'fast-check';
import { indexKeyHash, javaStringHashCode, tagsCode } from '../../../src/protocol/message';

// An independent reference: the defining sum s[0]·31^(n−1) + … + s[n−1], in BigInt, wrapped to an int.
function referenceHash(s: string): number {
  let h = 0n;
  for (let i = 0; i < s.length; i++) h = h * 31n + BigInt(s.charCodeAt(i));
  return Number(BigInt.asIntN(32, h));
}

describe('javaStringHashCode', () => {
  it.each([
    ['', 0],
    ['TagA', 2_598_919], // fact sheet §11.6
    ['hello', 99_162_322],
    ['Hello World', -862_545_276],
    ['polygenelubricants', -2_147_483_648], // the classic Integer.MIN_VALUE string
    ['é', 233],
    ['中文', 646_394],
    ['😀', 1_772_899], // surrogate pair: two code units, 0xD83D and 0xDE00
    ['\uD83D', 0xd83d], // lone high surrogate: hashed as the code unit it is
  ])('%j hashes to %d', (s, expected) => {
    expect(javaStringHashCode(s)).toBe(expected);
  });

  it('agrees with the defining polynomial for any string, lone surrogates included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
        expect(javaStringHashCode(s)).toBe(referenceHash(s));
      }),
    );
  });
});

describe('tagsCode', () => {
  it('is the hash of the tag, and 0 for no tag or an empty one', () => {
    expect(tagsCode('TagA')).toBe(2_598_919);
    expect(tagsCode('Hello World')).toBe(-862_545_276);
    expect(tagsCode('')).toBe(0);
    expect(tagsCode(undefined)).toBe(0);
  });
});

describe('indexKeyHash', () => {
  it('is the absolute hash, and 0 for Integer.MIN_VALUE', () => {
    expect(indexKeyHash('TagA')).toBe(2_598_919);
    expect(indexKeyHash('Hello World')).toBe(862_545_276);
    expect(indexKeyHash('polygenelubricants')).toBe(0);
    expect(indexKeyHash('')).toBe(0);
  });

  it('is never negative', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const h = indexKeyHash(s);
        expect(h).toBeGreaterThanOrEqual(0);
        expect(h).toBeLessThanOrEqual(0x7fffffff);
      }),
    );
  });
});
