// Java longs as JavaScript numbers. Every long in a message record (offsets, timestamps) stays far
// below 2^53 in practice (2^53 bytes is 8 PiB of commit log; 2^53 ms is 285,000 years), so a number
// holds it exactly and callers avoid BigInt's allocation and mixed-type arithmetic on the hot path.
// A long outside the safe range can only come from corrupt or hostile input; readers reject it.

const TWO_TO_32 = 4_294_967_296;

/**
 * The signed big-endian long at `position` (8 bytes must be there). The result is not a safe integer
 * (check with Number.isSafeInteger) exactly when the long is outside ±(2^53 − 1).
 */
export function readJavaLong(source: Buffer, position: number): number {
  return source.readInt32BE(position) * TWO_TO_32 + source.readUInt32BE(position + 4);
}

/** Writes a safe integer as a signed big-endian long at `position` (8 bytes must be there). */
export function writeJavaLong(target: Buffer, position: number, value: number): void {
  const high = Math.floor(value / TWO_TO_32);
  target.writeInt32BE(high, position);
  target.writeUInt32BE(value - high * TWO_TO_32, position + 4);
}

/** The same through a DataView, for writers that encode many fields into one buffer. */
export function setJavaLong(view: DataView, position: number, value: number): void {
  const high = Math.floor(value / TWO_TO_32);
  view.setInt32(position, high);
  view.setUint32(position + 4, value - high * TWO_TO_32);
}

export function isJavaInt(value: number): boolean {
  return (value | 0) === value;
}
