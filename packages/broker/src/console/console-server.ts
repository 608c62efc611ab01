// `keel console`'s HTTP server (node:http): the JSON API under /api/ and the built front end. It
// talks to the cluster only through the admin client, so it holds no state of its own except the
// throughput samples of the overview's chart.
//
// Every request passes, in order: the Host check (on an unauthenticated loopback console, only
// loopback host names, so a web page cannot reach it through DNS rebinding), authentication, and
// for requests that change something a same-origin check plus a JSON content type (which a page of
// another site cannot send without a CORS preflight, which this server never grants).

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../common/clock';
import type { Logger } from '../common/logger';
import { consoleRoutes } from './api/routes';
import { httpErrorOf } from './api-errors';
import { matchRoute, type ApiRoute } from './api-route';
import { BASIC_REALM, checkExposure, isAuthorized, isLoopbackHost, type ConsoleAuth } from './console-auth';
import type { ConsoleAdmin } from './console-admin';
import { ConsoleError, ConsoleErrorCodes } from './console-errors';
import { RequestInput, type JsonBody } from './request-input';
import { StaticAssets } from './static-assets';
import { ThroughputSampler } from './throughput-sampler';

export interface ConsoleServerOptions {
  readonly admin: ConsoleAdmin;
  /** 0 picks a free port (tests). */
  readonly port: number;
  readonly bindAddress: string;
  readonly auth: ConsoleAuth;
  /** The built front end (index.html and assets/). */
  readonly assetsDir: string;
  readonly clock: Clock;
  readonly log: Logger;
  /** How often the overview's throughput is sampled; default 5000 ms. */
  readonly sampleIntervalMs?: number;
  /** Samples kept for the chart; default 120 (10 minutes at 5 s). */
  readonly maxSamples?: number;
}

export const DEFAULT_SAMPLE_INTERVAL_MS = 5000;
const DEFAULT_MAX_SAMPLES = 120;
/** Request bodies are small forms; anything larger is not the UI. */
export const MAX_BODY_BYTES = 1024 * 1024;

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  // Chart.js sets inline styles on its canvas; scripts come only from this origin.
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
} as const;

export class ConsoleServer {
  readonly #server: Server;
  readonly #sampler: ThroughputSampler;
  #closed: Promise<void> | undefined;

  private constructor(server: Server, sampler: ThroughputSampler) {
    this.#server = server;
    this.#sampler = sampler;
  }

