// Sends the planned requests, `concurrency` at a time, the way each is planned: once, again after
// the answer (a client that retried because it did not see the answer), or two copies at once (a
// double click). What every copy got is kept for the idempotency check.

import type { ClientObservations } from './invariants';
import type { OrderClient, PlaceOutcome } from './order-client';
import type { PlannedRequest } from './scenario-plan';

export interface RequestsResult {
  readonly observations: ClientObservations;
  /** Refusals by error code (OUT_OF_STOCK, COUPON_NOT_AVAILABLE, ...), first copies only. */
  readonly refusals: ReadonlyMap<string, number>;
}

export async function runRequests(
  requests: readonly PlannedRequest[],
  client: OrderClient,
  concurrency: number,
  onAnswered: (answered: number) => void,
): Promise<RequestsResult> {
  const accepted = new Map<string, string>();
  const repeated: Array<{ key: string; orderIds: string[] }> = [];
  const reusedKeys: Array<{ key: string; code: string | undefined }> = [];
  const refusals = new Map<string, number>();
  const unanswered: string[] = [];
  let next = 0;
  let answered = 0;

  const one = async (request: PlannedRequest): Promise<void> => {
    const copies = await sendCopies(request, client);
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
      const outcome = await client.place(request.key, other);
      reusedKeys.push({ key: request.key, code: outcome.kind === 'refused' ? outcome.code : undefined });
    }
  };

  const worker = async (): Promise<void> => {
    for (let index = next++; index < requests.length; index = next++) {
      const request = requests[index];
      if (request === undefined) continue;
      try {
        await one(request);
      } catch (error: unknown) {
        // GaveUpError: reported as unanswered; the run goes on so the report can say what happened.
        unanswered.push(`${request.key}: ${error instanceof Error ? error.message : String(error)}`);
      }
      answered += 1;
      onAnswered(answered);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, requests.length) }, worker));
  return { observations: { accepted, repeated, reusedKeys, unanswered }, refusals };
}

async function sendCopies(request: PlannedRequest, client: OrderClient): Promise<PlaceOutcome[]> {
  switch (request.delivery) {
    case 'once':
      return [await client.place(request.key, request.body)];
    case 'retry-after-answer': {
      const first = await client.place(request.key, request.body);
      return [first, await client.place(request.key, request.body)];
    }
    case 'two-at-once':
      return Promise.all([client.place(request.key, request.body), client.place(request.key, request.body)]);
  }
}
