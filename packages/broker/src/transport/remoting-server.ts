// A TCP listener that answers remoting requests through a ProcessorTable, RocketMQ's
// NettyRemotingServer without the thread pools: processors are async functions on the event loop.
//
// What the server guarantees, whatever a processor does:
// - a response goes out in the request's serialisation with its opaque (createResponse);
// - an unknown code gets REQUEST_CODE_NOT_SUPPORTED, a throw gets SYSTEM_ERROR with the message;
// - a ONEWAY request never gets a response, not even an error;
// - bytes that break the framing close only that connection;
// - connections silent for `idleTimeoutMs` are closed (RocketMQ: 120 s);
// - `close` stops accepting, answers new requests with `closingResponseCode`, waits (bounded)
//   for requests being processed, then closes every connection.

import { createServer, type Server, type Socket } from 'node:net';

import type { Clock, TimerHandle } from '../common/clock';
import { TypedEmitter } from '../common/typed-emitter';
import { createResponse, isOneway, type RemotingCommand } from '../protocol/remoting/remoting-command';
import { ResponseCode } from '../protocol/remoting/response-code';
import { RemotingEncodeError, type RemotingDecodeError } from '../protocol/remoting/remoting-errors';
import type { ProcessorTable, RequestContext } from './processor-table';
import { RemotingConnection } from './remoting-connection';

export interface RemotingServerOptions {
  /** For logs and errors: "name server", "broker", "broker (VIP)". */
  readonly name: string;
  readonly clock: Clock;
  readonly processors: ProcessorTable;
  /** 0 picks a free port (tests). */
  readonly port: number;
  /** Default: all interfaces, as RocketMQ binds. */
  readonly host?: string;
  /** Close connections that sent nothing for this long; 0 disables. Default 120 000 (RocketMQ). */
  readonly idleTimeoutMs?: number;
  readonly maxFrameLengthBytes?: number;
  /** Code answered to requests arriving while the server closes. Default SYSTEM_BUSY. */
  readonly closingResponseCode?: number;
}

export interface ProcessorFailure {
  readonly request: RemotingCommand;
  readonly connection: RemotingConnection;
  readonly error: unknown;
}

export interface RemotingServerEvents {
  connection: RemotingConnection;
  disconnect: { readonly connection: RemotingConnection; readonly reason: string };
  /** A processor threw; the client got SYSTEM_ERROR. For logs: expected errors are responses. */
  processorError: ProcessorFailure;
  protocolError: { readonly connection: RemotingConnection; readonly error: RemotingDecodeError };
}

export interface CloseOptions {
  /** How long to wait for requests being processed before closing connections. Default 5000. */
  readonly graceMs?: number;
}

const DEFAULT_IDLE_TIMEOUT_MS = 120_000;
const DEFAULT_GRACE_MS = 5000;

export class RemotingServer extends TypedEmitter<RemotingServerEvents> {
  readonly name: string;
  readonly #server: Server;
  readonly #options: RemotingServerOptions;
  readonly #clock: Clock;
  readonly #connections = new Map<number, RemotingConnection>();
  #inFlight = 0;
  #idleDrained: (() => void) | undefined;
  #idleTimer: TimerHandle | undefined;
  #closing = false;
  #closed: Promise<void> | undefined;

