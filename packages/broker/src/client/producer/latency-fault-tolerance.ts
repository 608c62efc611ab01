// Send-latency fault avoidance (RocketMQ's MQFaultStrategy + LatencyFaultToleranceImpl, fact sheet
// §8.2), as pure logic on an injected clock. After every send the producer reports how long the
// broker took; a slow broker is avoided for a while, a broker that failed is avoided for the
// longest period (RocketMQ reports a failure as a 30 s latency: 600 s of avoidance).
//
//   latency >=   50  100  550  1000  2000  3000  15000 ms
//   avoid for     0    0   30    60   120   180    600 s

import type { Clock } from '../../common/clock';

const LATENCY_THRESHOLDS_MS = [50, 100, 550, 1000, 2000, 3000, 15_000] as const;
const NOT_AVAILABLE_DURATIONS_MS = [0, 0, 30_000, 60_000, 120_000, 180_000, 600_000] as const;

/** The latency a failed send counts as (RocketMQ's `isolation`): the top of the table. */
export const FAILURE_LATENCY_MS = 30_000;

/** How long a broker that answered after `latencyMs` is avoided. */
export function notAvailableDurationMs(latencyMs: number): number {
  for (let i = LATENCY_THRESHOLDS_MS.length - 1; i >= 0; i--) {
    if (latencyMs >= LATENCY_THRESHOLDS_MS[i]!) return NOT_AVAILABLE_DURATIONS_MS[i]!;
  }
  return 0;
}

interface FaultItem {
  readonly brokerName: string;
  readonly latencyMs: number;
  readonly availableAtMs: number;
}

export class LatencyFaultTolerance {
  readonly #clock: Clock;
  readonly #items = new Map<string, FaultItem>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Records a send to `brokerName` that took `latencyMs`, or failed (`failed`). */
  record(brokerName: string, latencyMs: number, failed: boolean): void {
    const counted = failed ? FAILURE_LATENCY_MS : latencyMs;
    this.#items.set(brokerName, {
      brokerName,
      latencyMs: counted,
      availableAtMs: this.#clock.now() + notAvailableDurationMs(counted),
    });
  }

  isAvailable(brokerName: string): boolean {
    const item = this.#items.get(brokerName);
    return item === undefined || this.#clock.now() >= item.availableAtMs;
  }

  /** When `brokerName` may be used again (epoch ms), or undefined when it is not avoided. */
  availableAt(brokerName: string): number | undefined {
    const item = this.#items.get(brokerName);
    return item === undefined || this.#clock.now() >= item.availableAtMs ? undefined : item.availableAtMs;
  }

  remove(brokerName: string): void {
    this.#items.delete(brokerName);
  }

  /**
   * When every broker is avoided, the least bad one: available first, then the lowest latency,
   * then the one whose avoidance ends first. Undefined when nothing was recorded.
   */
  pickOneAtLeast(): string | undefined {
    const now = this.#clock.now();
    let best: FaultItem | undefined;
    for (const item of this.#items.values()) {
      if (best === undefined || compareItems(item, best, now) < 0) best = item;
    }
    return best?.brokerName;
  }
}

function compareItems(a: FaultItem, b: FaultItem, now: number): number {
  const aAvailable = now >= a.availableAtMs ? 0 : 1;
  const bAvailable = now >= b.availableAtMs ? 0 : 1;
  if (aAvailable !== bAvailable) return aAvailable - bAvailable;
  if (a.latencyMs !== b.latencyMs) return a.latencyMs - b.latencyMs;
  return a.availableAtMs - b.availableAtMs;
}
