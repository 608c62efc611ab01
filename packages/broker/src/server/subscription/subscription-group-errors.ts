import { KeelError } from '../../common/errors';

export const SubscriptionGroupErrorCodes = {
  /** The name would make an invalid `%RETRY%<group>` topic. */
  NAME_INVALID: 'SUBSCRIPTION_GROUP_NAME_INVALID',
  CONFIG_INVALID: 'SUBSCRIPTION_GROUP_CONFIG_INVALID',
} as const;

export type SubscriptionGroupErrorCode =
  (typeof SubscriptionGroupErrorCodes)[keyof typeof SubscriptionGroupErrorCodes];

/** A subscription-group change the broker refuses; the message names the group and the fix. */
export class SubscriptionGroupError extends KeelError {
  readonly group: string;

  constructor(
    code: SubscriptionGroupErrorCode,
    group: string,
    message: string,
    options: { readonly cause?: unknown } = {},
  ) {
    super(code, message, { retriable: false, cause: options.cause });
    this.group = group;
  }
}
