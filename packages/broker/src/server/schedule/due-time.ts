// When a parked entry of a delay level is due. Its consume-queue tagsCode is the delivery time the
// store computed at append (store time + the level's delay). If the clock has since moved back, that
// time can lie further ahead than the level's whole delay; waiting for it would hold the message
// for as long as the clock jumped (hours, days). RocketMQ's rule (correctDeliverTimestamp), kept
// here: a delivery time later than now + the level's delay is due now.

export function effectiveDueAt(deliveryTimeMs: number, nowMs: number, levelDelayMs: number): number {
  return deliveryTimeMs > nowMs + levelDelayMs ? nowMs : deliveryTimeMs;
}
