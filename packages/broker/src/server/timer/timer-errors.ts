import { KeelError } from '../../common/errors';

/** Codes of the timer service's errors. */
export const TimerErrorCodes = {
  /** timer/checkpoint and its backup are both unreadable: an operator decides how to rebuild. */
  CHECKPOINT_UNUSABLE: 'TIMER_CHECKPOINT_UNUSABLE',
  /** The files under timer/ were written with another bucket width than this build uses. */
  LAYOUT_MISMATCH: 'TIMER_LAYOUT_MISMATCH',
} as const;

/** The timer service's files cannot be used as they are; the message says what to do. */
export class TimerFilesError extends KeelError {
  constructor(code: string, message: string, options: { readonly cause?: unknown } = {}) {
    super(code, message, { retriable: false, cause: options.cause });
  }
}
