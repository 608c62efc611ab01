// Counters since start for GET_BROKER_RUNTIME_INFO (and the metrics to come). RocketMQ also
// reports yesterday's and today's totals; those need a day boundary and are left to the metrics.

import type { Clock } from '../common/clock';

export class BrokerStats {
  readonly bootTimestampMs: number;
  #putMessages = 0;
  #putBytes = 0;
  #getMessages = 0;
  #getBytes = 0;
  #putFailures = 0;

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
