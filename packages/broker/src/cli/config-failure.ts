// How a command reports what stops it before anything starts: the command line or the config.
// Each is exit code 2 ("usage"), distinct from 1, a failure of a server that was started.

import { ConfigError } from '../common/errors';
import { ConfigFileUnreadableError } from '../server/config/config-sources';
import { UsageError } from './args';
import type { CliIo } from './command';
import { PidFileInvalidError } from './pid-file';

export const EXIT_USAGE = 2;

/** Prints `error` and returns the exit code if it is a usage or config error; rethrows anything else. */
export function reportStartupError(error: unknown, io: CliIo, command: string): number {
  if (error instanceof UsageError) {
    io.err(`keel ${command}: ${error.message}. Run 'keel ${command} --help' for the options.`);
    return EXIT_USAGE;
  }
  if (error instanceof ConfigError) {
    // The message lists every problem as `file:line: key: what is wrong`, one per line.
    io.err(error.message);
    io.err('Nothing was started or written; fix the problems above and run the command again.');
    return EXIT_USAGE;
  }
  if (error instanceof ConfigFileUnreadableError || error instanceof PidFileInvalidError) {
    io.err(`keel ${command}: ${error.message}`);
    return EXIT_USAGE;
  }
  throw error;
}
