// RocketMQ's DataVersion ([C]DataVersion.java in 4.x): a timestamp and a counter that move on every
// change of a metadata table. The broker sends the topic table's version with each registration
// and the name server rebuilds routes only when it differs from the last one it saw, so it must
// change on every change and survive restarts (it is stored in topics.json and
// subscriptionGroup.json as `"dataVersion":{"counter":N,"timestamp":ms}`).

import { FieldReader } from './json-fields';
import type { JsonValue } from './tolerant-json';

export interface DataVersion {
  /** Epoch ms of the last change (of creation, before any change). */
  readonly timestamp: number;
  /** Number of changes; it, not the timestamp, guarantees that versions differ (clocks step back). */
  readonly counter: number;
}

/** The JSON shape, keys in fastjson's (alphabetical) order. */
export interface DataVersionJson {
  readonly counter: number;
  readonly timestamp: number;
}

export function initialDataVersion(nowMs: number): DataVersion {
  return { timestamp: nowMs, counter: 0 };
}

export function nextDataVersion(current: DataVersion, nowMs: number): DataVersion {
  return { timestamp: nowMs, counter: current.counter + 1 };
}

export function sameDataVersion(a: DataVersion, b: DataVersion): boolean {
  return a.timestamp === b.timestamp && a.counter === b.counter;
}

export function dataVersionToJson(version: DataVersion): DataVersionJson {
  return { counter: version.counter, timestamp: version.timestamp };
}

/**
 * Reads `"dataVersion"`; `fallback` supplies fields that are missing, as Java's constructor would.
 * Unknown fields (5.x adds `stateVersion`) are added to `ignored`.
 */
export function decodeDataVersion(
  json: JsonValue | undefined,
  where: string,
  fallback: DataVersion,
  ignored: string[],
): DataVersion {
  const fields = new FieldReader(json, where);
  const version = {
    timestamp: fields.long('timestamp', fallback.timestamp),
    counter: fields.long('counter', fallback.counter),
  };
  ignored.push(...fields.unread());
  return version;
}

/** The optional `"dataVersion"` field of a wrapper object, or undefined when the file has none. */
export function readDataVersionField(
  wrapper: FieldReader,
  nowMs: number,
  ignored: string[],
): DataVersion | undefined {
  const json = wrapper.raw('dataVersion');
  if (json === undefined) return undefined;
  return decodeDataVersion(json, 'dataVersion', initialDataVersion(nowMs), ignored);
}