  private constructor(server: Server, options: RemotingServerOptions) {
    super({
      onListenerError: (error, event) =>
        process.emitWarning(`${options.name}: '${String(event)}' listener failed: ${String(error)}`),
    });
    this.name = options.name;
    this.#server = server;
    this.#options = options;
    this.#clock = options.clock;
    server.on('connection', (socket) => this.#accept(socket));
    const idleMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    if (idleMs > 0) {
      this.#idleTimer = this.#clock.setInterval(() => this.#closeIdle(idleMs), Math.min(idleMs, 10_000));
    }
  }

  /** Starts listening; rejects (e.g. EADDRINUSE) with the port named. */
  static async listen(options: RemotingServerOptions): Promise<RemotingServer> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error) =>
        reject(
          new Error(`${options.name} cannot listen on port ${options.port}: ${error.message}`, {
            cause: error,
          }),
        ),
      );
      server.listen({ port: options.port, host: options.host }, () => resolve());
    });
    return new RemotingServer(server, options);
  }

  get port(): number {
    const address = this.#server.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  connections(): IterableIterator<RemotingConnection> {
    return this.#connections.values();
  }

  /** Stops accepting, drains in-flight requests (bounded by graceMs), closes every connection. */
  close(options: CloseOptions = {}): Promise<void> {
    this.#closed ??= this.#close(options.graceMs ?? DEFAULT_GRACE_MS);
    return this.#closed;
  }

  async #close(graceMs: number): Promise<void> {
    this.#closing = true;
    if (this.#idleTimer !== undefined) this.#clock.clearInterval(this.#idleTimer);
    const stopped = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    await this.#drain(graceMs);
    for (const connection of this.#connections.values()) connection.close(`${this.name} is shutting down`);
    // Sockets that do not finish closing in time are cut: shutdown must not hang on a peer.
    const forced = this.#clock.setTimeout(() => {
      for (const connection of this.#connections.values()) connection.destroy(`${this.name} shut down`);
    }, 1000);
    await stopped;
    this.#clock.clearTimeout(forced);
  }

  #drain(graceMs: number): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = this.#clock.setTimeout(() => {
        this.#idleDrained = undefined;
        resolve();
      }, graceMs);
      this.#idleDrained = () => {
        this.#clock.clearTimeout(timer);
        this.#idleDrained = undefined;
        resolve();
      };
    });
  }

  #accept(socket: Socket): void {
    if (this.#closing) {
      socket.destroy();
      return;
    }
    const connection = new RemotingConnection({
      socket,
      clock: this.#clock,
      onRequest: (request, from) => this.#handle(request, from),
      ...(this.#options.maxFrameLengthBytes === undefined
        ? {}
        : { maxFrameLengthBytes: this.#options.maxFrameLengthBytes }),
    });
    this.#connections.set(connection.id, connection);
    connection.on('protocolError', (error) => this.emit('protocolError', { connection, error }));
    connection.once('close', (reason) => {
      this.#connections.delete(connection.id);
      this.emit('disconnect', { connection, reason });
    });
    this.emit('connection', connection);
  }

  #handle(request: RemotingCommand, connection: RemotingConnection): void {
    const oneway = isOneway(request);
    const reply = (response: RemotingCommand): void => {
      if (oneway) return;
      try {
        connection.send(response);
      } catch (error) {
        // A response that cannot be framed (a body over the 16 MiB frame limit: a query whose
        // records add up past it) used to escape from here as an unhandled rejection and leave the
        // request unanswered until the client's timeout. Answer SYSTEM_ERROR saying why instead.
        if (!(error instanceof RemotingEncodeError)) throw error;
        this.emit('processorError', { request, connection, error });
        connection.send(
          createResponse(request, ResponseCode.SYSTEM_ERROR, `the response cannot be sent: ${error.message}`),
        );
      }
    };
    if (this.#closing) {
      reply(
        createResponse(
          request,
          this.#options.closingResponseCode ?? ResponseCode.SYSTEM_BUSY,
          `[REJECTREQUEST]${this.name} is shutting down; retry on another server`,
        ),
      );
      return;
    }
    const processor = this.#options.processors.get(request.code);
    if (processor === undefined) {
      reply(
        createResponse(
          request,
          ResponseCode.REQUEST_CODE_NOT_SUPPORTED,
          ` request type ${request.code} not supported`,
        ),
      );
      return;
    }
    const context: RequestContext = {
      connection,
      receivedAtMs: this.#clock.now(),
      respondLater: reply,
    };
    let result: RemotingCommand | undefined | Promise<RemotingCommand | undefined>;
    try {
      result = processor(request, context);
    } catch (error) {
      this.#failed(request, connection, error, reply);
      return;
    }
    if (!(result instanceof Promise)) {
      if (result !== undefined) reply(result);
      return;
    }
    this.#inFlight++;
    result
      .then(
        (response) => {
          if (response !== undefined) reply(response);
        },
        (error: unknown) => this.#failed(request, connection, error, reply),
      )
      .finally(() => {
        this.#inFlight--;
        if (this.#inFlight === 0) this.#idleDrained?.();
      });
  }

  #failed(
    request: RemotingCommand,
    connection: RemotingConnection,
    error: unknown,
    reply: (response: RemotingCommand) => void,
  ): void {
    this.emit('processorError', { request, connection, error });
    const message = error instanceof Error ? error.message : String(error);
    reply(createResponse(request, ResponseCode.SYSTEM_ERROR, message));
  }

  #closeIdle(idleMs: number): void {
    const now = this.#clock.now();
    for (const connection of this.#connections.values()) {
      if (now - connection.lastActivityMs >= idleMs) {
        connection.close(`idle for ${Math.round((now - connection.lastActivityMs) / 1000)} s`);
      }
    }
  }
}
