// One TCP connection speaking the remoting protocol, in either direction: both ends send requests
// (the broker sends NOTIFY_CONSUMER_IDS_CHANGED and CHECK_TRANSACTION_STATE to clients) and both
// answer them. Incoming frames are split by the FrameDecoder; responses complete the matching
// pending request, requests go to the owner's handler. Bytes that break the framing close the
// connection, as Netty's decoder does: a stream cannot be resynchronised after a bad length.
//
// Writes issued in one tick are corked together, so a burst of responses becomes one syscall.

import type { Socket } from 'node:net';

import type { Clock } from '../common/clock';
import { TypedEmitter } from '../common/typed-emitter';
import { encodeFrameParts } from '../protocol/remoting/frame-encoder';
import { FrameDecoder } from '../protocol/remoting/frame-decoder';
import { isResponse, RemotingFlag, type RemotingCommand } from '../protocol/remoting/remoting-command';
import type { RemotingDecodeError } from '../protocol/remoting/remoting-errors';
import { ResponseTable } from './response-table';
import { ConnectionClosedError, RemotingTimeoutError } from './transport-errors';

export type RequestHandler = (request: RemotingCommand, connection: RemotingConnection) => void;

export interface RemotingConnectionOptions {
  readonly socket: Socket;
  readonly clock: Clock;
  readonly onRequest: RequestHandler;
  readonly maxFrameLengthBytes?: number;
}

export interface RemotingConnectionEvents {
  /** Once, when the socket is gone; the reason says why (peer closed, protocol error, idle, ...). */
  close: string;
  /** Bytes that broke the framing; the connection closes right after. */
  protocolError: RemotingDecodeError;
  /** A response whose request is no longer waiting (timed out, or never sent by us). */
  unmatchedResponse: RemotingCommand;
}

/** Bodies at least this large are written without being copied into the frame. */
const SEPARATE_BODY_WRITE_BYTES = 16 * 1024;

/** Ids are unique in the process, so state keyed by connection id never mixes two listeners' connections. */
let nextConnectionId = 1;

export class RemotingConnection extends TypedEmitter<RemotingConnectionEvents> {
  /** Unique in the process; the key of per-connection state (held pulls, clients). */
  readonly id: number = nextConnectionId++;
  /** `ip:port` of the peer, in RocketMQ's form (no brackets around IPv6). */
  readonly remoteAddress: string;
  readonly localAddress: string;
  readonly #socket: Socket;
  readonly #clock: Clock;
  readonly #decoder: FrameDecoder;
  readonly #responses: ResponseTable;
  readonly #onRequest: RequestHandler;
  #nextOpaque = 0;
  #lastActivityMs: number;
  #corked = false;
  #closeReason: string | undefined;
  #closed = false;

