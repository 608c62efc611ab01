// The load shapes of the client benchmark, independent of the system under test: each takes a
// `publish` that resolves once the system acknowledged the message, and a timer.
//
//   window         `window` publishes in flight at all times (a new one as each is acknowledged)
//   window-batches `window` publishes, then await them all, repeat (what some clients prefer)
//   paced          `rate` messages/s on a schedule, not awaiting acknowledgements, for latency

export type Publish = () => Promise<void>;

export interface BenchTimer {
  /** Monotonic milliseconds. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realTimer: BenchTimer = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface ThroughputResult {
  /** Acknowledged messages (a batch counts its messages). */
  readonly messages: number;
  readonly elapsedMs: number;
  readonly messagesPerSecond: number;
}

function throughput(messages: number, elapsedMs: number): ThroughputResult {
  return { messages, elapsedMs, messagesPerSecond: elapsedMs > 0 ? (messages * 1000) / elapsedMs : 0 };
}

/**
 * Keeps `window` publishes in flight until `durationMs` has passed, then waits for the last ones;
 * each acknowledged publish counts `messagesPerPublish` messages.
 */
export async function runWindow(
  publish: Publish,
  window: number,
  durationMs: number,
  timer: BenchTimer,
  messagesPerPublish = 1,
): Promise<ThroughputResult> {
  const start = timer.now();
  let acknowledged = 0;
  const lane = async (): Promise<void> => {
    while (timer.now() - start < durationMs) {
      await publish();
      acknowledged += messagesPerPublish;
    }
  };
  await Promise.all(Array.from({ length: window }, lane));
  return throughput(acknowledged, timer.now() - start);
}

/** Publishes `window` at once and awaits all of them, until `durationMs` has passed. */
export async function runWindowBatches(
  publish: Publish,
  window: number,
  durationMs: number,
  timer: BenchTimer,
): Promise<ThroughputResult> {
  const start = timer.now();
  let acknowledged = 0;
  while (timer.now() - start < durationMs) {
    await Promise.all(Array.from({ length: window }, publish));
    acknowledged += window;
  }
  return throughput(acknowledged, timer.now() - start);
}

export interface PacedResult {
  readonly sent: number;
  /** How far behind its schedule the loop fell at worst: a large value means the rate was not held. */
  readonly maxLagMs: number;
}

/**
 * Sends round(rate × durationMs / 1000) messages, message i at start + i / rate, checking the
 * schedule every `tickMs`. Sends are not awaited one by one (a latency run must not let one slow
 * acknowledgement hold back the next send); all are awaited at the end, and the first failure is
 * thrown.
 */
export async function runPaced(
  send: (index: number) => Promise<void>,
  rate: number,
  durationMs: number,
  timer: BenchTimer,
  tickMs = 1,
): Promise<PacedResult> {
  const total = Math.round((rate * durationMs) / 1000);
  const pending: Promise<void>[] = [];
  const start = timer.now();
  let sent = 0;
  let maxLagMs = 0;
  while (sent < total) {
    const elapsed = timer.now() - start;
    const due = Math.min(total, Math.floor((elapsed * rate) / 1000) + 1);
    if (due > sent) maxLagMs = Math.max(maxLagMs, elapsed - (sent * 1000) / rate);
    for (; sent < due; sent++) pending.push(send(sent));
    if (sent < total) await timer.sleep(tickMs);
  }
  await Promise.all(pending);
  return { sent, maxLagMs };
}
