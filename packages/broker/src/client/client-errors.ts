// Errors of the client SDK. Callers decide by `code` and `retriable`; messages name the value, the
// limit and the fix.

import { KeelError } from '../common/errors';
import { describeResponseCode, ResponseCode } from '../protocol/remoting/response-code';

export const ClientErrorCodes = {
  BROKER_RESPONSE: 'BROKER_RESPONSE',
  NO_ROUTE: 'NO_ROUTE',
  MESSAGE_TOO_LARGE: 'MESSAGE_TOO_LARGE',
  MESSAGE_INVALID: 'MESSAGE_INVALID',
  COMPRESSION_UNSUPPORTED: 'COMPRESSION_UNSUPPORTED',
  MESSAGE_DECODE_FAILED: 'MESSAGE_DECODE_FAILED',
} as const;

/**
 * The response codes after which a producer tries again (on another broker when it can): RocketMQ's
 * `DefaultMQProducer.retryResponseCodes`. Anything else (MESSAGE_ILLEGAL, ...) fails the same way
 * on every try.
 */
export const RETRIABLE_RESPONSE_CODES: ReadonlySet<number> = new Set([
  ResponseCode.TOPIC_NOT_EXIST,
  ResponseCode.SERVICE_NOT_AVAILABLE,
  ResponseCode.SYSTEM_ERROR,
  ResponseCode.NO_PERMISSION,
  ResponseCode.NO_BUYER_ID,
  ResponseCode.NOT_IN_CURRENT_UNIT,
]);

/** A broker or name server answered with an error code. */
export class BrokerResponseError extends KeelError {
  constructor(
    /** The remoting response code, e.g. 13 (MESSAGE_ILLEGAL). */
    readonly responseCode: number,
    readonly remark: string | undefined,
    /** Where the request went, `host:port`. */
    readonly address: string,
    retriable: boolean = RETRIABLE_RESPONSE_CODES.has(responseCode),
  ) {
    super(
      ClientErrorCodes.BROKER_RESPONSE,
      `${address} answered ${describeResponseCode(responseCode)}: ${remark ?? '(no remark)'}`,
      { retriable },
    );
  }
}

/** No name server knows the topic, and no fallback route exists. Retriable: the topic may appear. */
export class NoRouteError extends KeelError {
  constructor(
    readonly topic: string,
    detail: string,
    options: { readonly cause?: unknown } = {},
  ) {
    super(ClientErrorCodes.NO_ROUTE, `no route for topic ${topic}: ${detail}`, {
      retriable: true,
      cause: options.cause,
    });
  }
}

/** A message body over the producer's maxMessageSize; checked before anything is sent. */
export class MessageTooLargeError extends KeelError {
  constructor(
    readonly sizeBytes: number,
    readonly limitBytes: number,
    what = 'message body',
  ) {
    super(
      ClientErrorCodes.MESSAGE_TOO_LARGE,
      `${what} is ${sizeBytes} bytes, over the producer's maxMessageSize of ${limitBytes} bytes; ` +
        'send a smaller body (e.g. store the payload elsewhere and send a reference), or raise ' +
        "maxMessageSize together with the broker's maxMessageSize",
    );
  }
}

/** A message the client refuses to send as given (empty topic, reserved property, bad delay level). */
export class InvalidMessageError extends KeelError {
  constructor(message: string) {
    super(ClientErrorCodes.MESSAGE_INVALID, message);
  }
}

/** A stored body compressed with an algorithm this client cannot inflate. */
export class UnsupportedCompressionError extends KeelError {
  constructor(readonly compressionType: string) {
    super(
      ClientErrorCodes.COMPRESSION_UNSUPPORTED,
      `message body is compressed with ${compressionType}, which Keel's client does not support ` +
        '(only zlib is); have the producer use zlib (RocketMQ 4.x default) or no compression',
    );
  }
}

/** Bytes of a pull body that are not whole records. */
export class MessageDecodeError extends KeelError {
  constructor(message: string, options: { readonly cause?: unknown } = {}) {
    super(ClientErrorCodes.MESSAGE_DECODE_FAILED, message, { cause: options.cause });
  }
}
