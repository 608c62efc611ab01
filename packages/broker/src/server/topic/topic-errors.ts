import { KeelError } from '../../common/errors';

export const TopicErrorCodes = {
  /** Not 1–127 characters of a-z A-Z 0-9 _ - % |. */
  NAME_INVALID: 'TOPIC_NAME_INVALID',
  /** Queue counts or perm out of range. */
  CONFIG_INVALID: 'TOPIC_CONFIG_INVALID',
  /** An administrative change of a topic the broker owns (TBW102, SCHEDULE_TOPIC_XXXX, ...). */
  SYSTEM_TOPIC: 'TOPIC_SYSTEM_PROTECTED',
} as const;

export type TopicErrorCode = (typeof TopicErrorCodes)[keyof typeof TopicErrorCodes];

/** A topic change the broker refuses; the message names the topic and the fix. Never retriable. */
export class TopicConfigError extends KeelError {
  readonly topic: string;

  constructor(
    code: TopicErrorCode,
    topic: string,
    message: string,
    options: { readonly cause?: unknown } = {},
  ) {
    super(code, message, { retriable: false, cause: options.cause });
    this.topic = topic;
  }
}
