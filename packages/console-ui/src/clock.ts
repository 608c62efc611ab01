// The browser's time, for defaults such as "the last hour" in a search form: the operator's own
// clock is what those defaults mean. (The broker packages' rule of an injected Clock is about
// behaviour that tests must drive; nothing here is timed.)

export function now(): number {
  // eslint-disable-next-line no-restricted-properties -- see above: the user's wall clock is intended.
  return Date.now();
}
