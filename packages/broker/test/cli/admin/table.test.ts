import { formatFields, formatTable, formatTime } from '../../../src/cli/admin/table';

describe('admin output formatting', () => {
  it('pads columns to their widest cell, right-aligns numbers and trims line ends', () => {
    expect(
      formatTable(
        [{ title: 'Broker' }, { title: 'QID', align: 'right' }, { title: 'Note' }],
        [
          ['broker-a', 0, ''],
          ['b', 12, 'x'],
        ],
      ),
    ).toEqual(['Broker    QID  Note', 'broker-a    0', 'b          12  x']);
  });

  it('lines up key: value fields and shows no time as -', () => {
    expect(
      formatFields([
        ['Topic', 'T'],
        ['Queue ID', 3],
      ]),
    ).toEqual(['Topic:     T', 'Queue ID:  3']);
    expect(formatTime(0)).toBe('-');
    expect(formatTime(Date.UTC(2026, 0, 1))).toBe('2026-01-01T00:00:00.000Z');
  });
});
