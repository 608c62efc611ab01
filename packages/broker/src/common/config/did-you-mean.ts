// "Did you mean …?" for misspelt option keys, enum values and CLI commands.

/**
 * Edit distance counting insertions, deletions, substitutions and swaps of two adjacent
 * characters as one edit each (the "optimal string alignment" form of Damerau-Levenshtein: a
 * swapped pair is not edited again). Swaps matter because they are the commonest typing slip
 * (`borkerId`); plain Levenshtein would count them as two edits.
 */
export function editDistance(a: string, b: string): number {
  // Three rolling rows: the swap rule looks two rows back.
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  let current = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(
        (previous[j] ?? 0) + 1, // deletion
        (current[j - 1] ?? 0) + 1, // insertion
        (previous[j - 1] ?? 0) + cost, // substitution
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, (before[j - 2] ?? 0) + 1); // swap of adjacent characters
      }
      current[j] = best;
    }
    [before, previous, current] = [previous, current, before];
  }
  return previous[b.length] ?? 0;
}

/** The largest distance worth suggesting for a word of this length: 2, or a third of it. */
export function suggestionThreshold(length: number): number {
  return Math.max(2, Math.floor(length / 3));
}

/**
 * The candidate closest to `input`, ignoring case, if it is close enough to be a likely typo:
 * within {@link suggestionThreshold} edits, and fewer edits than the shorter word has characters
 * (so `ab` does not suggest `xy`). Ties go to the earlier candidate, making the answer stable.
 */
export function closestMatch(input: string, candidates: Iterable<string>): string | undefined {
  const needle = input.toLowerCase();
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(needle, candidate.toLowerCase());
    const limit = Math.min(suggestionThreshold(input.length), Math.min(input.length, candidate.length) - 1);
    if (distance > limit) continue;
    if (best === undefined || distance < best.distance) best = { candidate, distance };
  }
  return best?.candidate;
}
