// Errors of the console's HTTP API, each with the HTTP status it is answered with. Errors from the
// admin client are translated by `httpErrorOf` (api-errors.ts); these are the console's own.

import { KeelError } from '../common/errors';

export const ConsoleErrorCodes = {
  /** A parameter is missing or malformed; the message names it and what is expected. */
  BAD_REQUEST: 'CONSOLE_BAD_REQUEST',
  /** A destructive action was asked for without `"confirm": true`. */
  CONFIRM_REQUIRED: 'CONSOLE_CONFIRM_REQUIRED',
  UNAUTHORIZED: 'CONSOLE_UNAUTHORIZED',
  /** A cross-site request or a Host the console does not answer to. */
  FORBIDDEN: 'CONSOLE_FORBIDDEN',
  NOT_FOUND: 'CONSOLE_NOT_FOUND',
  METHOD_NOT_ALLOWED: 'CONSOLE_METHOD_NOT_ALLOWED',
  PAYLOAD_TOO_LARGE: 'CONSOLE_PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'CONSOLE_UNSUPPORTED_MEDIA_TYPE',
} as const;
export type ConsoleErrorCode = (typeof ConsoleErrorCodes)[keyof typeof ConsoleErrorCodes];

const STATUS: Readonly<Record<ConsoleErrorCode, number>> = {
  CONSOLE_BAD_REQUEST: 400,
  CONSOLE_CONFIRM_REQUIRED: 400,
  CONSOLE_UNAUTHORIZED: 401,
  CONSOLE_FORBIDDEN: 403,
  CONSOLE_NOT_FOUND: 404,
  CONSOLE_METHOD_NOT_ALLOWED: 405,
  CONSOLE_PAYLOAD_TOO_LARGE: 413,
  CONSOLE_UNSUPPORTED_MEDIA_TYPE: 415,
};

export class ConsoleError extends KeelError {
  readonly status: number;

  constructor(code: ConsoleErrorCode, message: string) {
    super(code, message);
    this.status = STATUS[code];
  }
}
