import { ConfigError } from '../../common/errors';

/** Checks a consumer option that counts something (threads, batch size, retries). */
export function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new ConfigError(
      [{ kind: 'out-of-range', key: name, message: `must be a positive integer, got ${value}` }],
      {
        subject: 'consumer',
      },
    );
  }
  return value;
}
