// The error of every body decoder. Bodies come from the network, so a decoder never throws
// anything else (no TypeError on hostile input): the server answers with this message in the
// remark, the client reports it. The message names the body class and the JSON path of the field.

import { KeelError } from '../../common/errors';

export const BodyErrorCodes = {
  INVALID: 'BODY_INVALID',
  UNENCODABLE: 'BODY_UNENCODABLE',
} as const;

export class BodyDecodeError extends KeelError {
  /** The Java body class, e.g. `TopicRouteData`. */
  readonly body: string;
  /** JSON path of the offending value (`brokerDatas[0].brokerAddrs`), or '' for the whole body. */
  readonly field: string;

  constructor(body: string, field: string, problem: string, options: { readonly cause?: unknown } = {}) {
    super(
      BodyErrorCodes.INVALID,
      `${body}${field === '' || field.startsWith('[') ? '' : '.'}${field}: ${problem}`,
      {
        cause: options.cause,
      },
    );
    this.body = body;
    this.field = field;
  }
}

/** A value cannot be written in a body's wire form (a programming error, e.g. a space in a topic name). */
export class BodyEncodeError extends KeelError {
  readonly body: string;

  constructor(body: string, problem: string) {
    super(BodyErrorCodes.UNENCODABLE, `cannot encode ${body}: ${problem}`);
    this.body = body;
  }
}
