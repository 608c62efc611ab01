// Errors of the remoting transport. All are retriable: a connection that failed, closed or was too
// slow says nothing about whether the same request would succeed on another try or another broker.

import { KeelError } from '../common/errors';

export const TransportErrorCodes = {
  CONNECT_FAILED: 'REMOTING_CONNECT_FAILED',
  TIMEOUT: 'REMOTING_TIMEOUT',
  CONNECTION_CLOSED: 'REMOTING_CONNECTION_CLOSED',
  SEND_FAILED: 'REMOTING_SEND_FAILED',
  ADDRESS_INVALID: 'REMOTING_ADDRESS_INVALID',
} as const;

export class RemotingConnectError extends KeelError {
  constructor(
    readonly address: string,
    cause: unknown,
  ) {
    super(TransportErrorCodes.CONNECT_FAILED, `cannot connect to ${address}: ${String(cause)}`, {
      retriable: true,
      cause,
    });
  }
}

/** No response within the request's timeout. The request may still have been executed. */
export class RemotingTimeoutError extends KeelError {
  constructor(
    readonly address: string,
    readonly requestCode: number,
    readonly timeoutMs: number,
  ) {
    super(
      TransportErrorCodes.TIMEOUT,
      `no response from ${address} to request code ${requestCode} within ${timeoutMs} ms`,
      { retriable: true },
    );
  }
}

/** The connection closed before a response arrived. The request may still have been executed. */
export class ConnectionClosedError extends KeelError {
  constructor(
    readonly address: string,
    reason: string,
  ) {
    super(TransportErrorCodes.CONNECTION_CLOSED, `connection to ${address} closed: ${reason}`, {
      retriable: true,
    });
  }
}

/** A malformed `host:port`. Not retriable: the same text fails the same way. */
export class AddressError extends KeelError {
  constructor(message: string) {
    super(TransportErrorCodes.ADDRESS_INVALID, message);
  }
}
