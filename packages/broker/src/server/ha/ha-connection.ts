// A master's end of one slave's replication connection (RocketMQ's HAConnection):
//
//   slave ──reports (8 B)──► this ──► SlaveAcks (SYNC_MASTER waits resolve)
//   slave ◄──frames────────── this ◄── commit log, acknowledged bytes only, from the first report on
//
// The first report fixes where the transfer starts: the slave's end of log, or for an empty slave
// (report 0) the oldest byte the master keeps. RocketMQ starts an empty slave at the master's
// newest segment; Keel copies everything kept, so a slave can serve every message its master can.
// A slave ahead of the master, or behind what the master still keeps, cannot be brought in line
// by copying: the connection is closed with an error naming the fix.
//
// Only acknowledged bytes are sent (the store's confirmed offset): a slave never holds a record
// that a crash of the master could take back, so the two logs cannot diverge after a restart.

import type { Socket } from 'node:net';
import type { Clock, TimerHandle } from '../../common/clock';
import type { Logger } from '../../common/logger';
import type { MessageStore } from '../../store/message-store';
import { HaError, HaErrorCodes } from './ha-errors';
import { encodeTransferHeader, OffsetReportDecoder } from './ha-frame';
import type { SlaveAcks } from './slave-acks';

export interface HaConnectionOptions {
  readonly id: number;
  readonly socket: Socket;
  readonly store: Pick<MessageStore, 'readCommitLog' | 'commitLogOffsets'>;
  readonly acks: SlaveAcks;
  readonly clock: Clock;
  readonly log: Logger;
  /** `haTransferBatchSize` */
  readonly batchBytes: number;
  /** `haSendHeartbeatInterval`: an empty frame after this long without one. */
  readonly heartbeatIntervalMs: number;
  /** `haHousekeepingInterval`: closed after this long without a report. */
  readonly housekeepingMs: number;
  readonly onClose: (connection: HaConnection, reason: string) => void;
}

export class HaConnection {
  readonly id: number;
  readonly remoteAddress: string;
  readonly #options: HaConnectionOptions;
  readonly #decoder = new OffsetReportDecoder();
  readonly #housekeeping: TimerHandle;
  #nextTransfer: number | undefined;
  #lastReportMs: number;
  #lastSendMs: number;
  #closed = false;
  /** Set while the transfer loop waits for the log to grow; calling it ends the wait. */
  #wake: (() => void) | undefined;
  #waitTimer: TimerHandle | undefined;
  #drained: (() => void) | undefined;

  constructor(options: HaConnectionOptions) {
    this.#options = options;
    this.id = options.id;
    const { socket, clock } = options;
    this.remoteAddress = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    this.#lastReportMs = clock.now();
    // Nothing sent yet: the first frame (a heartbeat if there is no data) goes out at once, and
    // tells the slave that a master, not just a socket, is at the other end.
    this.#lastSendMs = -Infinity;
    options.acks.connected(this.id, this.remoteAddress);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('drain', () => this.#drained?.());
    socket.on('error', (error) => this.close(`socket error: ${error.message}`));
    socket.on('close', () => this.close('the slave closed the connection'));
    this.#housekeeping = clock.setInterval(
      () => this.#checkSilence(),
      Math.max(1, Math.min(1000, options.housekeepingMs)),
    );
  }

  /** Where the next frame starts; undefined until the slave's first report. */
  get nextTransferOffset(): number | undefined {
    return this.#nextTransfer;
  }

  /** The commit log grew: a transfer loop waiting for data goes on at once. */
  logGrew(): void {
    this.#endWait();
  }

