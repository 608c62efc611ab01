// A master's view of its slaves: which are connected and how far each has acknowledged the commit
// log, and the SYNC_MASTER wait on them (facts §7.3, RocketMQ's HAService.push2SlaveMaxOffset and
// GroupTransferService). Pure over a clock: the HA connections feed it, the send path waits on it.
//
// The SYNC_MASTER rules, for a message whose record ends at `endOffset`:
//   a connected slave has acknowledged endOffset already          → PUT_OK
//   no slave connected                                            → SLAVE_NOT_AVAILABLE at once
//   the best slave is more than haSlaveFallbehindMax behind it   → SLAVE_NOT_AVAILABLE at once
//   otherwise wait until one acknowledges it                      → PUT_OK
//                   ... or slaveTimeout passes                    → FLUSH_SLAVE_TIMEOUT
// Either non-OK status still means the message is stored on the master. The wait is a group wait
// like the flush's: waiters resolve in offset order, one timer for all of them.
//
// Unlike RocketMQ, whose push2SlaveMaxOffset only grows, the acknowledged offset is the best of
// the slaves connected now: a slave that comes back with an emptied store must not count as
// having what the old one had.

import type { Clock } from '../../common/clock';
import { DurabilityWaiters } from '../../store/commitlog/durability-waiters';

export type SlaveWaitStatus = 'PUT_OK' | 'FLUSH_SLAVE_TIMEOUT' | 'SLAVE_NOT_AVAILABLE';

export interface SlaveAcksOptions {
  readonly clock: Clock;
  /** `slaveTimeout` */
  readonly slaveTimeoutMs: number;
  /** `haSlaveFallbehindMax` */
  readonly fallBehindMaxBytes: number;
}

export interface ConnectedSlave {
  readonly id: number;
  readonly remoteAddress: string;
  /** The slave's last report: its commit log is complete below this offset. -1 before the first. */
  readonly ackedOffset: number;
  readonly connectedAtMs: number;
  readonly lastReportMs: number;
}

export class SlaveAcks {
  readonly #clock: Clock;
  readonly #fallBehindMaxBytes: number;
  readonly #waiters: DurabilityWaiters<'FLUSH_SLAVE_TIMEOUT'>;
  readonly #slaves = new Map<number, ConnectedSlave>();
  #acked = -1;

  constructor(options: SlaveAcksOptions) {
    this.#clock = options.clock;
    this.#fallBehindMaxBytes = options.fallBehindMaxBytes;
    this.#waiters = new DurabilityWaiters(options.clock, options.slaveTimeoutMs, 'FLUSH_SLAVE_TIMEOUT');
  }

  /** The best acknowledged offset of the slaves connected now; -1 when none has reported. */
  get ackedOffset(): number {
    return this.#acked;
  }

  get connectedCount(): number {
    return this.#slaves.size;
  }

  slaves(): ConnectedSlave[] {
    return [...this.#slaves.values()];
  }

  connected(id: number, remoteAddress: string): void {
    const now = this.#clock.now();
    this.#slaves.set(id, { id, remoteAddress, ackedOffset: -1, connectedAtMs: now, lastReportMs: now });
  }

  disconnected(id: number): void {
    if (this.#slaves.delete(id)) this.#recompute();
  }

  /** A slave reported its offset; waiters it covers resolve PUT_OK. */
  reported(id: number, offset: number): void {
    const slave = this.#slaves.get(id);
    if (slave === undefined) return;
    this.#slaves.set(id, { ...slave, ackedOffset: offset, lastReportMs: this.#clock.now() });
    this.#recompute();
  }

  /** The SYNC_MASTER wait for a stored record ending at `endOffset` (rules at the top). */
  waitFor(endOffset: number): Promise<SlaveWaitStatus> {
    if (this.#slaves.size > 0 && endOffset <= this.#acked) return Promise.resolve('PUT_OK');
    if (this.#slaves.size === 0) return Promise.resolve('SLAVE_NOT_AVAILABLE');
    if (endOffset - Math.max(this.#acked, 0) > this.#fallBehindMaxBytes) {
      return Promise.resolve('SLAVE_NOT_AVAILABLE');
    }
    return this.#waiters.add(endOffset);
  }

  #recompute(): void {
    let best = -1;
    for (const slave of this.#slaves.values()) best = Math.max(best, slave.ackedOffset);
    this.#acked = best;
    if (best >= 0) this.#waiters.complete(best);
  }
}
