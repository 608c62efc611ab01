// The load generator's connection to the broker: requests pipelined on one TCP connection, matched
// to responses by opaque. It writes like Keel's RemotingConnection (no Nagle delay, the frames of
// one tick corked into one write), so the broker sees the TCP pattern a Keel client produces.
//
// Its own client because RemotingClient is not reachable from `@keel/broker/internal`, the
// surface benchmarks may import; this one has no timeouts or reconnects, which a benchmark that
// fails on the first error does not need.
import { connect, type Socket } from 'node:net';
import { encodeFrame, FrameDecoder, RemotingFlag } from '@keel/broker/internal';
import type { RemotingCommand } from '@keel/broker/internal';

interface Pending {
  readonly resolve: (response: RemotingCommand) => void;
  readonly reject: (error: Error) => void;
}

export class BenchClient {
  readonly #socket: Socket;
  readonly #decoder = new FrameDecoder();
  readonly #pending = new Map<number, Pending>();
  #nextOpaque = 0;
  #corked = false;
  #failure: Error | undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#receive(chunk));
    socket.on('error', (error) => this.#fail(error));
    socket.on('close', () => this.#fail(new Error('the broker closed the connection')));
  }

  static connect(address: string): Promise<BenchClient> {
    const colon = address.lastIndexOf(':');
    const socket = connect({ host: address.slice(0, colon), port: Number(address.slice(colon + 1)) });
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new BenchClient(socket));
      });
    });
  }

  invoke(request: RemotingCommand): Promise<RemotingCommand> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    this.#nextOpaque = this.#nextOpaque >= 0x7fffffff ? 1 : this.#nextOpaque + 1;
    const opaque = this.#nextOpaque;
    const frame = encodeFrame({ ...request, opaque });
    if (!this.#corked) {
      this.#corked = true;
      this.#socket.cork();
      process.nextTick(() => {
        this.#corked = false;
        this.#socket.uncork();
      });
    }
    this.#socket.write(frame);
    return new Promise((resolve, reject) => this.#pending.set(opaque, { resolve, reject }));
  }

  close(): Promise<void> {
    this.#failure ??= new Error('the benchmark client is closed');
    if (this.#socket.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.#socket.once('close', () => resolve());
      this.#socket.end();
    });
  }

  #receive(chunk: Buffer): void {
    const { commands, error } = this.#decoder.push(chunk);
    for (const command of commands) {
      // The broker sends requests only to clients that sent a heartbeat, which this one never does.
      if ((command.flag & RemotingFlag.RESPONSE) === 0) continue;
      const pending = this.#pending.get(command.opaque);
      this.#pending.delete(command.opaque);
      pending?.resolve(command);
    }
    if (error !== undefined) {
      this.#fail(error);
      this.#socket.destroy();
    }
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }
}