  close(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    const { clock, socket, acks } = this.#options;
    clock.clearInterval(this.#housekeeping);
    this.#endWait();
    this.#drained?.();
    socket.destroy();
    acks.disconnected(this.id);
    this.#options.onClose(this, reason);
  }

  #onData(chunk: Buffer): void {
    let reports: number[];
    try {
      reports = this.#decoder.push(chunk);
    } catch (error) {
      this.close(error instanceof Error ? error.message : String(error));
      return;
    }
    if (reports.length === 0) return;
    this.#lastReportMs = this.#options.clock.now();
    const newest = reports[reports.length - 1]!;
    if (this.#nextTransfer === undefined) {
      const start = this.#startOffset(reports[0]!);
      if (start instanceof HaError) {
        this.#options.log.error('replication refused: the slave cannot follow this log', {
          slave: this.remoteAddress,
          error: start.message,
        });
        this.close(start.message);
        return;
      }
      this.#nextTransfer = start;
      this.#options.log.info('slave connected for replication', {
        slave: this.remoteAddress,
        reported: reports[0]!,
        from: start,
      });
      void this.#transferLoop();
    }
    // A slave cannot hold more than this connection sent it: a larger report would release
    // SYNC_MASTER sends no slave has (a broken or hostile peer), so it ends the connection.
    const sentThrough = this.#nextTransfer;
    if (newest > sentThrough) {
      this.close(`the slave reported offset ${newest}, beyond the ${sentThrough} bytes this master sent it`);
      return;
    }
    this.#options.acks.reported(this.id, newest);
  }

  #startOffset(reported: number): number | HaError {
    const { min, confirmed } = this.#options.store.commitLogOffsets();
    if (reported === 0) return min;
    if (reported > confirmed) {
      return new HaError(
        HaErrorCodes.LOGS_DIVERGED,
        `the slave's log ends at ${reported}, past this master's end ${confirmed}: it holds data this master lost ` +
          "(was the master's store restored or emptied?); compare the two stores, then empty the slave's to copy the master again",
      );
    }
    if (reported < min) {
      return new HaError(
        HaErrorCodes.LOGS_DIVERGED,
        `the slave's log ends at ${reported}, but this master keeps its log only from ${min} (retention deleted the rest); ` +
          "empty the slave's store to copy the master again",
      );
    }
    return reported;
  }

  async #transferLoop(): Promise<void> {
    const { store, clock, batchBytes, heartbeatIntervalMs } = this.#options;
    try {
      while (!this.#closed) {
        const from = this.#nextTransfer!;
        const data = await store.readCommitLog(from, batchBytes);
        if (this.#closed) return;
        if (data.length > 0) {
          await this.#send(from, data);
          this.#nextTransfer = from + data.length;
          continue;
        }
        if (from < store.commitLogOffsets().min) {
          this.close(`retention deleted the log at ${from} before the slave had it; empty the slave's store`);
          return;
        }
        const idleMs = clock.now() - this.#lastSendMs;
        if (idleMs >= heartbeatIntervalMs) {
          await this.#send(from, Buffer.alloc(0));
          continue;
        }
        await this.#waitForData(from, heartbeatIntervalMs - idleMs);
      }
    } catch (error) {
      this.close(`transfer failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  async #send(offset: number, data: Buffer): Promise<void> {
    const { socket, clock } = this.#options;
    socket.cork();
    socket.write(encodeTransferHeader(offset, data.length));
    const flowing = data.length === 0 || socket.write(data);
    socket.uncork();
    this.#lastSendMs = clock.now();
    if (!flowing && !this.#closed) {
      await new Promise<void>((resolve) => {
        this.#drained = resolve;
      });
      this.#drained = undefined;
    }
  }

  #waitForData(from: number, timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#wake = resolve;
      this.#waitTimer = this.#options.clock.setTimeout(() => this.#endWait(), Math.max(1, timeoutMs));
      // The log may have grown between the empty read and now; its notification is gone by then.
      if (this.#options.store.commitLogOffsets().confirmed > from || this.#closed) this.#endWait();
    });
  }

  #endWait(): void {
    if (this.#waitTimer !== undefined) this.#options.clock.clearTimeout(this.#waitTimer);
    this.#waitTimer = undefined;
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #checkSilence(): void {
    const silentMs = this.#options.clock.now() - this.#lastReportMs;
    if (silentMs > this.#options.housekeepingMs) {
      this.close(`no report from the slave for ${silentMs} ms (haHousekeepingInterval)`);
    }
  }
}
