// Reads RocketMQ's config/*.json files: fastjson's dialect (bare integer map keys such as
// `{"offsetTable":{"T@G":{0:12,1:30}}}`, unquoted field names, a leading byte-order mark), parsed by
// the shared reader in common/json and turned into plain values here.
//
// The shared reader stays strict on purpose: it is also how a damaged file is recognised, so a
// truncated document, a NUL-filled tail (what some file systems leave after a crash) or trailing
// garbage is an error, never a silently shortened table. Objects used *as keys* (fastjson's
// MessageQueue-keyed maps in admin bodies) never occur in these files and are rejected.

import { JsonSyntaxError } from '../../common/json/json-errors';
import { parseFastjson, type FastjsonValue } from '../../common/json/fastjson-reader';
import { MetadataFormatError } from './metadata-errors';

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | JsonObject;

/**
 * A parsed JSON object. It has no prototype, so keys such as `__proto__` (a legal group name) are
 * plain entries; read it with `Object.keys` / indexing only.
 */
export interface JsonObject {
  readonly [key: string]: JsonValue;
}

/** Parses standard JSON or fastjson's dialect; throws MetadataFormatError naming line and column. */
export function parseTolerantJson(text: string): JsonValue {
  let tree: FastjsonValue;
  try {
    tree = parseFastjson(text);
  } catch (error: unknown) {
    if (error instanceof JsonSyntaxError) throw new MetadataFormatError(error.message);
    throw error;
  }
  return toPlain(tree);
}

function toPlain(value: FastjsonValue): JsonValue {
  switch (value.kind) {
    case 'string':
    case 'boolean':
      return value.value;
    case 'null':
      return null;
    case 'number':
      return Number(value.text);
    case 'array':
      return value.items.map(toPlain);
    case 'object': {
      const object: Record<string, JsonValue> = Object.create(null) as Record<string, JsonValue>;
      // Duplicate keys: the last one wins, as with JSON.parse and fastjson.
      for (const [key, entry] of value.entries) object[key] = toPlain(entry);
      return object;
    }
  }
}
