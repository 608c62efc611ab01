import { KeelError } from '../../common/errors';

export const OffsetErrorCodes = {
  /** A commit with a queue id or offset the file cannot hold, or a name containing '@'. */
  COMMIT_INVALID: 'CONSUMER_OFFSET_INVALID',
} as const;

export class ConsumerOffsetError extends KeelError {
  constructor(message: string, options: { readonly cause?: unknown } = {}) {
    super(OffsetErrorCodes.COMMIT_INVALID, message, { retriable: false, cause: options.cause });
  }
}
