// Errors of the message codecs. They are programming or input errors, never transient, so none is
// retriable. Corrupt bytes read from disk are not errors: the decoder returns them as a result.

import { KeelError } from '../../common/errors';

export const MessageErrorCodes = {
  PROPERTIES_TOO_LONG: 'MESSAGE_PROPERTIES_TOO_LONG',
  PROPERTY_INVALID: 'MESSAGE_PROPERTY_INVALID',
  TOPIC_TOO_LONG: 'MESSAGE_TOPIC_TOO_LONG',
  FIELD_INVALID: 'MESSAGE_FIELD_INVALID',
  BUFFER_TOO_SMALL: 'MESSAGE_BUFFER_TOO_SMALL',
  HOST_ADDRESS_INVALID: 'HOST_ADDRESS_INVALID',
  MESSAGE_ID_INVALID: 'MESSAGE_ID_INVALID',
} as const;

export type MessageErrorCode = (typeof MessageErrorCodes)[keyof typeof MessageErrorCodes];

/** The UTF-8 properties string does not fit the record's signed-short length field. */
export class MessagePropertiesTooLongError extends KeelError {
  readonly byteLength: number;
  readonly maxByteLength: number;

  constructor(byteLength: number, maxByteLength: number) {
    super(
      MessageErrorCodes.PROPERTIES_TOO_LONG,
      `message properties are ${byteLength} bytes in UTF-8, more than the ${maxByteLength} a stored message can hold`,
    );
    this.byteLength = byteLength;
    this.maxByteLength = maxByteLength;
  }
}

/** A property name or value that would not survive the properties string (it contains a separator). */
export class InvalidMessagePropertyError extends KeelError {
  readonly propertyName: string;

  constructor(propertyName: string, reason: string) {
    super(MessageErrorCodes.PROPERTY_INVALID, `message property ${JSON.stringify(propertyName)}: ${reason}`);
    this.propertyName = propertyName;
  }
}

/** The topic does not fit the record's one signed byte of length. */
export class TopicTooLongError extends KeelError {
  readonly byteLength: number;
  readonly maxByteLength: number;

  constructor(byteLength: number, maxByteLength: number) {
    super(
      MessageErrorCodes.TOPIC_TOO_LONG,
      `topic is ${byteLength} bytes in UTF-8, more than the ${maxByteLength} a stored message can hold`,
    );
    this.byteLength = byteLength;
    this.maxByteLength = maxByteLength;
  }
}

/** A numeric field outside what its Java type (int or long) or JavaScript's safe integers can hold. */
export class InvalidMessageFieldError extends KeelError {
  readonly field: string;

  constructor(field: string, reason: string) {
    super(MessageErrorCodes.FIELD_INVALID, `stored message field ${field}: ${reason}`);
    this.field = field;
  }
}

/** The caller's buffer has no room for what it asked to write. */
export class MessageBufferTooSmallError extends KeelError {
  readonly needed: number;
  readonly available: number;

  constructor(what: string, needed: number, available: number) {
    super(
      MessageErrorCodes.BUFFER_TOO_SMALL,
      `${what} needs ${needed} bytes at the given position but the buffer has ${available}`,
    );
    this.needed = needed;
    this.available = available;
  }
}

/** Text that is not an `ip:port` socket address with a literal IPv4 or IPv6 address. */
export class InvalidHostAddressError extends KeelError {
  readonly input: string;

  constructor(input: string, reason: string) {
    super(MessageErrorCodes.HOST_ADDRESS_INVALID, `invalid host address ${JSON.stringify(input)}: ${reason}`);
    this.input = input;
  }
}

/** Text that is not an offset message id or a UNIQ_KEY. */
export class InvalidMessageIdError extends KeelError {
  readonly messageId: string;

  constructor(messageId: string, reason: string) {
    super(MessageErrorCodes.MESSAGE_ID_INVALID, `invalid message id ${JSON.stringify(messageId)}: ${reason}`);
    this.messageId = messageId;
  }
}
