// The HTTP API on node:http:
//
//   POST /orders            {userId, sku, qty, couponId?} + Idempotency-Key header
//                           → 201 the order; 200 the same order again for a retried request
//   GET  /orders/:id        → 200 the order (status PENDING_PAYMENT, PAID or CANCELLED)
//   GET  /products/:sku     → 200 price and stock
//   GET  /accounts/:userId  → 200 the balance (where the payment service is reachable)
//
// Errors are JSON (api-errors.ts): 400 naming the field, 404, 409 on conflicts, 503 when the
// broker or database is briefly away (retry with the same key), 405 with Allow for a wrong method.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { invalidRequest, notFound } from '../errors';
import type { OrderView, ProductView } from '../order/order-queries';
import {
  IDEMPOTENCY_KEY_HEADER,
  parseIdempotencyKey,
  parsePlaceOrderRequest,
  type PlaceOrderRequest,
} from '../order/place-order-request';
import type { AccountView } from '../payment/payment-queries';
import { answerForError } from './api-errors';
import { readJsonBody } from './json-body';

/** What the API calls; in one process all of it, in the multi-process mode a service's part. */
export interface ApiBackends {
  placeOrder?(
    request: PlaceOrderRequest,
    idempotencyKey: string,
  ): Promise<{ order: OrderView; created: boolean }>;
  order?(id: string): Promise<OrderView>;
  product?(sku: string): Promise<ProductView>;
  account?(userId: string): Promise<AccountView>;
}

/** Where unexpected errors (500s) are reported, with the request they failed. */
export type ApiErrorLog = (message: string, error: unknown) => void;

interface Route {
  readonly method: 'GET' | 'POST';
  readonly pattern: RegExp;
  readonly handle: (request: IncomingMessage, match: RegExpExecArray) => Promise<JsonAnswer>;
}

interface JsonAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export function createApiServer(backends: ApiBackends, logError: ApiErrorLog): Server {
  const routes = buildRoutes(backends);
  return createServer((request, response) => {
    answer(routes, request, response, logError).catch((error: unknown) => {
      // Writing the answer itself failed (the client went away): nothing left to tell it.
      logError(`answering ${request.method ?? '?'} ${request.url ?? '?'} failed`, error);
      response.destroy();
    });
  });
}

function buildRoutes(backends: ApiBackends): Route[] {
  const routes: Route[] = [];
  const { placeOrder, order, product, account } = backends;
  if (placeOrder !== undefined) {
    routes.push({
      method: 'POST',
      pattern: /^\/orders$/,
      handle: async (request): Promise<JsonAnswer> => {
        const key = parseIdempotencyKey(request.headers[IDEMPOTENCY_KEY_HEADER.toLowerCase()]);
        const placed = await placeOrder(parsePlaceOrderRequest(await readJsonBody(request)), key);
        return placed.created
          ? { status: 201, body: placed.order, headers: { location: `/orders/${placed.order.id}` } }
          : { status: 200, body: placed.order, headers: { 'idempotent-replayed': 'true' } };
      },
    });
  }
  if (order !== undefined) routes.push(getRoute(/^\/orders\/([^/]+)$/, order));
  if (product !== undefined) routes.push(getRoute(/^\/products\/([^/]+)$/, product));
  if (account !== undefined) routes.push(getRoute(/^\/accounts\/([^/]+)$/, account));
  return routes;
}

function getRoute(pattern: RegExp, read: (id: string) => Promise<unknown>): Route {
  return {
    method: 'GET',
    pattern,
    handle: async (_request, match) => ({
      status: 200,
      body: await read(decodedPathSegment(match[1] ?? '')),
    }),
  };
}

/** A path segment decoded, or a 400 naming the path when its %-escapes are malformed. */
function decodedPathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw invalidRequest('path', `'${segment}' is not a valid URL path segment (a malformed %-escape)`);
  }
}

async function answer(
  routes: readonly Route[],
  request: IncomingMessage,
  response: ServerResponse,
  logError: ApiErrorLog,
): Promise<void> {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  try {
    const matching = routes.flatMap((route) => {
      const match = route.pattern.exec(path);
      return match === null ? [] : [{ route, match }];
    });
    if (matching.length === 0) throw notFound('path', `no resource at ${path}`);
    const chosen = matching.find(({ route }) => route.method === request.method);
    if (chosen === undefined) {
      const allow = matching.map(({ route }) => route.method).join(', ');
      send(
        response,
        405,
        { error: { code: 'METHOD_NOT_ALLOWED', message: `${path} accepts ${allow}` } },
        { allow },
      );
      return;
    }
    const result = await chosen.route.handle(request, chosen.match);
    send(response, result.status, result.body, result.headers);
  } catch (error: unknown) {
    const failure = answerForError(error);
    if (failure.unexpected) logError(`${request.method ?? '?'} ${path} failed`, error);
    const headers: Record<string, string> = {};
    if (failure.retryAfterSeconds !== undefined) headers['retry-after'] = String(failure.retryAfterSeconds);
    // A body we stopped reading (too large) cannot be skipped on a kept-alive connection.
    if (!request.complete) headers['connection'] = 'close';
    send(response, failure.status, failure.body, headers);
  }
}

function send(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (response.headersSent) return;
  const text = JSON.stringify(body);
  response.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}
