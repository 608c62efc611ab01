/**
 * Index files are named by their creation time, `yyyyMMddHHmmssSSS` in local time, as RocketMQ's
 * `UtilAll.timeMillisToHumanString` does. The names sort in creation order, which is how the newest
 * (active) file is found on load; names of the same width compare as strings.
 */
const NAME_PATTERN = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{3})$/;

/** Suffix of a file still being created; it is renamed into place once complete and durable. */
export const CREATING_SUFFIX = '.creating';

export function isIndexFileName(name: string): boolean {
  return NAME_PATTERN.test(name);
}

/** The name for a file created at `epochMs`, in the process's local time zone. */
export function indexFileNameAt(epochMs: number): string {
  const t = new Date(epochMs);
  return formatParts(
    t.getFullYear(),
    t.getMonth() + 1,
    t.getDate(),
    t.getHours(),
    t.getMinutes(),
    t.getSeconds(),
    t.getMilliseconds(),
  );
}

/**
 * The name for a new file created at `nowMs` after a file named `previous`. It must sort after
 * `previous`, or the wrong file would be taken for the active one on the next load; the clock's
 * name can fail to: two files in the same millisecond, a clock stepped back, or the repeated hour
 * when daylight saving time ends. Then the name is `previous` plus one millisecond, counted on the
 * digits themselves (UTC arithmetic has no repeated hour), so order holds whatever the time zone.
 */
export function nextIndexFileName(nowMs: number, previous: string | undefined): string {
  const candidate = indexFileNameAt(nowMs);
  if (previous === undefined || candidate > previous) return candidate;
  const parts = NAME_PATTERN.exec(previous);
  if (parts === null) throw new RangeError(`not an index file name: ${previous}`);
  const [, year, month, day, hour, minute, second, milli] = parts.map(Number);
  const next = new Date(
    Date.UTC(year ?? 0, (month ?? 1) - 1, day ?? 1, hour ?? 0, minute ?? 0, second ?? 0, (milli ?? 0) + 1),
  );
  return formatParts(
    next.getUTCFullYear(),
    next.getUTCMonth() + 1,
    next.getUTCDate(),
    next.getUTCHours(),
    next.getUTCMinutes(),
    next.getUTCSeconds(),
    next.getUTCMilliseconds(),
  );
}

function formatParts(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  milli: number,
): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${String(year).padStart(4, '0')}${two(month)}${two(day)}${two(hour)}${two(minute)}${two(second)}${String(milli).padStart(3, '0')}`;
}
