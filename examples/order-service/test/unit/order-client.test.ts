import { createServer, type Server } from 'node:http';
import { systemClock } from '@keel/broker';
import { closeServer, listenOnEphemeralPort } from '@keel/broker/testing';
import { GaveUpError, OrderClient } from '../../src/scenario/order-client';

const body = { userId: 'u', sku: 'MUG', qty: 1 };

describe('OrderClient', () => {
  let server: Server;
  let baseUrl: string;
  let seen = 0;
  // What the API does with each request: answer 503, or never answer.
  let mode: 'unavailable' | 'silent' = 'unavailable';

  beforeEach(async () => {
    seen = 0;
    server = createServer((request, response) => {
      seen += 1;
      request.resume();
      if (mode === 'silent') return;
      response.writeHead(503, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { code: 'UNAVAILABLE' } }));
    });
    baseUrl = `http://127.0.0.1:${await listenOnEphemeralPort(server)}`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await closeServer(server);
  });

  it('retries 503s with the same key until it gives up', async () => {
    mode = 'unavailable';
    const client = new OrderClient({ baseUrl, clock: systemClock, giveUpAfterMs: 300 });
    await expect(client.place('k1', body)).rejects.toBeInstanceOf(GaveUpError);
    // 50 + 100 + ... ms of backoff fit a few attempts into 300 ms.
    expect(seen).toBeGreaterThan(2);
    expect(client.retriedAnswers).toBe(seen);
  });

  it('an abort ends the retries at once, long before the give-up', async () => {
    mode = 'unavailable';
    const client = new OrderClient({ baseUrl, clock: systemClock, giveUpAfterMs: 60_000 });
    const stop = new AbortController();
    const started = Date.now();
    const placing = client.place('k1', body, stop.signal);
    server.once('request', () => stop.abort(new Error('the run stopped')));
    await expect(placing).rejects.toThrow('the run stopped');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('an abort cuts a request in flight short', async () => {
    mode = 'silent';
    const client = new OrderClient({ baseUrl, clock: systemClock, giveUpAfterMs: 60_000 });
    const stop = new AbortController();
    const placing = client.place('k1', body, stop.signal);
    server.once('request', () => stop.abort(new Error('the run stopped')));
    await expect(placing).rejects.toThrow('the run stopped');
    expect(seen).toBe(1);
  });
});
