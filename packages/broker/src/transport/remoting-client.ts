// Connections to remoting servers by address, opened on first use and shared by every caller (one
// TCP connection per address, as RocketMQ's client keeps one channel per address). A closed
// connection is forgotten, so the next call reconnects.
//
// Servers send requests to clients too (NOTIFY_CONSUMER_IDS_CHANGED, CHECK_TRANSACTION_STATE);
// `onRequest` receives them. Without a handler a request is answered REQUEST_CODE_NOT_SUPPORTED.

import { connect, type Socket } from 'node:net';

import type { Clock } from '../common/clock';
import { IllegalStateError } from '../common/errors';
import { createResponse, isOneway, type RemotingCommand } from '../protocol/remoting/remoting-command';
import { ResponseCode } from '../protocol/remoting/response-code';
import { parseAddress } from './address';
import { RemotingConnection, type RequestHandler } from './remoting-connection';
import { RemotingConnectError } from './transport-errors';

export interface RemotingClientOptions {
  readonly clock: Clock;
  /** Default 3000 ms (RocketMQ's connectTimeoutMillis). */
  readonly connectTimeoutMs?: number;
  readonly onRequest?: RequestHandler;
  readonly maxFrameLengthBytes?: number;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 3000;

export class RemotingClient {
  readonly #options: RemotingClientOptions;
  readonly #connections = new Map<string, Promise<RemotingConnection>>();
  #closed = false;

  constructor(options: RemotingClientOptions) {
    this.#options = options;
  }

  /** Sends a request and resolves with the response, whatever its code. */
  async invoke(address: string, request: RemotingCommand, timeoutMs: number): Promise<RemotingCommand> {
    const connection = await this.connection(address);
    return connection.invoke(request, timeoutMs);
  }

  /** Sends a ONEWAY request once connected; resolves when written to the socket buffer. */
  async invokeOneway(address: string, request: RemotingCommand): Promise<void> {
    const connection = await this.connection(address);
    connection.sendOneway(request);
  }

  /** The open connection to `address`, connecting if there is none. */
  connection(address: string): Promise<RemotingConnection> {
    if (this.#closed) return Promise.reject(new IllegalStateError('remoting client is closed'));
    let connection = this.#connections.get(address);
    if (connection === undefined) {
      connection = this.#connect(address);
      this.#connections.set(address, connection);
      connection.catch(() => this.#connections.delete(address));
    }
    return connection;
  }

  /** Closes the connection to one address, e.g. after it timed out (it may be half dead). */
  closeConnection(address: string, reason: string): void {
    const connection = this.#connections.get(address);
    this.#connections.delete(address);
    void connection?.then(
      (open) => open.close(reason),
      () => undefined, // a connect that failed has nothing to close; its caller got the error
    );
  }

  async close(): Promise<void> {
    this.#closed = true;
    const pending = [...this.#connections.values()];
    this.#connections.clear();
    const settled = await Promise.allSettled(pending);
    const closing: Array<Promise<void>> = [];
    for (const result of settled) {
      if (result.status !== 'fulfilled') continue;
      const connection = result.value;
      if (!connection.isOpen) continue;
      closing.push(new Promise<void>((resolve) => connection.once('close', () => resolve())));
      connection.close('client closed');
    }
    await Promise.all(closing);
  }

  #connect(address: string): Promise<RemotingConnection> {
    const { host, port } = parseAddress(address);
    const timeoutMs = this.#options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const clock = this.#options.clock;
    return new Promise<RemotingConnection>((resolve, reject) => {
      const socket: Socket = connect({ host, port });
      const timer = clock.setTimeout(() => {
        socket.destroy();
        reject(new RemotingConnectError(address, `no connection within ${timeoutMs} ms`));
      }, timeoutMs);
      const onError = (error: Error): void => {
        clock.clearTimeout(timer);
        reject(new RemotingConnectError(address, error.message));
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        clock.clearTimeout(timer);
        socket.off('error', onError);
        const connection = new RemotingConnection({
          socket,
          clock,
          onRequest: this.#options.onRequest ?? answerNotSupported,
          ...(this.#options.maxFrameLengthBytes === undefined
            ? {}
            : { maxFrameLengthBytes: this.#options.maxFrameLengthBytes }),
        });
        connection.once('close', () => {
          // The entry may already be a newer connect (after closeConnection); its failure belongs
          // to its own callers, so it is ignored here rather than left unhandled.
          void this.#connections.get(address)?.then(
            (current) => {
              if (current === connection) this.#connections.delete(address);
            },
            () => undefined,
          );
        });
        resolve(connection);
      });
    });
  }
}

function answerNotSupported(request: RemotingCommand, connection: RemotingConnection): void {
  if (isOneway(request)) return;
  connection.send(
    createResponse(
      request,
      ResponseCode.REQUEST_CODE_NOT_SUPPORTED,
      ` request type ${request.code} not supported`,
    ),
  );
}
