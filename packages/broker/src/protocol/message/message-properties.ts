// The message properties string (`MessageDecoder.messageProperties2String` / `string2messageProperties`):
//
//   properties = entry *( %x02 entry )        ; no trailing separator
//   entry      = name %x01 value
//
// stored as UTF-8 behind a signed-short length. Properties are a Map, not a plain object: a Map keeps
// insertion order for every key, so a parsed string re-encodes to the same bytes, and no key (such as
// "__proto__") is special.
//
// Java's rules, kept exactly because a Java client or broker reads what we write:
// - encoding skips entries whose value is null (here: null or undefined) and writes empty values;
// - parsing ignores a segment shorter than 3 UTF-16 code units, or with an empty name or empty value,
//   so empty values do not survive a round trip; a later duplicate name wins; a value may contain
//   %x01 (the name ends at the first one).
// Java writes a name holding %x01 or %x02, or a value holding %x02, and then reads something else
// back; we refuse to encode those instead.

import { InvalidMessagePropertyError, MessagePropertiesTooLongError } from './message-errors';
import { MAX_PROPERTIES_LENGTH } from './stored-message-layout';

export const NAME_VALUE_SEPARATOR = '\u0001';
export const PROPERTY_SEPARATOR = '\u0002';

/** Parsed message properties, in the order they appear in the string. */
export type MessageProperties = Map<string, string>;

/** What {@link messagePropertiesToString} accepts: entries with a null or undefined value are skipped. */
export type MessagePropertiesInput = ReadonlyMap<string, string | null | undefined>;

function checkEntry(name: string, value: string): void {
  if (name.includes(NAME_VALUE_SEPARATOR) || name.includes(PROPERTY_SEPARATOR)) {
    throw new InvalidMessagePropertyError(name, 'the name contains a \\u0001 or \\u0002 separator');
  }
  if (value.includes(PROPERTY_SEPARATOR)) {
    throw new InvalidMessagePropertyError(name, 'the value contains the \\u0002 separator');
  }
}

/** The properties string of a map, as Java writes it. Throws InvalidMessagePropertyError (see top). */
export function messagePropertiesToString(properties: MessagePropertiesInput): string {
  const parts: string[] = [];
  for (const [name, value] of properties) {
    if (value === null || value === undefined) continue;
    checkEntry(name, value);
    parts.push(name, NAME_VALUE_SEPARATOR, value, PROPERTY_SEPARATOR);
  }
  parts.pop(); // no trailing separator
  return parts.join('');
}

/** Parses a properties string as Java does; never throws. */
export function parseMessageProperties(text: string): MessageProperties {
  const map: MessageProperties = new Map();
  const len = text.length;
  let index = 0;
  while (index < len) {
    let end = text.indexOf(PROPERTY_SEPARATOR, index);
    if (end < 0) end = len;
    if (end - index >= 3) {
      const sep = text.indexOf(NAME_VALUE_SEPARATOR, index);
      if (sep > index && sep < end - 1) {
        map.set(text.slice(index, sep), text.slice(sep + 1, end));
      }
    }
    index = end + 1;
  }
  return map;
}

/** UTF-8 length of a properties string, or MessagePropertiesTooLongError when a record cannot hold it. */
export function checkedPropertiesLength(text: string): number {
  const length = Buffer.byteLength(text, 'utf8');
  if (length > MAX_PROPERTIES_LENGTH) throw new MessagePropertiesTooLongError(length, MAX_PROPERTIES_LENGTH);
  return length;
}

/** The UTF-8 bytes of the properties string; throws when it exceeds 32,767 bytes. */
export function encodeMessageProperties(properties: MessagePropertiesInput): Buffer {
  const bytes = Buffer.from(messagePropertiesToString(properties), 'utf8');
  if (bytes.length > MAX_PROPERTIES_LENGTH) {
    throw new MessagePropertiesTooLongError(bytes.length, MAX_PROPERTIES_LENGTH);
  }
  return bytes;
}

/** Parses UTF-8 properties bytes `[start, end)` of `bytes`. */
export function decodeMessageProperties(bytes: Buffer, start = 0, end = bytes.length): MessageProperties {
  return parseMessageProperties(bytes.toString('utf8', start, end));
}
