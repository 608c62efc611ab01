/**
 * Segment files (commit log, consume queues) are named by the logical offset of their first byte,
 * zero-padded to 20 decimal digits, as RocketMQ's `UtilAll.offset2FileName` does. Offsets stay
 * below 2^53, so a JavaScript number holds them exactly.
 */
const NAME_DIGITS = 20;
const NAME_PATTERN = /^\d{20}$/;

export function segmentFileName(startOffset: number): string {
  if (!Number.isSafeInteger(startOffset) || startOffset < 0) {
    throw new RangeError(`segment start offset must be a non-negative safe integer, got ${startOffset}`);
  }
  return String(startOffset).padStart(NAME_DIGITS, '0');
}

/** The start offset a file name stands for, or undefined when the name is not a segment name. */
export function parseSegmentFileName(name: string): number | undefined {
  if (!NAME_PATTERN.test(name)) return undefined;
  const offset = Number(name);
  return Number.isSafeInteger(offset) ? offset : undefined;
}
