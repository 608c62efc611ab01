// Waiting for handlers in tests: one delivery (awaitDelivery), all of them so far (a recorder), or
// quiet (drain). They listen to runtime.events, so they see deliveries from the moment they are
// called; use recordDeliveries(runtime) before acting when a delivery may come first.

import { TimeoutError, sleep, systemClock } from '@keel/broker';
import type { KeelRuntime } from '../runtime/keel-runtime';
import type { DeliveryEvent } from '../runtime/runtime-events';

/** Resolves with the first delivery (any outcome) matching `predicate`; rejects after `timeoutMs`. */
export function awaitDelivery(
  runtime: KeelRuntime,
  predicate: (event: DeliveryEvent) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<DeliveryEvent> {
  return new Promise((resolve, reject) => {
    const timer = systemClock.setTimeout(() => {
      off();
      reject(new TimeoutError('awaitDelivery: no matching delivery', timeoutMs));
    }, timeoutMs);
    const off = runtime.events.on('delivered', (event) => {
      let matches: boolean;
      try {
        matches = predicate(event);
      } catch (error: unknown) {
        off();
        systemClock.clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      if (!matches) return;
      off();
      systemClock.clearTimeout(timer);
      resolve(event);
    });
  });
}

export interface DeliveryRecorder {
  /** Every delivery since the recorder was created, in order. */
  readonly events: readonly DeliveryEvent[];
  /** Resolves once `count` recorded deliveries match `predicate` (counting those already seen). */
  waitFor(
    predicate: (event: DeliveryEvent) => boolean,
    count?: number,
    timeoutMs?: number,
  ): Promise<DeliveryEvent[]>;
  stop(): void;
}

export function recordDeliveries(runtime: KeelRuntime): DeliveryRecorder {
  const events: DeliveryEvent[] = [];
  const waiters = new Set<() => void>();
  const off = runtime.events.on('delivered', (event) => {
    events.push(event);
    for (const wake of [...waiters]) wake();
  });
  return {
    events,
    waitFor(predicate, count = 1, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const matching = events.filter(predicate);
          if (matching.length < count) return false;
          waiters.delete(wake);
          systemClock.clearTimeout(timer);
          resolve(matching);
          return true;
        };
        const wake = () => void check();
        const timer = systemClock.setTimeout(() => {
          waiters.delete(wake);
          reject(
            new TimeoutError(
              `recordDeliveries.waitFor: ${events.filter(predicate).length} of ${count} matching deliveries`,
              timeoutMs,
            ),
          );
        }, timeoutMs);
        waiters.add(wake);
        check();
      });
    },
    stop: off,
  };
}

export interface DrainOptions {
  /** How long no delivery may start before the runtime counts as drained. Default 200 ms. */
  readonly quietMs?: number;
  /** Default 30 s. */
  readonly timeoutMs?: number;
}

/**
 * Resolves once no handler of `runtime` runs and none has started for `quietMs`: everything the
 * broker had delivered is handled. Redeliveries the broker schedules for later (retries) are not
 * waited for; await them with awaitDelivery.
 */
export async function drain(runtime: KeelRuntime, options: DrainOptions = {}): Promise<void> {
  const quietMs = options.quietMs ?? 200;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = systemClock.now() + timeoutMs;
  let lastStart = systemClock.now();
  const off = runtime.events.on('deliveryStarted', () => {
    lastStart = systemClock.now();
  });
  try {
    for (;;) {
      const now = systemClock.now();
      if (runtime.activeDeliveries === 0 && now - lastStart >= quietMs) return;
      if (now >= deadline) {
        throw new TimeoutError(`drain: handlers still busy (${runtime.activeDeliveries} running)`, timeoutMs);
      }
      // Polls: "nothing started for quietMs" is the absence of an event, which no event announces.
      await sleep(systemClock, Math.min(quietMs, 20));
    }
  } finally {
    off();
  }
}
