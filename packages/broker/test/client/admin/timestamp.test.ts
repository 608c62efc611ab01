import { AdminErrorCodes } from '../../../src/client/admin/admin-errors';
import { parseTimestamp } from '../../../src/client/admin/timestamp';

describe('parseTimestamp', () => {
  it('reads epoch ms, mqadmin yyyyMMddHHmmss (local time) and ISO 8601', () => {
    expect(parseTimestamp('1767225600000')).toBe(1767225600000);
    expect(parseTimestamp('0')).toBe(0);
    expect(parseTimestamp('20260131235959')).toBe(new Date(2026, 0, 31, 23, 59, 59).getTime());
    expect(parseTimestamp('20260131235959123')).toBe(new Date(2026, 0, 31, 23, 59, 59, 123).getTime());
    expect(parseTimestamp('2026-01-01T00:00:00Z')).toBe(Date.UTC(2026, 0, 1));
    expect(parseTimestamp(' 2026-01-01T01:00:00+01:00 ')).toBe(Date.UTC(2026, 0, 1));
  });

  it.each(['yesterday', '20261340000000', '20260230120000', '2026-13-01T00:00:00Z', '-5', ''])(
    'refuses %j, naming the accepted forms',
    (text) => {
      expect(() => parseTimestamp(text)).toThrow(
        expect.objectContaining({
          code: AdminErrorCodes.INVALID_ARGUMENT,
          message: expect.stringContaining('yyyyMMddHHmmss'),
        }),
      );
    },
  );
});
