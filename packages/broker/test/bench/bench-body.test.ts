import { BODY_BYTES, countedSentAt, plainBody, stampedBody } from '../../bench/bench-body';

describe('benchmark bodies', () => {
  it('carries the send time of a counted message through the bytes', () => {
    const sentAt = 1_764_100_000_123.456;
    const body = stampedBody(true, sentAt);
    expect(body.length).toBe(BODY_BYTES);
    expect(countedSentAt(Buffer.from(body))).toBe(sentAt);
  });

  it('does not count warm-up, set-up or foreign bodies', () => {
    expect(countedSentAt(stampedBody(false, 42))).toBeUndefined();
    expect(countedSentAt(plainBody())).toBeUndefined();
    expect(countedSentAt(Buffer.from('short'))).toBeUndefined();
  });
});
