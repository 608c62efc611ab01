// A master's HA listener on haListenPort (listenPort + 1): one HaConnection per slave.

import { createServer, type Server, type Socket } from 'node:net';
import type { Clock } from '../../common/clock';
import type { Logger } from '../../common/logger';
import type { MessageStore } from '../../store/message-store';
import { HaConnection } from './ha-connection';
import type { SlaveAcks } from './slave-acks';

export interface HaServerOptions {
  readonly port: number;
  /** Default: all interfaces, as the remoting servers. */
  readonly host?: string;
  readonly store: Pick<MessageStore, 'readCommitLog' | 'commitLogOffsets'>;
  readonly acks: SlaveAcks;
  readonly clock: Clock;
  readonly log: Logger;
  readonly batchBytes: number;
  readonly heartbeatIntervalMs: number;
  readonly housekeepingMs: number;
}

export class HaServer {
  readonly #server: Server;
  readonly #options: HaServerOptions;
  readonly #connections = new Map<number, HaConnection>();
  #nextId = 1;
  #closed = false;

  private constructor(server: Server, options: HaServerOptions) {
    this.#server = server;
    this.#options = options;
    server.on('connection', (socket) => this.#accept(socket));
  }

  static listen(options: HaServerOptions): Promise<HaServer> {
    const server = createServer();
    const ha = new HaServer(server, options);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        server.on('error', (error) => options.log.error('HA listener failed', { error }));
        resolve(ha);
      });
    });
  }

  get port(): number {
    const address = this.#server.address();
    return address !== null && typeof address === 'object' ? address.port : 0;
  }

  connections(): HaConnection[] {
    return [...this.#connections.values()];
  }

  /** The commit log's acknowledged end moved: wake the transfers waiting for data. */
  logGrew(): void {
    for (const connection of this.#connections.values()) connection.logGrew();
  }

  /** Stops accepting and closes every slave connection; the slaves reconnect to whoever listens next. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const connection of [...this.#connections.values()]) connection.close('the master is shutting down');
    await closed;
  }

  #accept(socket: Socket): void {
    if (this.#closed) {
      socket.destroy();
      return;
    }
    const { log } = this.#options;
    const connection = new HaConnection({
      ...this.#options,
      id: this.#nextId++,
      socket,
      onClose: (closed, reason) => {
        this.#connections.delete(closed.id);
        log.info('slave replication connection closed', { slave: closed.remoteAddress, reason });
      },
    });
    this.#connections.set(connection.id, connection);
  }
}
