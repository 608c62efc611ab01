// Counters since start for GET_BROKER_RUNTIME_INFO (and the metrics to come). RocketMQ also
// reports yesterday's and today's totals; those need a day boundary and are left to the metrics.

import type { Clock } from '../common/clock';

/** The requests whose latency is observed (the metrics' send and pull histograms). */
export type ObservedRequest = 'send' | 'pull';
export type LatencyObserver = (request: ObservedRequest, seconds: number) => void;

export class BrokerStats {
  readonly bootTimestampMs: number;
  #putMessages = 0;
  #putBytes = 0;
  #getMessages = 0;
  #getBytes = 0;
  #putFailures = 0;
  // Latencies are not kept here: only an observer (the metrics endpoint, when on) wants them.
  readonly #latencyObservers = new Set<LatencyObserver>();

  constructor(clock: Clock) {
    this.bootTimestampMs = clock.now();
  }

  recordPut(messages: number, bytes: number): void {
    this.#putMessages += messages;
    this.#putBytes += bytes;
  }

  recordPutFailure(): void {
    this.#putFailures++;
  }

  recordGet(messages: number, bytes: number): void {
    this.#getMessages += messages;
    this.#getBytes += bytes;
  }

  recordLatency(request: ObservedRequest, seconds: number): void {
    for (const observer of this.#latencyObservers) observer(request, seconds);
  }

  /** Calls `observer` with every latency recorded from now on; returns the function that stops it. */
  observeLatency(observer: LatencyObserver): () => void {
    this.#latencyObservers.add(observer);
    return () => this.#latencyObservers.delete(observer);
  }

  snapshot(): {
    readonly putMessages: number;
    readonly putBytes: number;
    readonly putFailures: number;
    readonly getMessages: number;
    readonly getBytes: number;
  } {
    return {
      putMessages: this.#putMessages,
      putBytes: this.#putBytes,
      putFailures: this.#putFailures,
      getMessages: this.#getMessages,
      getBytes: this.#getBytes,
    };
  }
}
