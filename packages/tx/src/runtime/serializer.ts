// How message bodies become bytes at publish() and values again for handlers. JSON by default;
// a runtime takes any object with these two functions (protobuf, MessagePack, ...). Both sides of
// a topic must agree: the body carries no format marker.

import { TxError, TxErrorCodes } from '../errors';

export interface Serializer {
  serialize(value: unknown): Buffer;
  deserialize(bytes: Buffer): unknown;
}

/** UTF-8 JSON. Values JSON cannot express (undefined, a function, a bigint) are refused. */
export const jsonSerializer: Serializer = Object.freeze({
  serialize(value: unknown): Buffer {
    const text = JSON.stringify(value);
    // JSON.stringify answers undefined rather than throwing for undefined, functions and symbols.
    if (typeof text !== 'string') {
      throw new TypeError(`${typeof value} cannot be written as JSON; publish a value JSON can hold`);
    }
    return Buffer.from(text, 'utf8');
  },
  deserialize(bytes: Buffer): unknown {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  },
});

/** Serializes with `serializer`; any failure is a TxError naming the topic, with the cause. */
export function serializeBody(serializer: Serializer, topic: string, body: unknown): Buffer {
  let bytes: unknown;
  try {
    bytes = serializer.serialize(body);
  } catch (error: unknown) {
    throw new TxError(
      TxErrorCodes.SERIALIZATION,
      `publish(${topic}): the body could not be serialized (the cause says why)`,
      { cause: error },
    );
  }
  if (!Buffer.isBuffer(bytes) || bytes.length === 0) {
    throw new TxError(
      TxErrorCodes.SERIALIZATION,
      `publish(${topic}): the serializer must return a non-empty Buffer, got ` +
        (Buffer.isBuffer(bytes) ? 'an empty one' : typeof bytes),
    );
  }
  return bytes;
}

/** Deserializes a delivered body; any failure is a TxError naming the message, with the cause. */
export function deserializeBody(
  serializer: Serializer,
  topic: string,
  msgId: string,
  bytes: Buffer,
): unknown {
  try {
    return serializer.deserialize(bytes);
  } catch (error: unknown) {
    throw new TxError(
      TxErrorCodes.SERIALIZATION,
      `message ${msgId} of topic ${topic}: the body could not be deserialized (the cause says why); ` +
        'retrying cannot help, so it goes to the dead-letter queue',
      { cause: error },
    );
  }
}
