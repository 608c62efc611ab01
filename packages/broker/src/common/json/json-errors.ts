// Errors of the fastjson-dialect reader and writer. A syntax error carries where it happened (offset,
// line, column) so each caller can phrase it for its audience: the remoting header decoder turns it
// into a decode error that closes the connection, the metadata loader into a located file error,
// body decoders into a BODY_INVALID error.

import { KeelError } from '../errors';

export const JsonErrorCodes = {
  SYNTAX: 'JSON_SYNTAX',
  UNWRITABLE: 'JSON_UNWRITABLE',
} as const;

/** The text is not fastjson-dialect JSON. Not retriable: the same text fails the same way. */
export class JsonSyntaxError extends KeelError {
  /** 0-based index (UTF-16 code units) into the text where the problem was detected. */
  readonly offset: number;
  /** 1-based. */
  readonly line: number;
  /** 1-based, in UTF-16 code units. */
  readonly column: number;
  /** What is wrong, without the location, e.g. `unterminated string`. */
  readonly problem: string;

  constructor(problem: string, offset: number, line: number, column: number) {
    super(JsonErrorCodes.SYNTAX, `line ${line}, column ${column}: ${problem}`);
    this.offset = offset;
    this.line = line;
    this.column = column;
    this.problem = problem;
  }
}

/** A value handed to the writer has no fastjson form (NaN, a function, a cycle...): a programming error. */
export class JsonWriteError extends KeelError {
  /** JSON path of the value, e.g. `offsetTable[3].value`. */
  readonly path: string;

  constructor(path: string, problem: string) {
    super(JsonErrorCodes.UNWRITABLE, `cannot write ${path === '' ? 'the value' : path} as JSON: ${problem}`);
    this.path = path;
  }
}
