// When a sent message is due: now, after a delay level (DELAY), or at an absolute time (RocketMQ 5's
// TIMER_DELIVER_MS, TIMER_DELAY_SEC or TIMER_DELAY_MS, or the older __STARTDELIVERTIME). Bad values
// are refused with the property named, never stored as an immediate message.

import { MessageConst } from '../../protocol/message/message-const';
import type { MessageProperties } from '../../protocol/message/message-properties';

export type DeliveryTime =
  | { readonly kind: 'now' }
  | { readonly kind: 'level'; readonly level: number }
  | { readonly kind: 'at'; readonly atMs: number };

export type DeliveryTimeParse =
  { readonly ok: true; readonly time: DeliveryTime } | { readonly ok: false; readonly problem: string };

export interface DeliveryTimeSettings {
  /** Delay of each level in ms, index 0 for level 1 (messageDelayLevel parsed). */
  readonly messageDelayLevelsMs: readonly number[];
  readonly timerMaxDelaySec: number;
}

const NOW: DeliveryTimeParse = { ok: true, time: { kind: 'now' } };

const ABSOLUTE = [MessageConst.PROPERTY_TIMER_DELIVER_MS, MessageConst.PROPERTY_START_DELIVER_TIME] as const;
const RELATIVE = [
  [MessageConst.PROPERTY_TIMER_DELAY_SEC, 1000],
  [MessageConst.PROPERTY_TIMER_DELAY_MS, 1],
] as const;

/**
 * Every property that asks for delivery at a time, absolute ones first (the order they are read
 * in). The send path refuses them in a batch; the timer drops them from the copy it delivers.
 */
export const DELIVERY_TIME_PROPERTIES: readonly string[] = [
  ...ABSOLUTE,
  ...RELATIVE.map(([property]) => property),
];

export function deliveryTimeOf(
  properties: MessageProperties,
  nowMs: number,
  settings: DeliveryTimeSettings,
): DeliveryTimeParse {
  const levelText = properties.get(MessageConst.PROPERTY_DELAY_TIME_LEVEL);
  const at = requestedTime(properties, nowMs);
  if (at === undefined && (levelText === undefined || levelText === '0')) return NOW;
  if (at !== undefined && !at.ok) return at;
  const level = levelText === undefined ? 0 : Number(levelText);
  if (!Number.isInteger(level) || level < 0) {
    return {
      ok: false,
      problem: `DELAY=${levelText} is not a delay level; set a level from 1 to ${settings.messageDelayLevelsMs.length} (or 0 for none)`,
    };
  }
  if (at !== undefined && level > 0) {
    return {
      ok: false,
      problem: `the message sets both DELAY=${levelText} and ${at.property}; set a delay level or a delivery time, not both`,
    };
  }
  if (level > 0) {
    // RocketMQ clamps a level above the highest configured to the highest.
    return {
      ok: true,
      time: { kind: 'level', level: Math.min(level, settings.messageDelayLevelsMs.length) },
    };
  }
  if (at === undefined || at.atMs <= nowMs) return NOW;
  const horizonMs = settings.timerMaxDelaySec * 1000;
  if (at.atMs - nowMs > horizonMs) {
    return {
      ok: false,
      problem:
        `${at.property} asks for delivery ${Math.round((at.atMs - nowMs) / 1000)} s from now, beyond this broker's ` +
        `timerMaxDelaySec of ${settings.timerMaxDelaySec} s; deliver sooner or raise timerMaxDelaySec`,
    };
  }
  return { ok: true, time: { kind: 'at', atMs: at.atMs } };
}

type RequestedTime =
  | { readonly ok: true; readonly atMs: number; readonly property: string }
  | { readonly ok: false; readonly problem: string };

function requestedTime(properties: MessageProperties, nowMs: number): RequestedTime | undefined {
  for (const property of ABSOLUTE) {
    const text = properties.get(property);
    if (text !== undefined) return parseMs(property, text, (ms) => ms);
  }
  for (const [property, unitMs] of RELATIVE) {
    const text = properties.get(property);
    if (text !== undefined) return parseMs(property, text, (amount) => nowMs + amount * unitMs);
  }
  return undefined;
}

function parseMs(property: string, text: string, toAbsolute: (value: number) => number): RequestedTime {
  const value = Number(text);
  if (text.trim() === '' || !Number.isSafeInteger(value) || value < 0) {
    return {
      ok: false,
      problem: `${property}=${text} is not a time; set a whole, non-negative number (${property === MessageConst.PROPERTY_TIMER_DELAY_SEC ? 'seconds' : 'milliseconds'})`,
    };
  }
  return { ok: true, atMs: toAbsolute(value), property };
}
