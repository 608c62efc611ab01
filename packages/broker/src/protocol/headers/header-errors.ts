// Errors of the custom-header codecs. A decode error's message is meant for the response remark
// (the server answers the request with it), so it names the header class, the field, what arrived
// and what was expected: `PullMessageRequestHeader.queueId: "abc" is not an int`.

import { KeelError } from '../../common/errors';

export const HeaderErrorCodes = {
  FIELD_INVALID: 'HEADER_FIELD_INVALID',
} as const;

export class HeaderFieldError extends KeelError {
  /** The header class, e.g. `PullMessageRequestHeader`. */
  readonly header: string;
  /** The ext-field name as on the wire (`e` for SendMessageRequestHeaderV2's queueId). */
  readonly field: string;

  constructor(header: string, field: string, message: string) {
    super(HeaderErrorCodes.FIELD_INVALID, message);
    this.header = header;
    this.field = field;
  }
}
