// The HTTP endpoint Prometheus scrapes: GET /metrics on the broker's metricsPort, in the text
// exposition format. Nothing else is served; the endpoint changes nothing, so it needs no auth
// beyond where it binds (the broker's bind address, like its remoting ports).

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../common/logger';
import type { BrokerContext } from '../broker-context';
import { createBrokerMetrics, type BrokerMetrics } from './broker-metrics';

export const METRICS_PATH = '/metrics';

export class MetricsServer {
  readonly #server: Server;
  readonly #metrics: BrokerMetrics;
  #closed: Promise<void> | undefined;

  private constructor(server: Server, metrics: BrokerMetrics) {
    this.#server = server;
    this.#metrics = metrics;
  }

  /** Listens on `port` of `host` (all interfaces when absent); rejects with the listen error. */
  static async start(context: BrokerContext, port: number, host?: string): Promise<MetricsServer> {
    const metrics = createBrokerMetrics(context);
    const server = createServer((request, response) => {
      serve(metrics, context.log, request, response).catch((error: unknown) => {
        context.log.warn('metrics request failed', { error: String(error) });
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
        response.end('metrics could not be collected; see the broker log\n');
      });
    });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      metrics.close();
      throw error;
    }
    return new MetricsServer(server, metrics);
  }

  get port(): number {
    return (this.#server.address() as AddressInfo | null)?.port ?? 0;
  }

  close(): Promise<void> {
    this.#closed ??= new Promise<void>((resolve, reject) => {
      this.#metrics.close();
      this.#server.close((error) => (error === undefined ? resolve() : reject(error)));
      // Scrapers keep connections alive between scrapes; they would hold the close open.
      this.#server.closeAllConnections();
    });
    return this.#closed;
  }
}

async function serve(
  metrics: BrokerMetrics,
  log: Logger,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const path = (request.url ?? '/').split('?')[0];
  if (path !== METRICS_PATH) {
    response.writeHead(404, { 'content-type': 'text/plain' });
    response.end(`not found: the metrics are at ${METRICS_PATH}\n`);
    return;
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' });
    response.end(`${METRICS_PATH} answers GET only\n`);
    return;
  }
  const text = await metrics.registry.metrics();
  log.debug('metrics scraped', { from: request.socket.remoteAddress ?? 'unknown' });
  response.writeHead(200, { 'content-type': metrics.registry.contentType });
  response.end(request.method === 'HEAD' ? undefined : text);
}
