// A slave's replication link to its master (RocketMQ's HAClient):
//
//   connect to the master's HA address ─► report the end of the local log (at once, then whenever it
//   grows and at least every haSendHeartbeatInterval) ─► append what the master streams, verified
//   record by record (ReplicaReceiver → MessageStore.appendReplicated) ─► ...
//
// The report is the log's acknowledged end (bytes handed to the kernel), so what the master counts
// as replicated survives a crash of the slave process. Any problem (refused connection, silence
// past haHousekeepingInterval, data that does not continue the log) closes the link; it is opened
// again a second later, from the log's end at that time. RocketMQ waits 5 s before its first report
// and between connection attempts; Keel does neither, so a slave catches up sooner.
//
// Flow control: while more than MAX_UNCOMMITTED_BYTES are appended but not yet handed to the kernel,
// the socket is paused (the master then blocks on its writes), so a slow disk cannot make the slave
// buffer the master's whole log in memory.

import { connect, type Socket } from 'node:net';
import type { Clock, TimerHandle } from '../../common/clock';
import type { Logger } from '../../common/logger';
import type { MessageStore } from '../../store/message-store';
import { parseAddress } from '../../transport/address';
import { encodeOffsetReport, TransferFrameDecoder, type TransferFrame } from './ha-frame';
import { ReplicaReceiver } from './replica-receiver';

export interface HaClientOptions {
  readonly store: Pick<MessageStore, 'appendReplicated' | 'commitLogOffsets'>;
  readonly clock: Clock;
  readonly log: Logger;
  /** The master's HA address `host:port` now, or undefined while it is not known. */
  readonly masterHaAddress: () => string | undefined;
  /** `haSendHeartbeatInterval` */
  readonly heartbeatIntervalMs: number;
  /** `haHousekeepingInterval` */
  readonly housekeepingMs: number;
  /** Between connection attempts. Default 1000 ms. */
  readonly retryDelayMs?: number;
}

export interface HaClientStatus {
  readonly masterHaAddress: string | undefined;
  /** Connected and heard from: the master sends a frame as soon as the slave has reported. */
  readonly connected: boolean;
  /** The local log's acknowledged end: what the master has been told. */
  readonly replicatedOffset: number;
  /** End of the newest data or heartbeat received: the master's transfer position. -1 if none yet. */
  readonly masterOffset: number;
  readonly lastFrameMs: number | undefined;
  /** Why the link is down, when it is. */
  readonly lastProblem: string | undefined;
}

const DEFAULT_RETRY_DELAY_MS = 1000;
const CONNECT_TIMEOUT_MS = 3000;
const MAX_UNCOMMITTED_BYTES = 64 * 1024 * 1024;

export class HaClient {
  readonly #options: HaClientOptions;
  readonly #receiver: ReplicaReceiver;
  #decoder = new TransferFrameDecoder();
  #socket: Socket | undefined;
  #connected = false;
  /** A frame arrived on this connection: the master itself answers (not only a proxy or a port). */
  #heard = false;
  #address: string | undefined;
  #retryTimer: TimerHandle | undefined;
  #connectTimer: TimerHandle | undefined;
  #heartbeatTimer: TimerHandle | undefined;
  #work: Promise<void> = Promise.resolve();
  #lastReported = -1;
  #lastReportMs = 0;
  #lastFrameMs: number | undefined;
  #masterOffset = -1;
  #lastProblem: string | undefined;
  /** The problem already logged: a master that stays down is logged once, not every second. */
  #loggedProblem: string | undefined;
  #paused = false;
  #closed = false;

  constructor(options: HaClientOptions) {
    this.#options = options;
    this.#receiver = new ReplicaReceiver(options.store);
  }

  start(): void {
    this.#attempt();
  }

  status(): HaClientStatus {
    return {
      masterHaAddress: this.#address ?? this.#options.masterHaAddress(),
      connected: this.#connected && this.#heard,
      replicatedOffset: this.#options.store.commitLogOffsets().confirmed,
      masterOffset: this.#masterOffset,
      lastFrameMs: this.#lastFrameMs,
      lastProblem: this.#lastProblem,
    };
  }

