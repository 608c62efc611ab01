// The name server process: a remoting server over the route table and KV config, plus the scan
// that expires brokers silent for brokerChannelExpiredTimeMs (every scanNotActiveBrokerIntervalMs)
// and the rule that a broker whose connection closes is removed at once.

import type { Clock, TimerHandle } from '../common/clock';
import type { Logger } from '../common/logger';
import type { Disk } from '../store/disk/disk';
import { RemotingServer } from '../transport/remoting-server';
import { KvConfigManager } from './kv-config-manager';
import { nameServerProcessors } from './namesrv-processors';
import { RouteInfoManager, type ExpiredBroker } from './route-info-manager';

export interface NameServerOptions {
  readonly listenPort: number;
  readonly host?: string;
  readonly kvConfigPath: string;
  readonly orderMessageEnable: boolean;
  readonly scanNotActiveBrokerIntervalMs: number;
  readonly brokerChannelExpiredTimeMs: number;
  /** Close connections silent this long (serverChannelMaxIdleTimeSeconds); default 120 000. */
  readonly idleTimeoutMs?: number;
  readonly clock: Clock;
  readonly disk: Disk;
  readonly log: Logger;
}

export class NameServer {
  readonly routes: RouteInfoManager;
  /** The port listened on, kept after close: the server's own answer becomes 0 once it stops. */
  readonly port: number;
  readonly #server: RemotingServer;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #scanTimer: TimerHandle;
  #closed: Promise<void> | undefined;

  private constructor(server: RemotingServer, routes: RouteInfoManager, options: NameServerOptions) {
    this.#server = server;
    this.port = server.port;
    this.routes = routes;
    this.#clock = options.clock;
    this.#log = options.log;
    this.#scanTimer = options.clock.setInterval(() => {
      this.#report(routes.expireInactive(options.clock.now(), options.brokerChannelExpiredTimeMs));
    }, options.scanNotActiveBrokerIntervalMs);
    server.on('disconnect', ({ connection }) => this.#report(routes.connectionClosed(connection.id)));
    server.on('processorError', ({ request, connection, error }) =>
      this.#log.warn('request failed', {
        code: request.code,
        from: connection.remoteAddress,
        error: String(error),
      }),
    );
    server.on('protocolError', ({ connection, error }) =>
      this.#log.warn('closed a connection that sent a malformed frame', {
        from: connection.remoteAddress,
        error: error.message,
      }),
    );
  }

  static async start(options: NameServerOptions): Promise<NameServer> {
    const kv = await KvConfigManager.load(options.disk, options.kvConfigPath);
    const routes = new RouteInfoManager();
    const processors = nameServerProcessors({
      routes,
      kv,
      clock: options.clock,
      orderMessageEnable: options.orderMessageEnable,
    });
    const server = await RemotingServer.listen({
      name: 'name server',
      clock: options.clock,
      processors,
      port: options.listenPort,
      ...(options.host === undefined ? {} : { host: options.host }),
      ...(options.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: options.idleTimeoutMs }),
    });
    const nameServer = new NameServer(server, routes, options);
    options.log.info('name server started', { port: server.port });
    return nameServer;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  close(): Promise<void> {
    this.#closed ??= (async () => {
      this.#clock.clearInterval(this.#scanTimer);
      await this.#server.close();
      this.#log.info('name server stopped');
    })();
    return this.#closed;
  }

  #report(gone: readonly ExpiredBroker[]): void {
    for (const broker of gone) {
      this.#log.info('broker removed from routes', {
        broker: broker.brokerName ?? '?',
        addr: broker.brokerAddr,
        reason: broker.reason,
      });
    }
  }
}
