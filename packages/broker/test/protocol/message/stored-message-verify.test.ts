import fc from 'fast-check';
import { prepareStoredMessage, encodeStoredMessage } from '../../../src/protocol/message/stored-message';
import {
  decodeStoredMessage,
  verifyStoredMessage,
} from '../../../src/protocol/message/stored-message-decoder';
import { arbitraryStoredMessage, GOLDEN_V4_BYTES, GOLDEN_V6_BYTES } from './fixtures';

function encode(fields: Parameters<typeof prepareStoredMessage>[0]): Buffer {
  const prepared = prepareStoredMessage(fields);
  const out = Buffer.alloc(prepared.totalSize);
  encodeStoredMessage(prepared, out, 0);
  return out;
}

/** The verdict both functions must agree on: kind, size, and for damage the reason. */
function verdictOfDecode(buf: Buffer): string {
  const r = decodeStoredMessage(buf, 0, { checkCrc: true, checkText: true });
  if (r.kind === 'message') return `message ${r.size} @${r.message.physicalOffset}`;
  if (r.kind === 'blank') return `blank ${r.size}`;
  if (r.kind === 'incomplete') return `incomplete ${r.needed}`;
  return `corrupt ${r.reason}`;
}

function verdictOfVerify(buf: Buffer): string {
  const r = verifyStoredMessage(buf, 0);
  if (r.kind === 'message') return `message ${r.size} @${r.physicalOffset}`;
  if (r.kind === 'blank') return `blank ${r.size}`;
  if (r.kind === 'incomplete') return `incomplete ${r.needed}`;
  return `corrupt ${r.reason}`;
}

describe('verifyStoredMessage', () => {
  it('accepts the golden IPv4 and IPv6 records', () => {
    expect(verdictOfVerify(GOLDEN_V4_BYTES)).toMatch(/^message /);
    expect(verdictOfVerify(GOLDEN_V6_BYTES)).toMatch(/^message /);
  });

  it('agrees with the full decode on valid records and on any single flipped byte', () => {
    fc.assert(
      fc.property(arbitraryStoredMessage, fc.nat(), fc.integer({ min: 1, max: 255 }), (fields, at, mask) => {
        const record = encode(fields);
        expect(verdictOfVerify(record)).toBe(verdictOfDecode(record));
        const damaged = Buffer.from(record);
        const position = at % damaged.length;
        damaged[position] = damaged[position]! ^ mask;
        expect(verdictOfVerify(damaged)).toBe(verdictOfDecode(damaged));
      }),
      { numRuns: 500 },
    );
  });

  it('agrees with the full decode on every truncation', () => {
    const record = GOLDEN_V4_BYTES;
    for (let length = 0; length < record.length; length++) {
      const cut = record.subarray(0, length);
      expect(verdictOfVerify(cut)).toBe(verdictOfDecode(cut));
    }
  });
});
