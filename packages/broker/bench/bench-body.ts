// The 1 KiB body of the client benchmark. Latency runs stamp it: byte 0 says whether the message
// counts (warm-up and set-up messages do not), bytes 8..15 carry the send time as a float64 of
// wall-clock milliseconds, so a consumer in another process can take its latency.

export const BODY_BYTES = 1024;
const COUNTED_OFFSET = 0;
const SENT_AT_OFFSET = 8;

/** Wall-clock ms with sub-ms precision, comparable between processes of one machine. */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}

export function plainBody(): Buffer {
  return Buffer.alloc(BODY_BYTES, 'k');
}

export function stampedBody(counted: boolean, sentAtMs: number): Buffer {
  const body = Buffer.alloc(BODY_BYTES, 'k');
  body.writeUInt8(counted ? 1 : 0, COUNTED_OFFSET);
  body.writeDoubleLE(sentAtMs, SENT_AT_OFFSET);
  return body;
}

/** The send time of a counted message; undefined for warm-up, set-up or foreign bodies. */
export function countedSentAt(body: Buffer): number | undefined {
  if (body.length !== BODY_BYTES || body.readUInt8(COUNTED_OFFSET) !== 1) return undefined;
  return body.readDoubleLE(SENT_AT_OFFSET);
}
