// What an API request that failed is answered with: a status and `{"error":{"code","message"}}`.
// Admin errors keep their message (it names what was asked and where it was looked for); a broker's
// refusal is a 502 carrying the broker's remark; an error Keel did not expect is a 500 whose details
// go to the log only, not to the browser.

import { AdminErrorCodes } from '../client/admin/admin-errors';
import { BrokerResponseError } from '../client/client-errors';
import { isKeelError, isRetriable } from '../common/errors';
import { ConsoleError } from './console-errors';

export interface HttpError {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  /** True when the error was not one Keel raises on purpose: it is logged with its stack. */
  readonly unexpected: boolean;
}

const NOT_FOUND_CODES: ReadonlySet<string> = new Set([
  AdminErrorCodes.TOPIC_NOT_FOUND,
  AdminErrorCodes.BROKER_NOT_FOUND,
  AdminErrorCodes.CLUSTER_NOT_FOUND,
  AdminErrorCodes.MESSAGE_NOT_FOUND,
]);

export function httpErrorOf(error: unknown): HttpError {
  if (error instanceof ConsoleError)
    return { status: error.status, code: error.code, message: error.message, unexpected: false };
  if (error instanceof BrokerResponseError)
    return { status: 502, code: error.code, message: error.message, unexpected: false };
  if (isKeelError(error)) {
    if (NOT_FOUND_CODES.has(error.code))
      return { status: 404, code: error.code, message: error.message, unexpected: false };
    if (error.code === AdminErrorCodes.INVALID_ARGUMENT)
      return { status: 400, code: error.code, message: error.message, unexpected: false };
    // Timeouts and lost connections: the cluster may answer if asked again.
    if (isRetriable(error))
      return { status: 503, code: error.code, message: error.message, unexpected: false };
    return { status: 500, code: error.code, message: error.message, unexpected: false };
  }
  return {
    status: 500,
    code: 'CONSOLE_INTERNAL',
    message: 'the console failed unexpectedly; its log has the details',
    unexpected: true,
  };
}
