// A plain-text table for `keel admin`: a header row, then one row per item, columns padded to
// their widest cell and two spaces apart. Numbers are right-aligned so magnitudes line up.

export interface Column {
  readonly title: string;
  readonly align?: 'left' | 'right';
}

export type Cell = string | number;

export function formatTable(columns: readonly Column[], rows: readonly (readonly Cell[])[]): string[] {
  const text = rows.map((row) => columns.map((_, i) => String(row[i] ?? '')));
  const widths = columns.map((column, i) =>
    Math.max(column.title.length, ...text.map((row) => row[i]!.length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (columns[i]?.align === 'right' ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((column) => column.title)), ...text.map(line)];
}

/** `key: value` lines with the keys padded, for one item's details. */
export function formatFields(fields: readonly (readonly [string, Cell])[]): string[] {
  const width = Math.max(0, ...fields.map(([key]) => key.length));
  return fields.map(([key, value]) => `${`${key}:`.padEnd(width + 1)}  ${value}`);
}

/** A timestamp for people: ISO 8601 UTC, or '-' for 0 / negative (RocketMQ's "none"). */
export function formatTime(ms: number): string {
  return ms > 0 ? new Date(ms).toISOString() : '-';
}
