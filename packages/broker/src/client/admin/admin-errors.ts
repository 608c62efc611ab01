// Errors of the admin client. The CLI prints the message as is, so each one names what was asked
// for and where it was looked for.

import { KeelError } from '../../common/errors';

export const AdminErrorCodes = {
  /** No name server knows the topic. */
  TOPIC_NOT_FOUND: 'ADMIN_TOPIC_NOT_FOUND',
  /** No broker (or cluster) of that name or address is registered. */
  BROKER_NOT_FOUND: 'ADMIN_BROKER_NOT_FOUND',
  CLUSTER_NOT_FOUND: 'ADMIN_CLUSTER_NOT_FOUND',
  /** No broker has the message asked for. */
  MESSAGE_NOT_FOUND: 'ADMIN_MESSAGE_NOT_FOUND',
  /** The arguments cannot describe a valid operation (e.g. neither cluster nor broker). */
  INVALID_ARGUMENT: 'ADMIN_INVALID_ARGUMENT',
} as const;
export type AdminErrorCode = (typeof AdminErrorCodes)[keyof typeof AdminErrorCodes];

export class AdminError extends KeelError {
  constructor(code: AdminErrorCode, message: string, options: { readonly cause?: unknown } = {}) {
    super(code, message, { cause: options.cause });
  }
}
