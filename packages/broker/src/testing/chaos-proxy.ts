// A TCP proxy for tests that break a link between two servers on purpose (pg-boss's halfOpenProxy,
// toxiproxy's basics): connections to the proxy's port are piped to `target` until the test
//
//   blackhole()  bytes stop flowing both ways, but every connection stays open (a pulled cable,
//                a hung peer: neither side learns anything until its own timeouts fire)
//   cut()        every connection is destroyed now (a peer restart, a reset)
//   refuse()     new connections are closed at once; with cut(), the link is down for good
//   restore()    back to piping (blackholed bytes are dropped, not delivered late)
//   delay(ms)    while piping, every chunk is forwarded `ms` later, in order (a long link); bytes
//                still delayed when a connection drops are lost with it

import { connect, createServer, type Server, type Socket } from 'node:net';
import { systemClock, type TimerHandle } from '../common/clock';
import { closeServer, listenOnEphemeralPort } from './servers';

export type ChaosMode = 'pipe' | 'blackhole' | 'refuse';

interface Pair {
  readonly client: Socket;
  readonly upstream: Socket;
}

export class ChaosProxy {
  readonly #server: Server;
  readonly #target: { readonly host: string; readonly port: number };
  readonly #pairs = new Set<Pair>();
  #mode: ChaosMode = 'pipe';
  #delayMs = 0;
  readonly #delayed = new Set<TimerHandle>();
  #port = 0;

  private constructor(target: { readonly host: string; readonly port: number }) {
    this.#target = target;
    this.#server = createServer((client) => this.#accept(client));
  }

  /** A proxy on an ephemeral port of 127.0.0.1 forwarding to `target`. */
  static async start(target: { readonly host: string; readonly port: number }): Promise<ChaosProxy> {
    const proxy = new ChaosProxy(target);
    proxy.#port = await listenOnEphemeralPort(proxy.#server);
    return proxy;
  }

  get port(): number {
    return this.#port;
  }

  get address(): string {
    return `127.0.0.1:${this.#port}`;
  }

  get mode(): ChaosMode {
    return this.#mode;
  }

  /** Connections open now (either side). */
  get connectionCount(): number {
    return this.#pairs.size;
  }

  blackhole(): void {
    this.#mode = 'blackhole';
  }

  refuse(): void {
    this.#mode = 'refuse';
  }

  restore(): void {
    this.#mode = 'pipe';
  }

  delay(ms: number): void {
    this.#delayMs = ms;
  }

  cut(): void {
    for (const pair of [...this.#pairs]) this.#drop(pair);
  }

  async close(): Promise<void> {
    for (const timer of this.#delayed) systemClock.clearTimeout(timer);
    this.#delayed.clear();
    this.cut();
    await closeServer(this.#server);
  }

  #accept(client: Socket): void {
    if (this.#mode === 'refuse') {
      client.destroy();
      return;
    }
    const upstream = connect(this.#target);
    const pair: Pair = { client, upstream };
    this.#pairs.add(pair);
    const forward = (to: Socket) => (chunk: Buffer) => {
      if (this.#mode !== 'pipe') return;
      if (this.#delayMs === 0) {
        to.write(chunk);
        return;
      }
      // Equal delays fire in the order they were set: the stream stays in order.
      const timer = systemClock.setTimeout(() => {
        this.#delayed.delete(timer);
        if (this.#pairs.has(pair) && this.#mode === 'pipe') to.write(chunk);
      }, this.#delayMs);
      this.#delayed.add(timer);
    };
    client.on('data', forward(upstream));
    upstream.on('data', forward(client));
    for (const socket of [client, upstream]) {
      // Either side ending or failing ends the pair, as a real link would.
      socket.on('error', () => this.#drop(pair));
      socket.on('close', () => this.#drop(pair));
    }
  }

  #drop(pair: Pair): void {
    if (!this.#pairs.delete(pair)) return;
    pair.client.destroy();
    pair.upstream.destroy();
  }
}
