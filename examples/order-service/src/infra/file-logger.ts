// The example's log: every component's lines go to one file in the data directory, so the
// progress and the report on the terminal stay readable. Warnings and errors are counted, and the
// report says how many there were and where to read them.

import { createWriteStream, type WriteStream } from 'node:fs';
import { createLogger, type Clock, type Logger } from '@keel/broker';

export interface FileLog {
  readonly logger: Logger;
  readonly path: string;
  /** Lines at warn or error so far. */
  readonly problems: () => number;
  /** Writes text (a stack trace) to the log as it is. */
  write(text: string): void;
  close(): Promise<void>;
}

export function openFileLog(path: string, clock: Clock): FileLog {
  const stream: WriteStream = createWriteStream(path, { flags: 'a' });
  let problems = 0;
  // A log file we cannot write is reported once on stderr; the run itself goes on.
  stream.once('error', (error) => process.stderr.write(`cannot write the log ${path}: ${error.message}\n`));
  const logger = createLogger({
    clock,
    component: 'example',
    level: 'info',
    sink: (line) => {
      if (/ (WARN|ERROR) /.test(line)) problems += 1;
      stream.write(`${line}\n`);
    },
  });
  return {
    logger,
    path,
    problems: () => problems,
    write: (text) => stream.write(`${text}\n`),
    close: () => new Promise((resolve) => stream.end(resolve)),
  };
}
