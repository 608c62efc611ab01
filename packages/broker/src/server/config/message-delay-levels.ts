// RocketMQ's `messageDelayLevel`: the delays of levels 1, 2, ... as `1s 5s 10s 30s 1m ... 2h`.
// Parsed once at start-up; the schedule service reads the milliseconds.

export const DEFAULT_MESSAGE_DELAY_LEVEL = '1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h';

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const LEVEL = /^(\d+)([smhd])$/;

export type DelayLevelsParse =
  | { readonly ok: true; readonly delaysMs: readonly number[] }
  | { readonly ok: false; readonly message: string };

/** Delays in ms, index 0 for level 1; or why the text is not a list of `<n><s|m|h|d>`. */
export function parseMessageDelayLevels(text: string): DelayLevelsParse {
  const words = text
    .trim()
    .split(/\s+/)
    .filter((word) => word !== '');
  if (words.length === 0) return { ok: false, message: 'lists no delay; write e.g. 1s 5s 10s 30s 1m' };
  const delaysMs: number[] = [];
  for (const word of words) {
    const match = LEVEL.exec(word);
    const amount = Number(match?.[1]);
    const unit = match?.[2] as keyof typeof UNIT_MS | undefined;
    if (unit === undefined || amount < 1) {
      return {
        ok: false,
        message: `'${word}' is not a delay; write a positive number and s, m, h or d, e.g. 30s`,
      };
    }
    delaysMs.push(amount * UNIT_MS[unit]);
  }
  return { ok: true, delaysMs: Object.freeze(delaysMs) };
}
