// The console's HTTP server without a browser: who may call it (exposure rule, token, basic auth,
// Host and Origin checks), what a request must look like (JSON bodies, sizes, methods), and how
// failures are answered. Handlers have their own tests (console-api.test.ts).

import { request as httpRequest } from 'node:http';
import { AdminError, AdminErrorCodes } from '../../src/client/admin/admin-errors';
import { BrokerResponseError } from '../../src/client/client-errors';
import { ConfigError } from '../../src/common/errors';
import { FakeClock } from '../../src/common/fake-clock';
import { silentLogger } from '../../src/common/logger';
import { ConsoleServer, MAX_BODY_BYTES } from '../../src/console/console-server';
import { ConsoleAssetsMissingError } from '../../src/console/static-assets';
import {
  clusterInfoOf,
  errorOf,
  fakeAdmin,
  startConsole,
  stubAssets,
  type AssetsDir,
  type RunningConsole,
} from './console-test-kit';

/** A raw request, for headers fetch will not let a test set (Host). */
function rawGet(port: number, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('console server', () => {
  let assets: AssetsDir;
  let running: RunningConsole | undefined;

  beforeEach(() => {
    assets = stubAssets();
  });

  afterEach(async () => {
    await running?.close();
    running = undefined;
    assets.remove();
  });

  describe('start', () => {
    const base = () => ({
      admin: fakeAdmin(),
      port: 0,
      assetsDir: assets.dir,
      clock: new FakeClock(),
      log: silentLogger,
    });

    it('refuses to listen on a non-loopback address without credentials, naming the fix', async () => {
      const start = ConsoleServer.start({ ...base(), bindAddress: '0.0.0.0', auth: { kind: 'none' } });
      await expect(start).rejects.toThrow(ConfigError);
      await expect(start).rejects.toThrow(
        /bind: 0\.0\.0\.0 exposes the console .* --token <secret> or --user <name> --password <secret>/,
      );
    });

    it('refuses a short token and a short password', async () => {
      await expect(
        ConsoleServer.start({ ...base(), bindAddress: '127.0.0.1', auth: { kind: 'token', token: 'abc' } }),
      ).rejects.toThrow(/token: is shorter than 8 characters/);
      await expect(
        ConsoleServer.start({
          ...base(),
          bindAddress: '127.0.0.1',
          auth: { kind: 'basic', user: 'a:b', password: 'x' },
        }),
      ).rejects.toThrow(/user: must be a non-empty name without ":"[\s\S]*password: is shorter than 8/);
    });

    it('refuses to start without a built front end, saying how to build it', async () => {
      const start = ConsoleServer.start({
        ...base(),
        assetsDir: `${assets.dir}/missing`,
        bindAddress: '127.0.0.1',
        auth: { kind: 'none' },
      });
      await expect(start).rejects.toThrow(ConsoleAssetsMissingError);
      await expect(start).rejects.toThrow(/Run 'npm run build'.*--assets-dir/);
    });
  });

  describe('without credentials on loopback', () => {
    beforeEach(async () => {
      running = await startConsole(
        fakeAdmin({ topicList: async () => ['A'], clusterInfo: async () => clusterInfoOf() }),
        { assets },
      );
    });

    it('serves the front end with its cache rules and security headers', async () => {
      const index = await running!.request('/');
      expect(index.status).toBe(200);
      expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(index.headers.get('cache-control')).toBe('no-cache');
      expect(index.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(await index.text()).toContain('stub console');
      const script = await running!.request('/assets/index-abc123.js');
      expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(script.headers.get('cache-control')).toContain('immutable');
    });

    it('serves nothing outside the assets directory', async () => {
      expect((await running!.request('/%2e%2e/%2e%2e/etc/passwd')).status).toBe(404);
      expect(await rawGet(running!.server.port, '/../../etc/passwd', { host: '127.0.0.1' })).toBe(404);
      expect((await running!.request('/nothing.js')).status).toBe(404);
    });

    it('answers only to loopback host names (DNS rebinding)', async () => {
      const port = running!.server.port;
      expect(await rawGet(port, '/api/topics', { host: `localhost:${port}` })).toBe(200);
      expect(await rawGet(port, '/api/topics', { host: `evil.example:${port}` })).toBe(403);
      expect(await rawGet(port, '/', { host: 'evil.example' })).toBe(403);
    });

    it('takes changes only as JSON from its own origin', async () => {
      const asForm = await running!.request('/api/topics', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'topic=A',
      });
      expect(asForm.status).toBe(415);
      expect((await errorOf(asForm)).message).toMatch(/Content-Type: application\/json/);
      const foreign = await running!.request('/api/topics', {
        method: 'POST',
        json: { topic: 'A' },
        headers: { origin: 'http://evil.example' },
      });
      expect(foreign.status).toBe(403);
      const notJson = await running!.request('/api/topics', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"topic":',
      });
      expect(notJson.status).toBe(400);
      expect((await errorOf(notJson)).message).toMatch(/not JSON/);
      const array = await running!.request('/api/topics', { method: 'POST', json: ['A'] });
      expect((await errorOf(array)).message).toBe('the request body must be a JSON object');
      const huge = await running!.request('/api/topics', {
        method: 'POST',
        json: { topic: 'x'.repeat(MAX_BODY_BYTES) },
      });
      expect(huge.status).toBe(413);
    });

    it('answers unknown paths 404 and wrong methods 405 with Allow', async () => {
      const missing = await running!.request('/api/nothing');
      expect(missing.status).toBe(404);
      expect(await errorOf(missing)).toEqual({
        code: 'CONSOLE_NOT_FOUND',
        message: 'no API at /api/nothing',
      });
      const wrong = await running!.request('/api/topics', { method: 'PUT', json: {} });
      expect(wrong.status).toBe(405);
      expect(wrong.headers.get('allow')).toBe('GET, POST');
    });
  });

  describe('with a token', () => {
    const token = 'correct-horse-battery';

    beforeEach(async () => {
      running = await startConsole(
        fakeAdmin({ topicList: async () => ['A'], clusterInfo: async () => clusterInfoOf() }),
        {
          assets,
          auth: { kind: 'token', token },
        },
      );
    });

    it('requires Authorization: Bearer <token> for the API, but not for the page that asks for it', async () => {
      const without = await running!.request('/api/topics');
      expect(without.status).toBe(401);
      expect((await errorOf(without)).code).toBe('CONSOLE_UNAUTHORIZED');
      const wrong = await running!.request('/api/topics', { headers: { authorization: `Bearer ${token}x` } });
      expect(wrong.status).toBe(401);
      const right = await running!.request('/api/overview', {
        headers: { authorization: `Bearer ${token}` },
      });
      // Authorized: the handler ran (and the fake cluster refused clusterList).
      expect(right.status).toBe(500);
      expect((await running!.request('/')).status).toBe(200);
    });

    it('trusts the token instead of the Host name, so it can be reached by any name', async () => {
      const port = running!.server.port;
      expect(
        await rawGet(port, '/', { host: `console.example:${port}`, authorization: `Bearer ${token}` }),
      ).toBe(200);
    });
  });

  describe('with basic auth', () => {
    beforeEach(async () => {
      running = await startConsole(
        fakeAdmin({ topicList: async () => ['A'], clusterInfo: async () => clusterInfoOf() }),
        {
          assets,
          auth: { kind: 'basic', user: 'ops', password: 'open sesame' },
        },
      );
    });

    it('asks the browser for credentials on every page and checks them', async () => {
      const page = await running!.request('/');
      expect(page.status).toBe(401);
      expect(page.headers.get('www-authenticate')).toBe('Basic realm="Keel console", charset="UTF-8"');
      const basic = (user: string, password: string) =>
        `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
      expect(
        (await running!.request('/', { headers: { authorization: basic('ops', 'open sesame') } })).status,
      ).toBe(200);
      expect(
        (await running!.request('/', { headers: { authorization: basic('ops', 'open sesame!') } })).status,
      ).toBe(401);
      const api = await running!.request('/api/topics', {
        headers: { authorization: basic('ops', 'open sesame') },
      });
      expect(api.status).toBe(200);
      expect(await api.json()).toEqual({ topics: expect.any(Array) });
    });
  });

  describe('failures of the cluster', () => {
    async function answerOf(
      error: unknown,
    ): Promise<{ status: number; body: { code: string; message: string } }> {
      running = await startConsole(
        fakeAdmin({ topicStatus: () => Promise.reject(error), topicRoute: () => Promise.reject(error) }),
        {
          assets,
        },
      );
      const response = await running.request('/api/topics/Orders');
      const result = { status: response.status, body: await errorOf(response) };
      await running.close();
      running = undefined;
      return result;
    }

    it('answers 404 for what the cluster does not know, 502 for a broker refusal, 500 for a bug', async () => {
      const notFound = new AdminError(
        AdminErrorCodes.TOPIC_NOT_FOUND,
        'no route for topic Orders on 127.0.0.1:9876',
      );
      expect(await answerOf(notFound)).toEqual({
        status: 404,
        body: { code: 'ADMIN_TOPIC_NOT_FOUND', message: 'no route for topic Orders on 127.0.0.1:9876' },
      });
      const refused = await answerOf(new BrokerResponseError(1, 'disk full', '127.0.0.1:10911'));
      expect(refused.status).toBe(502);
      expect(refused.body.message).toBe('127.0.0.1:10911 answered SYSTEM_ERROR(1): disk full');
      const bug = await answerOf(new TypeError('cannot read x of undefined'));
      expect(bug).toEqual({
        status: 500,
        body: {
          code: 'CONSOLE_INTERNAL',
          message: 'the console failed unexpectedly; its log has the details',
        },
      });
    });

    it('logs an unexpected failure with its stack, not only the generic answer', async () => {
      running = await startConsole(
        fakeAdmin({ topicRoute: () => Promise.reject(new TypeError('boom in handler')) }),
        {
          assets,
        },
      );
      await running.request('/api/topics/Orders');
      expect(running.logged.join('\n')).toMatch(
        /console request failed .*error="TypeError: boom in handler" stack=".*console-server\.test\.ts/,
      );
    });
  });
});
