// One line per significant event, for operators reading a terminal or grepping a file:
//
//   2026-11-25T20:51:00.123Z INFO  [broker] ready address=10.0.0.5:10911 role=ASYNC_MASTER
//
// Timestamps come from the injected Clock (so tests see fixed times), lines go to an injected
// sink (stderr by default, keeping stdout for command output), and nothing is buffered: a line is
// written when the event happens, so the last line before a crash is the last event.
//
// Message bodies: this module has no field for them and its callers must not pass a body (or a
// part of one) as a message or field value unless the operator set `logMessageBodies=true`. Bodies
// carry application data (personal data, secrets) that must not leak into log files by default.

import { systemClock, type Clock } from './clock';

/** From the most to the least severe; a logger at one level writes that level and those before it. */
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A field's value; an Error is written as its name, code and message (its stack is not, to stay one line). */
export type LogValue = string | number | boolean | bigint | null | undefined | Error;
export type LogFields = { readonly [key: string]: LogValue };

/** Receives one finished line, without a trailing newline. */
export type LogSink = (line: string) => void;

export interface Logger {
  readonly level: LogLevel;
  /** The component shown in brackets, e.g. `broker` or `broker.store`. */
  readonly component: string;
  isEnabled(level: LogLevel): boolean;
  error(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  /** A logger for a part of this component, sharing level, clock and sink: `broker` → `broker.store`. */
  child(component: string): Logger;
}

export interface LoggerOptions {
  readonly clock: Clock;
  readonly component: string;
  readonly level?: LogLevel;
  readonly sink?: LogSink;
}

export const stderrSink: LogSink = (line) => {
  process.stderr.write(`${line}\n`);
};

export function createLogger(options: LoggerOptions): Logger {
  const level = options.level ?? 'info';
  const sink = options.sink ?? stderrSink;
  const threshold = LOG_LEVELS.indexOf(level);
  const isEnabled = (candidate: LogLevel) => LOG_LEVELS.indexOf(candidate) <= threshold;
  const write = (at: LogLevel) => (message: string, fields?: LogFields) => {
    if (!isEnabled(at)) return;
    sink(formatLogLine(options.clock.now(), at, options.component, message, fields));
  };
  return Object.freeze({
    level,
    component: options.component,
    isEnabled,
    error: write('error'),
    warn: write('warn'),
    info: write('info'),
    debug: write('debug'),
    child: (component: string) =>
      createLogger({ ...options, component: `${options.component}.${component}` }),
  });
}

/** A logger that writes nothing, for components started without one (e.g. in unit tests). */
export const silentLogger: Logger = createLogger({
  clock: systemClock,
  component: 'silent',
  level: 'error',
  sink: () => undefined,
});

export function formatLogLine(
  epochMs: number,
  level: LogLevel,
  component: string,
  message: string,
  fields: LogFields = {},
): string {
  const parts = [new Date(epochMs).toISOString(), level.toUpperCase().padEnd(5), `[${component}]`];
  parts.push(oneLine(message));
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    parts.push(`${key}=${formatValue(value)}`);
  }
  return parts.join(' ');
}

// A value that could be mistaken for several fields (spaces, `=`), or is empty, is JSON-quoted so
// the line stays machine-readable as `key=value` pairs.
function formatValue(value: Exclude<LogValue, undefined>): string {
  const text = value instanceof Error ? describeError(value) : String(value);
  return text === '' || /[\s="\\]/.test(text) ? JSON.stringify(text) : text;
}

function describeError(error: Error): string {
  const code = 'code' in error && typeof error.code === 'string' ? `(${error.code})` : '';
  return `${error.name}${code}: ${error.message}`;
}

/** Newlines would split one event over several lines, and a reader would take the rest as new events. */
function oneLine(text: string): string {
  return text.replace(/\r?\n/g, '\\n');
}
