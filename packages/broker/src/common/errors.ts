// The base of every error Keel throws on purpose. Callers decide by `code` and `retriable`, never
// by message text: messages are for people and may be reworded at any time.

export interface KeelErrorOptions {
  /** Whether repeating the same operation later may succeed. Defaults to false. */
  readonly retriable?: boolean;
  /** The underlying error, kept so its stack and message are not lost. */
  readonly cause?: unknown;
}

/** Codes of the basic errors defined here; other modules define theirs next to their errors. */
export const ErrorCodes = {
  CONFIG_INVALID: 'CONFIG_INVALID',
  TIMEOUT: 'TIMEOUT',
  ILLEGAL_STATE: 'ILLEGAL_STATE',
} as const;

export class KeelError extends Error {
  readonly code: string;
  readonly retriable: boolean;

  constructor(code: string, message: string, options: KeelErrorOptions = {}) {
    // Pass `cause` only when given, so an error without one has no own `cause` property at all.
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? false;
  }
}

export function isKeelError(error: unknown): error is KeelError {
  return error instanceof KeelError;
}

/** True only for Keel errors that say so: an unknown error is not assumed to be transient. */
export function isRetriable(error: unknown): boolean {
  return error instanceof KeelError && error.retriable;
}

/** An operation did not finish in time. Retriable: the same call may succeed later. */
export class TimeoutError extends KeelError {
  readonly operation: string;
  readonly timeoutMs: number;

  constructor(operation: string, timeoutMs: number, options: { readonly cause?: unknown } = {}) {
    super(ErrorCodes.TIMEOUT, `${operation} timed out after ${timeoutMs} ms`, {
      retriable: true,
      cause: options.cause,
    });
    this.operation = operation;
    this.timeoutMs = timeoutMs;
  }
}

/** A method was called in a state that does not allow it (e.g. send on a closed producer). */
export class IllegalStateError extends KeelError {
  constructor(message: string, options: { readonly cause?: unknown } = {}) {
    super(ErrorCodes.ILLEGAL_STATE, message, { retriable: false, cause: options.cause });
  }
}

/** What a config problem is, for code and tests; the message is for the operator. */
export type ConfigProblemKind =
  | 'syntax' // a line of a properties file that is not key=value
  | 'duplicate-key'
  | 'unknown-key'
  | 'missing'
  | 'invalid-type'
  | 'out-of-range'
  | 'invalid-value'
  | 'rule'; // a cross-field rule of the schema

/** One thing wrong with a configuration, located as precisely as the input allows. */
export interface ConfigProblem {
  readonly kind: ConfigProblemKind;
  /** The option it concerns, when it concerns one. */
  readonly key?: string;
  /** Where the value came from, e.g. `broker.properties`. */
  readonly source?: string;
  /** 1-based line in `source`, when the value came from a file. */
  readonly line?: number;
  /** What is wrong and how to fix it, without the location prefix. */
  readonly message: string;
  /** For unknown keys and enum values: the closest valid spelling, if one is close enough. */
  readonly suggestion?: string;
}

/** `broker.properties:3: brokerld: unknown key, did you mean brokerId?` */
export function formatConfigProblem(problem: ConfigProblem): string {
  const parts: string[] = [];
  if (problem.source !== undefined || problem.line !== undefined) {
    const line = problem.line === undefined ? '' : `:${problem.line}`;
    parts.push(`${problem.source ?? '<input>'}${line}`);
  }
  if (problem.key !== undefined) parts.push(problem.key);
  parts.push(problem.message);
  return parts.join(': ');
}

/** A configuration was rejected. Lists every problem found, not just the first. */
export class ConfigError extends KeelError {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[], options: { readonly subject?: string } = {}) {
    const subject = options.subject === undefined ? 'configuration' : `${options.subject} configuration`;
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    const lines = problems.map((p) => `  ${formatConfigProblem(p)}`);
    super(ErrorCodes.CONFIG_INVALID, [`Invalid ${subject} (${count}):`, ...lines].join('\n'));
    this.problems = Object.freeze([...problems]);
  }
}