  constructor(options: RemotingConnectionOptions) {
    super();
    this.#socket = options.socket;
    this.#clock = options.clock;
    this.#onRequest = options.onRequest;
    this.remoteAddress = `${plainIp(options.socket.remoteAddress)}:${options.socket.remotePort ?? 0}`;
    this.localAddress = `${plainIp(options.socket.localAddress)}:${options.socket.localPort ?? 0}`;
    this.#decoder = new FrameDecoder(
      options.maxFrameLengthBytes === undefined ? {} : { maxFrameLengthBytes: options.maxFrameLengthBytes },
    );
    this.#lastActivityMs = options.clock.now();
    this.#responses = new ResponseTable(options.clock, (expired, reject) =>
      reject(new RemotingTimeoutError(this.remoteAddress, expired.requestCode, expired.timeoutMs)),
    );
    this.#socket.setNoDelay(true);
    this.#socket.on('data', (chunk: Buffer) => this.#receive(chunk));
    this.#socket.on('error', (error) => {
      this.#closeReason ??= error.message;
    });
    this.#socket.on('close', () => this.#onClosed());
  }

  get isOpen(): boolean {
    return !this.#closed && !this.#socket.destroyed;
  }

  /** When a frame last arrived; the idle check closes connections silent for too long. */
  get lastActivityMs(): number {
    return this.#lastActivityMs;
  }

  /** Requests sent by this end and still waiting for their response. */
  get pendingRequests(): number {
    return this.#responses.size;
  }

  /** Bytes written but not yet handed to the kernel: the owner's back-pressure signal. */
  get writableLength(): number {
    return this.#socket.writableLength;
  }

  /**
   * Sends `request` with a fresh opaque and resolves with its response (whatever its code).
   * Rejects with RemotingTimeoutError or ConnectionClosedError.
   */
  invoke(request: RemotingCommand, timeoutMs: number): Promise<RemotingCommand> {
    if (!this.isOpen) return Promise.reject(this.#closedError());
    const opaque = this.#takeOpaque();
    const command: RemotingCommand = { ...request, opaque, flag: request.flag & ~RemotingFlag.ONEWAY };
    const response = this.#responses.register(opaque, request.code, timeoutMs);
    try {
      this.#write(command);
    } catch (error) {
      this.#responses.fail(opaque, error);
    }
    return response;
  }

  /** Sends `request` as ONEWAY: the peer never answers. Throws if the connection is closed. */
  sendOneway(request: RemotingCommand): void {
    if (!this.isOpen) throw this.#closedError();
    this.#write({ ...request, opaque: this.#takeOpaque(), flag: request.flag | RemotingFlag.ONEWAY });
  }

  /** Sends a response (or any prepared command) as is. A closed connection drops it silently: the
   * peer that would read it is gone, and the owner learns of the close through the event. */
  send(command: RemotingCommand): void {
    if (!this.isOpen) return;
    this.#write(command);
  }

  /** Closes after flushing what was written; pending requests fail with ConnectionClosedError. */
  close(reason: string): void {
    this.#closeReason ??= reason;
    this.#socket.end();
    // end() waits for the peer's FIN; a peer that never sends it must not keep us open.
    this.#socket.destroySoon();
  }

  /** Closes at once, discarding unwritten bytes. */
  destroy(reason: string): void {
    this.#closeReason ??= reason;
    this.#socket.destroy();
  }

  #takeOpaque(): number {
    // Java's opaque is an int; wrap before 2^31 so the binary header can always carry it.
    this.#nextOpaque = this.#nextOpaque >= 0x7fffffff ? 1 : this.#nextOpaque + 1;
    return this.#nextOpaque;
  }

  #write(command: RemotingCommand): void {
    const [head, body] = encodeFrameParts(command);
    if (!this.#corked) {
      this.#corked = true;
      this.#socket.cork();
      process.nextTick(() => {
        this.#corked = false;
        this.#socket.uncork();
      });
    }
    // A large body (a pull's records) goes as its own write, not copied into the frame; a small one
    // is cheaper copied than written separately.
    if (body.length === 0) {
      this.#socket.write(head);
    } else if (body.length < SEPARATE_BODY_WRITE_BYTES) {
      this.#socket.write(Buffer.concat([head, body], head.length + body.length));
    } else {
      this.#socket.write(head);
      this.#socket.write(body);
    }
  }

  #receive(chunk: Buffer): void {
    this.#lastActivityMs = this.#clock.now();
    const { commands, error } = this.#decoder.push(chunk);
    for (const command of commands) {
      if (this.#closed) return;
      this.#dispatch(command);
    }
    if (error !== undefined && !this.#closed) {
      this.emit('protocolError', error);
      this.destroy(`protocol error: ${error.message}`);
    }
  }

  #dispatch(command: RemotingCommand): void {
    if (isResponse(command)) {
      if (!this.#responses.complete(command.opaque, command)) this.emit('unmatchedResponse', command);
      return;
    }
    this.#onRequest(command, this);
  }

  #onClosed(): void {
    if (this.#closed) return;
    this.#closed = true;
    const reason = this.#closeReason ?? 'closed by peer';
    this.#responses.failAll(new ConnectionClosedError(this.remoteAddress, reason));
    this.emit('close', reason);
  }

  #closedError(): ConnectionClosedError {
    return new ConnectionClosedError(this.remoteAddress, this.#closeReason ?? 'connection is closed');
  }
}

/**
 * A dual-stack listener reports IPv4 peers as `::ffff:a.b.c.d`; RocketMQ (and the born-host field
 * of stored messages) shows them as plain IPv4.
 */
function plainIp(ip: string | undefined): string {
  if (ip === undefined) return 'unknown';
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice('::ffff:'.length) : ip;
}
