// Sends the planned requests, `concurrency` at a time, the way each is planned: once, again after
// the answer (a client that retried because it did not see the answer), or two copies at once (a
// double click). What every copy got is kept for the idempotency check.
//
// A request that got no answer within the client's retry budget means the system is down, not
// slow: the requests in flight are then cut short and the rest not sent (each would wait out the
// same budget, minutes in all), all reported unanswered. An aborted signal (a fault that failed, a
// stopped run) ends the requests in flight at once and rejects with its reason.

import { abortReason, isAborted, throwIfAborted } from './abortable-sleep';
import type { ClientObservations } from './invariants';
import { GaveUpError, type PlaceOutcome } from './order-client';
import type { PlaceOrderRequest } from '../order/place-order-request';
import type { PlannedRequest } from './scenario-plan';

export interface RequestsResult {
  readonly observations: ClientObservations;
  /** Refusals by error code (OUT_OF_STOCK, COUPON_NOT_AVAILABLE, ...), first copies only. */
  readonly refusals: ReadonlyMap<string, number>;
}

/** What runRequests needs of the client (OrderClient). */
export interface OrderPlacer {
  place(key: string, body: PlaceOrderRequest, signal?: AbortSignal): Promise<PlaceOutcome>;
}

export async function runRequests(
  requests: readonly PlannedRequest[],
  client: OrderPlacer,
  concurrency: number,
  onAnswered: (answered: number) => void,
  signal?: AbortSignal,
): Promise<RequestsResult> {
  const accepted = new Map<string, string>();
  const repeated: Array<{ key: string; orderIds: string[] }> = [];
  const reusedKeys: Array<{ key: string; code: string | undefined }> = [];
  const refusals = new Map<string, number>();
  const unanswered: string[] = [];
  let next = 0;
  let answered = 0;
  // Aborted at the first request given up on; the run's own signal aborts it too.
  const giveUp = new AbortController();
  const stop = signal === undefined ? giveUp.signal : AbortSignal.any([signal, giveUp.signal]);

  const one = async (request: PlannedRequest): Promise<void> => {
    const copies = await sendCopies(request, client, stop);
    const orderIds = copies.flatMap((outcome) => (outcome.kind === 'order' ? [outcome.orderId] : []));
    const [first] = orderIds;
    if (first !== undefined) accepted.set(request.key, first);
    if (copies.length > 1) repeated.push({ key: request.key, orderIds });
    const firstCopy = copies[0];
    if (first === undefined && firstCopy?.kind === 'refused') {
      refusals.set(firstCopy.code, (refusals.get(firstCopy.code) ?? 0) + 1);
    }
    // Only a key that holds an order can be "reused": a refused request stored nothing under it.
    if (request.reuseKeyWithOtherBody && first !== undefined) {
      const other = { ...request.body, qty: (request.body.qty % 3) + 1 };
      const outcome = await client.place(request.key, other, stop);
      reusedKeys.push({ key: request.key, code: outcome.kind === 'refused' ? outcome.code : undefined });
    }
  };

  const worker = async (): Promise<void> => {
    for (let index = next++; index < requests.length; index = next++) {
      const request = requests[index];
      if (request === undefined) continue;
      if (isAborted(signal)) return;
      if (giveUp.signal.aborted) {
        unanswered.push(`${request.key}: not sent (${abortReason(giveUp.signal).message})`);
        continue;
      }
      try {
        await one(request);
      } catch (error: unknown) {
        if (isAborted(signal)) return;
        // Reported as unanswered: the run goes on to the report, which says what happened.
        unanswered.push(`${request.key}: ${error instanceof Error ? error.message : String(error)}`);
        if (error instanceof GaveUpError && !giveUp.signal.aborted) {
          giveUp.abort(new Error(`the run stopped sending after request ${request.key} got no answer`));
        }
      }
      answered += 1;
      onAnswered(answered);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, requests.length) }, worker));
  throwIfAborted(signal);
  return { observations: { accepted, repeated, reusedKeys, unanswered }, refusals };
}

async function sendCopies(
  request: PlannedRequest,
  client: OrderPlacer,
  signal: AbortSignal | undefined,
): Promise<PlaceOutcome[]> {
  switch (request.delivery) {
    case 'once':
      return [await client.place(request.key, request.body, signal)];
    case 'retry-after-answer': {
      const first = await client.place(request.key, request.body, signal);
      return [first, await client.place(request.key, request.body, signal)];
    }
    case 'two-at-once':
      return Promise.all([
        client.place(request.key, request.body, signal),
        client.place(request.key, request.body, signal),
      ]);
  }
}
