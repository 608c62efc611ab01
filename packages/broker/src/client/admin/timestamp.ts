// Timestamps as operators type them: epoch milliseconds (what RocketMQ's tools print), mqadmin's
// `yyyyMMddHHmmss` (local time, as mqadmin reads it), or ISO 8601 (`2026-01-31T12:00:00Z`).

import { AdminError, AdminErrorCodes } from './admin-errors';

const EPOCH_MS = /^\d{1,15}$/;
const COMPACT = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{3})?$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}/;

/** Epoch ms of `text`; throws AdminError (INVALID_ARGUMENT) saying which forms are accepted. */
export function parseTimestamp(text: string): number {
  const trimmed = text.trim();
  // A 14- or 17-digit number is mqadmin's compact form, not epoch ms (which has 13 digits until 2286).
  const compact = COMPACT.exec(trimmed);
  if (compact !== null) return fromCompact(trimmed, compact);
  if (EPOCH_MS.test(trimmed)) return Number(trimmed);
  if (ISO_DATE.test(trimmed)) {
    const ms = Date.parse(trimmed);
    if (!Number.isNaN(ms)) return ms;
  }
  throw invalid(text);
}

function fromCompact(text: string, parts: RegExpExecArray): number {
  const [year, month, day, hour, minute, second, millis] = parts
    .slice(1)
    .map((part) => (part === undefined ? 0 : Number(part)));
  const date = new Date(year ?? 0, (month ?? 1) - 1, day, hour, minute, second, millis);
  // Date rolls 20261340 over into the next year; a typo must not silently move the time.
  if (date.getMonth() !== (month ?? 1) - 1 || date.getDate() !== day || date.getHours() !== hour)
    throw invalid(text);
  return date.getTime();
}

function invalid(text: string): AdminError {
  return new AdminError(
    AdminErrorCodes.INVALID_ARGUMENT,
    `"${text}" is not a timestamp; give epoch ms (1767225600000), yyyyMMddHHmmss (20260101000000, ` +
      'local time) or ISO 8601 (2026-01-01T00:00:00Z)',
  );
}