  /** The local log's acknowledged end moved: tell the master, and take more data if paused. */
  logConfirmed(): void {
    if (!this.#connected) return;
    this.#report();
    if (this.#paused && this.#uncommittedBytes() < MAX_UNCOMMITTED_BYTES / 2) {
      this.#paused = false;
      this.#socket?.resume();
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#clearTimers();
    if (this.#retryTimer !== undefined) this.#options.clock.clearTimeout(this.#retryTimer);
    this.#socket?.destroy();
    this.#socket = undefined;
    this.#connected = false;
    // An append in progress finishes before the store may close.
    await this.#work;
  }

  #attempt(): void {
    this.#retryTimer = undefined;
    if (this.#closed) return;
    const address = this.#options.masterHaAddress();
    if (address === undefined) {
      this.#problem(
        "the master's HA address is not known yet (set haMasterAddress, or wait for the name server to report the master)",
      );
      this.#retryLater();
      return;
    }
    let host: string;
    let port: number;
    try {
      ({ host, port } = parseAddress(address));
    } catch (error) {
      this.#problem(`the master's HA address ${address} is not host:port: ${String(error)}`);
      this.#retryLater();
      return;
    }
    this.#address = address;
    const { clock } = this.#options;
    const socket = connect({ host, port });
    this.#socket = socket;
    this.#connectTimer = clock.setTimeout(
      () => this.#drop(socket, `connecting to ${address} took more than ${CONNECT_TIMEOUT_MS} ms`),
      CONNECT_TIMEOUT_MS,
    );
    socket.setNoDelay(true);
    socket.once('connect', () => this.#onConnect(socket));
    socket.on('data', (chunk: Buffer) => this.#onData(socket, chunk));
    socket.on('error', (error) => this.#drop(socket, `${address}: ${error.message}`));
    socket.on('close', () => this.#drop(socket, `${address} closed the connection`));
  }

  #onConnect(socket: Socket): void {
    if (socket !== this.#socket) return;
    const { clock, log, heartbeatIntervalMs, housekeepingMs } = this.#options;
    if (this.#connectTimer !== undefined) clock.clearTimeout(this.#connectTimer);
    this.#connectTimer = undefined;
    this.#connected = true;
    this.#heard = false;
    this.#receiver.reset();
    this.#decoder = new TransferFrameDecoder();
    this.#lastFrameMs = clock.now();
    this.#lastReported = -1;
    this.#lastProblem = undefined;
    this.#loggedProblem = undefined;
    log.info('replicating from master', {
      master: this.#address,
      from: this.#options.store.commitLogOffsets().confirmed,
    });
    this.#report();
    this.#heartbeatTimer = clock.setInterval(
      () => {
        const now = clock.now();
        if (this.#lastFrameMs !== undefined && now - this.#lastFrameMs > housekeepingMs) {
          this.#drop(
            socket,
            `nothing from the master for ${now - this.#lastFrameMs} ms (haHousekeepingInterval)`,
          );
          return;
        }
        if (now - this.#lastReportMs >= heartbeatIntervalMs) this.#report(true);
      },
      Math.max(1, Math.min(1000, heartbeatIntervalMs)),
    );
  }

  #onData(socket: Socket, chunk: Buffer): void {
    if (socket !== this.#socket || !this.#connected) return;
    let frames: TransferFrame[];
    try {
      frames = this.#decoder.push(chunk);
    } catch (error) {
      this.#drop(socket, error instanceof Error ? error.message : String(error));
      return;
    }
    if (frames.length === 0) return;
    this.#heard = true;
    this.#lastFrameMs = this.#options.clock.now();
    for (const frame of frames) {
      this.#masterOffset = Math.max(this.#masterOffset, frame.masterOffset + frame.data.length);
      this.#work = this.#work.then(() => this.#apply(socket, frame));
    }
    if (!this.#paused && this.#uncommittedBytes() > MAX_UNCOMMITTED_BYTES) {
      this.#paused = true;
      socket.pause();
    }
  }

  async #apply(socket: Socket, frame: TransferFrame): Promise<void> {
    if (socket !== this.#socket) return;
    try {
      await this.#receiver.accept(frame.masterOffset, frame.data);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.#drop(socket, `replicated data refused: ${message}`, 'error');
    }
  }

  #report(force = false): void {
    const socket = this.#socket;
    if (socket === undefined || !this.#connected) return;
    const offset = this.#options.store.commitLogOffsets().confirmed;
    if (!force && offset === this.#lastReported) return;
    this.#lastReported = offset;
    this.#lastReportMs = this.#options.clock.now();
    socket.write(encodeOffsetReport(offset));
  }

  #uncommittedBytes(): number {
    const { max, confirmed } = this.#options.store.commitLogOffsets();
    return max - confirmed;
  }

  #drop(socket: Socket, reason: string, level: 'warn' | 'error' = 'warn'): void {
    if (socket !== this.#socket) return;
    this.#socket = undefined;
    this.#clearTimers();
    socket.destroy();
    const wasConnected = this.#connected;
    this.#connected = false;
    this.#heard = false;
    this.#paused = false;
    if (this.#closed) return;
    if (wasConnected) this.#options.log.warn('replication link to the master lost; reconnecting', { reason });
    this.#problem(reason, level);
    this.#retryLater();
  }

  #problem(reason: string, level: 'warn' | 'error' = 'warn'): void {
    this.#lastProblem = reason;
    if (this.#loggedProblem === reason) return;
    this.#loggedProblem = reason;
    this.#options.log[level]('cannot replicate from the master; retrying every second', { reason });
  }

  #retryLater(): void {
    if (this.#closed || this.#retryTimer !== undefined) return;
    this.#retryTimer = this.#options.clock.setTimeout(
      () => this.#attempt(),
      this.#options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS,
    );
  }

  #clearTimers(): void {
    const { clock } = this.#options;
    if (this.#connectTimer !== undefined) clock.clearTimeout(this.#connectTimer);
    if (this.#heartbeatTimer !== undefined) clock.clearInterval(this.#heartbeatTimer);
    this.#connectTimer = undefined;
    this.#heartbeatTimer = undefined;
  }
}
