import { runRequests, type OrderPlacer } from '../../src/scenario/run-requests';
import { GaveUpError, type PlaceOutcome } from '../../src/scenario/order-client';
import type { PlannedRequest } from '../../src/scenario/scenario-plan';

function planned(count: number): PlannedRequest[] {
  return Array.from({ length: count }, (_, index) => ({
    key: `k${index + 1}`,
    body: { userId: 'u', sku: 'MUG', qty: 1 },
    delivery: 'once',
    reuseKeyWithOtherBody: false,
  }));
}

/** A client whose requests hang until their signal aborts, except those `answer` settles. */
function placer(
  answer: (key: string) => Promise<PlaceOutcome> | undefined,
): OrderPlacer & { keys: string[] } {
  const keys: string[] = [];
  return {
    keys,
    place: (key, _body, signal) => {
      keys.push(key);
      return (
        answer(key) ??
        new Promise((_resolve, reject) => {
          signal?.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
        })
      );
    },
  };
}

describe('runRequests', () => {
  it('places every request and reports what each got', async () => {
    const client = placer((key) =>
      Promise.resolve({ kind: 'order', orderId: `order-${key}`, replayed: false, attempts: 1 }),
    );
    const answered: number[] = [];
    const result = await runRequests(planned(3), client, 2, (count) => answered.push(count));
    expect([...result.observations.accepted]).toEqual([
      ['k1', 'order-k1'],
      ['k2', 'order-k2'],
      ['k3', 'order-k3'],
    ]);
    expect([...result.observations.unanswered].sort()).toEqual([]);
    expect(answered).toEqual([1, 2, 3]);
  });

  it('after a request got no answer, cuts the ones in flight short and sends no more', async () => {
    const client = placer((key) =>
      key === 'k2' ? Promise.reject(new GaveUpError('k2', 60_000, 'HTTP 503')) : undefined,
    );
    const result = await runRequests(planned(6), client, 2, () => undefined);
    // k1 was in flight (and would have waited out its own minute); k3..k6 were never sent.
    expect(client.keys).toEqual(['k1', 'k2']);
    expect([...result.observations.unanswered].sort()).toEqual([
      'k1: the run stopped sending after request k2 got no answer',
      'k2: request k2 got no answer in 60000 ms of retries',
      'k3: not sent (the run stopped sending after request k2 got no answer)',
      'k4: not sent (the run stopped sending after request k2 got no answer)',
      'k5: not sent (the run stopped sending after request k2 got no answer)',
      'k6: not sent (the run stopped sending after request k2 got no answer)',
    ]);
  });

  it('an aborted run ends the requests in flight, sends no more, and rejects with the reason', async () => {
    const client = placer(() => undefined);
    const stop = new AbortController();
    const running = runRequests(planned(10), client, 3, () => undefined, stop.signal);
    await new Promise((resolve) => setImmediate(resolve));
    stop.abort(new Error('fault "broker restart" failed'));
    await expect(running).rejects.toThrow('fault "broker restart" failed');
    expect(client.keys).toEqual(['k1', 'k2', 'k3']);
  });
});