  /**
   * Checks the options (ConfigError when a non-loopback bind has no credentials), finds the front
   * end (ConsoleAssetsMissingError), listens, and starts sampling throughput.
   */
  static async start(options: ConsoleServerOptions): Promise<ConsoleServer> {
    checkExposure(options.bindAddress, options.auth);
    const assets = await StaticAssets.open(options.assetsDir);
    const sampler = new ThroughputSampler({
      admin: options.admin,
      clock: options.clock,
      log: options.log,
      intervalMs: options.sampleIntervalMs ?? DEFAULT_SAMPLE_INTERVAL_MS,
      maxSamples: options.maxSamples ?? DEFAULT_MAX_SAMPLES,
    });
    const routes = consoleRoutes({ admin: options.admin, throughput: sampler });
    const handler = new RequestHandler(options, routes, assets);
    const server = createServer((request, response) => handler.handle(request, response));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.bindAddress, () => {
        server.off('error', reject);
        resolve();
      });
    });
    sampler.start();
    return new ConsoleServer(server, sampler);
  }

  get port(): number {
    return (this.#server.address() as AddressInfo | null)?.port ?? 0;
  }

  /** Stops sampling and listening; open browser connections are closed. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      await this.#sampler.stop();
      await new Promise<void>((resolve, reject) => {
        this.#server.close((error) => (error === undefined ? resolve() : reject(error)));
        // Browsers keep idle connections open; they would hold the close for minutes.
        this.#server.closeAllConnections();
      });
    })();
    return this.#closed;
  }
}

class RequestHandler {
  readonly #options: ConsoleServerOptions;
  readonly #routes: readonly ApiRoute[];
  readonly #assets: StaticAssets;

  constructor(options: ConsoleServerOptions, routes: readonly ApiRoute[], assets: StaticAssets) {
    this.#options = options;
    this.#routes = routes;
    this.#assets = assets;
  }

  handle(request: IncomingMessage, response: ServerResponse): void {
    this.#serve(request, response).catch((error: unknown) => this.#fail(request, response, error));
  }

  async #serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://console.invalid');
    const isApi = url.pathname === '/api' || url.pathname.startsWith('/api/');
    this.#checkHost(request);
    const { auth } = this.#options;
    // Basic auth guards every page (the browser asks once); a token only the API (see console-auth.ts).
    if ((isApi || auth.kind === 'basic') && !isAuthorized(auth, request.headers.authorization)) {
      if (auth.kind === 'basic')
        response.setHeader('www-authenticate', `Basic realm="${BASIC_REALM}", charset="UTF-8"`);
      throw new ConsoleError(
        ConsoleErrorCodes.UNAUTHORIZED,
        auth.kind === 'token'
          ? 'this console needs its token: send Authorization: Bearer <token>'
          : 'this console needs its user name and password',
      );
    }
    if (isApi) await this.#serveApi(request, response, url);
    else await this.#serveAsset(request, response, url.pathname);
  }

  async #serveApi(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const method = request.method ?? 'GET';
    const match = matchRoute(this.#routes, method, url.pathname);
    if (match.kind === 'none')
      throw new ConsoleError(ConsoleErrorCodes.NOT_FOUND, `no API at ${url.pathname}`);
    if (match.kind === 'method') {
      response.setHeader('allow', match.allowed.join(', '));
      throw new ConsoleError(
        ConsoleErrorCodes.METHOD_NOT_ALLOWED,
        `${url.pathname} answers ${match.allowed.join(', ')}, not ${method}`,
      );
    }
    const body = method === 'GET' ? {} : await readJsonBody(request);
    const answer = await match.route.handle(new RequestInput(match.params, url.searchParams, body));
    sendJson(response, 200, answer);
  }

  async #serveAsset(request: IncomingMessage, response: ServerResponse, path: string): Promise<void> {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('allow', 'GET, HEAD');
      throw new ConsoleError(ConsoleErrorCodes.METHOD_NOT_ALLOWED, `${path} answers GET only`);
    }
    const file = await this.#assets.read(path);
    if (file === undefined) throw new ConsoleError(ConsoleErrorCodes.NOT_FOUND, `no file ${path}`);
    response.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': file.contentType,
      'content-length': file.body.length,
      'cache-control': file.cacheControl,
    });
    response.end(request.method === 'HEAD' ? undefined : file.body);
  }

  /** DNS rebinding: a console without credentials answers only to loopback host names. */
  #checkHost(request: IncomingMessage): void {
    if (this.#options.auth.kind !== 'none') return;
    const host = hostnameOf(request.headers.host);
    if (host === undefined || !(isLoopbackHost(host) || host === this.#options.bindAddress)) {
      throw new ConsoleError(
        ConsoleErrorCodes.FORBIDDEN,
        `this console answers to localhost only, not to Host ${request.headers.host ?? '(none)'}; ` +
          'open it as http://127.0.0.1:<port>/, or start it with credentials to reach it by another name',
      );
    }
  }

  #fail(request: IncomingMessage, response: ServerResponse, error: unknown): void {
    const failure = httpErrorOf(error);
    if (failure.unexpected) {
      this.#options.log.error('console request failed', {
        method: request.method ?? '?',
        url: request.url ?? '?',
        error: error instanceof Error ? error : String(error),
        stack: error instanceof Error ? error.stack : undefined,
      });
    }
    if (response.headersSent) {
      response.destroy();
      return;
    }
    sendJson(response, failure.status, { error: { code: failure.code, message: failure.message } });
  }
}

function sendJson(response: ServerResponse, status: number, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  response.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'content-length': body.length,
    'cache-control': 'no-store',
  });
  response.end(body);
}

/**
 * The body of a request that changes something: JSON (an object), at most MAX_BODY_BYTES, sent by
 * a page of this console (no foreign Origin). Empty means `{}`.
 */
async function readJsonBody(request: IncomingMessage): Promise<JsonBody> {
  const origin = request.headers.origin;
  if (origin !== undefined && hostOfOrigin(origin) !== request.headers.host) {
    throw new ConsoleError(
      ConsoleErrorCodes.FORBIDDEN,
      `requests from ${origin} are not accepted; use the console's own page`,
    );
  }
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new ConsoleError(
      ConsoleErrorCodes.UNSUPPORTED_MEDIA_TYPE,
      `send the request body as JSON with Content-Type: application/json (got ${type === '' ? 'none' : type})`,
    );
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES)
      throw new ConsoleError(
        ConsoleErrorCodes.PAYLOAD_TOO_LARGE,
        `the request body is over ${MAX_BODY_BYTES} bytes`,
      );
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    throw new ConsoleError(ConsoleErrorCodes.BAD_REQUEST, `the request body is not JSON: ${error.message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new ConsoleError(ConsoleErrorCodes.BAD_REQUEST, 'the request body must be a JSON object');
  return parsed as JsonBody;
}

/** `example.com:8080` of `http://example.com:8080`; undefined when it is not a URL (`null`). */
function hostOfOrigin(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch (error) {
    if (error instanceof TypeError) return undefined;
    throw error;
  }
}

/** The host name of a Host header, without the port (`[::1]:8080` → `[::1]`). */
function hostnameOf(hostHeader: string | undefined): string | undefined {
  if (hostHeader === undefined || hostHeader === '') return undefined;
  const match = /^(\[[^\]]+\]|[^:]+)(?::\d+)?$/.exec(hostHeader);
  return match?.[1];
}
