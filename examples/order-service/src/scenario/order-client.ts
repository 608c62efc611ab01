// The scenario's HTTP client: places one planned request the way a careful client would. A 503 or
// a broken connection means "not placed, or not known to be placed", so it sends the same request
// with the same Idempotency-Key again (with backoff) until it gets an answer; the key guarantees
// that however many copies arrive, there is one order. A stopped run (an AbortSignal) ends the
// retries and the request in flight at once.

import type { Clock } from '@keel/broker';
import { IDEMPOTENCY_KEY_HEADER, type PlaceOrderRequest } from '../order/place-order-request';
import { sleepUnlessAborted, throwIfAborted } from './abortable-sleep';

export type PlaceOutcome =
  | {
      readonly kind: 'order';
      readonly orderId: string;
      readonly replayed: boolean;
      readonly attempts: number;
    }
  | { readonly kind: 'refused'; readonly status: number; readonly code: string; readonly attempts: number };

export interface OrderClientOptions {
  readonly baseUrl: string;
  readonly clock: Clock;
  /** Give up on a request after this long of 503s and connection errors. */
  readonly giveUpAfterMs: number;
}

interface AnswerJson {
  readonly id?: unknown;
  readonly error?: { readonly code?: unknown };
}

const FIRST_BACKOFF_MS = 50;
const MAX_BACKOFF_MS = 1_000;

export class GaveUpError extends Error {
  constructor(key: string, ms: number, cause: unknown) {
    super(`request ${key} got no answer in ${ms} ms of retries`, { cause });
    this.name = new.target.name;
  }
}

export class OrderClient {
  readonly #options: OrderClientOptions;
  #retriedAnswers = 0;

  constructor(options: OrderClientOptions) {
    this.#options = options;
  }

  /** Answers that were a 503 or a broken connection, and were retried: the faults the client rode out. */
  get retriedAnswers(): number {
    return this.#retriedAnswers;
  }

  /** Rejects with the signal's reason once it aborts: the request was then neither answered nor given up. */
  async place(key: string, body: PlaceOrderRequest, signal?: AbortSignal): Promise<PlaceOutcome> {
    const { clock, giveUpAfterMs } = this.#options;
    const deadline = clock.now() + giveUpAfterMs;
    let backoff = FIRST_BACKOFF_MS;
    for (let attempt = 1; ; attempt += 1) {
      throwIfAborted(signal);
      const answer = await this.#post(key, body, signal).catch((error: unknown) => ({ failure: error }));
      // A fetch cut short by the abort is not a broken connection to retry.
      throwIfAborted(signal);
      if (!('failure' in answer)) {
        const { status, json } = answer;
        if (status === 200 || status === 201) {
          if (typeof json.id !== 'string')
            throw new Error(`POST /orders answered ${status} without an order id`);
          return { kind: 'order', orderId: json.id, replayed: status === 200, attempts: attempt };
        }
        if (status !== 503) {
          const code = typeof json.error?.code === 'string' ? json.error.code : `HTTP_${status}`;
          return { kind: 'refused', status, code, attempts: attempt };
        }
      }
      // A 503, or a connection that broke (the order may or may not exist): ask again, same key.
      this.#retriedAnswers += 1;
      if (clock.now() + backoff > deadline) {
        throw new GaveUpError(key, giveUpAfterMs, 'failure' in answer ? answer.failure : answer.json);
      }
      await sleepUnlessAborted(clock, backoff, signal);
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
  }

  async #post(
    key: string,
    body: PlaceOrderRequest,
    signal: AbortSignal | undefined,
  ): Promise<{ status: number; json: AnswerJson }> {
    const response = await fetch(`${this.#options.baseUrl}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [IDEMPOTENCY_KEY_HEADER]: key },
      body: JSON.stringify(body),
      signal: signal ?? null,
    });
    return { status: response.status, json: (await response.json()) as AnswerJson };
  }
}
