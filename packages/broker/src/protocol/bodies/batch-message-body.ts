// The body of SEND_BATCH_MESSAGE (320) (fact sheet §2.3, `MessageDecoder.encodeMessages`): entries
// back to back, no count, no padding:
//
//   +-----------+-----------+-------------+----------+-------------+------+---------------+------------+
//   | totalSize | magic (0) | bodyCRC (0) | flag     | bodyLength  | body | propsLength   | properties |
//   | int       | int       | int         | int      | int         |      | short         | UTF-8      |
//   +-----------+-----------+-------------+----------+-------------+------+---------------+------------+
//   totalSize = 22 + bodyLength + propsLength (it counts itself)
//
// Producers send magic and bodyCRC as 0 and the broker recomputes the CRC, so neither is checked.
// Every length is checked against the bytes that remain and against totalSize before anything is
// read: a malformed batch is a BodyDecodeError naming the entry, never a read past the buffer.

import {
  encodeMessageProperties,
  parseMessageProperties,
  type MessageProperties,
  type MessagePropertiesInput,
} from '../message/message-properties';
import { BodyDecodeError } from './body-errors';

const BODY = 'MessageBatch';

/** Fixed bytes of one entry: five ints and the properties' short length. */
export const BATCH_ENTRY_FIXED_BYTES = 4 + 4 + 4 + 4 + 4 + 2;

export interface BatchMessageEntry {
  /** The user flag (`Message.flag`). */
  readonly flag: number;
  /** A view into the request body, not a copy. */
  readonly body: Buffer;
  readonly properties: MessageProperties;
  /** The properties exactly as sent (UTF-8 text), for re-encoding without a round trip. */
  readonly propertiesText: string;
}

export interface BatchMessageEntryInput {
  readonly flag: number;
  readonly body: Uint8Array;
  readonly properties: MessagePropertiesInput;
}

export function encodeBatchMessageBody(entries: readonly BatchMessageEntryInput[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const properties = encodeMessageProperties(entry.properties);
    const head = Buffer.alloc(20);
    head.writeInt32BE(BATCH_ENTRY_FIXED_BYTES + entry.body.length + properties.length, 0);
    head.writeInt32BE(0, 4); // magic: the broker does not read it
    head.writeInt32BE(0, 8); // body CRC: the broker computes it
    head.writeInt32BE(entry.flag, 12);
    head.writeInt32BE(entry.body.length, 16);
    const propertiesLength = Buffer.alloc(2);
    propertiesLength.writeInt16BE(properties.length);
    parts.push(head, Buffer.from(entry.body), propertiesLength, properties);
  }
  return Buffer.concat(parts);
}

export function decodeBatchMessageBody(bytes: Uint8Array): BatchMessageEntry[] {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const entries: BatchMessageEntry[] = [];
  let at = 0;
  while (at < buffer.length) {
    const index = entries.length;
    const fail = (problem: string) =>
      new BodyDecodeError(BODY, `[${index}]`, `${problem} (entry at byte ${at} of ${buffer.length})`);
    const remaining = buffer.length - at;
    if (remaining < BATCH_ENTRY_FIXED_BYTES) {
      throw fail(
        `${remaining} trailing bytes are too few for an entry (at least ${BATCH_ENTRY_FIXED_BYTES})`,
      );
    }
    const totalSize = buffer.readInt32BE(at);
    if (totalSize < BATCH_ENTRY_FIXED_BYTES || totalSize > remaining) {
      throw fail(
        `totalSize ${totalSize} must be from ${BATCH_ENTRY_FIXED_BYTES} to the ${remaining} bytes left`,
      );
    }
    const flag = buffer.readInt32BE(at + 12);
    const bodyLength = buffer.readInt32BE(at + 16);
    if (bodyLength < 0 || bodyLength > totalSize - BATCH_ENTRY_FIXED_BYTES) {
      throw fail(`bodyLength ${bodyLength} does not fit totalSize ${totalSize}`);
    }
    const bodyStart = at + 20;
    const propertiesLength = buffer.readInt16BE(bodyStart + bodyLength);
    if (propertiesLength < 0) {
      throw fail(`propertiesLength ${propertiesLength} is negative`);
    }
    if (BATCH_ENTRY_FIXED_BYTES + bodyLength + propertiesLength !== totalSize) {
      throw fail(
        `totalSize ${totalSize} differs from 22 + bodyLength ${bodyLength} + propertiesLength ${propertiesLength}`,
      );
    }
    const propertiesStart = bodyStart + bodyLength + 2;
    const propertiesText = buffer.toString('utf8', propertiesStart, propertiesStart + propertiesLength);
    entries.push({
      flag,
      body: buffer.subarray(bodyStart, bodyStart + bodyLength),
      properties: parseMessageProperties(propertiesText),
      propertiesText,
    });
    at += totalSize;
  }
  return entries;
}
