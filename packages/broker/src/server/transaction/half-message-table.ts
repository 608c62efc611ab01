// The unresolved half messages of this broker (PREPARED and PARKED), by their offset in
// RMQ_SYS_TRANS_HALF_TOPIC's queue 0. Resolved ones leave the table: an END_TRANSACTION whose half
// message is not here has nothing left to do.
//
// Kept in memory (a few hundred bytes per message) because every decision reads it: END_TRANSACTION's
// "is this still open?" must be answered synchronously, in the same tick as the writes it guards,
// so two concurrent END_TRANSACTIONs can never both act. The store is the truth the table is
// rebuilt from (half-message-rebuild.ts); transaction-state-file.ts snapshots what the store does
// not hold (check counts, parking) and how far the rebuild may skip.

import { IllegalStateError } from '../../common/errors';
import type { CheckView } from './check-policy';
import { HalfMessageState, nextHalfMessageState, type HalfMessageEvent } from './half-message-state';

/** What the check service and `tx list` need from the record, read once when first needed. */
export interface HalfMessageDetails {
  readonly bornTimestamp: number;
  readonly storeTimestamp: number;
  readonly producerGroup: string;
  /** UNIQ_KEY: the producer's msgId and transactionId. */
  readonly msgId: string;
  readonly realTopic: string;
  readonly immunityMs: number | undefined;
}

export type Resolution = 'commit' | 'rollback';

export interface HalfMessageEntry {
  readonly halfOffset: number;
  readonly commitLogOffset: number;
  state: HalfMessageState;
  checks: number;
  lastCheckAt: number | undefined;
  details: HalfMessageDetails | undefined;
  /** An END_TRANSACTION's writes are in flight: other resolutions keep off, and so do checks. */
  resolving: Resolution | undefined;
  /**
   * While resolving: the op queue's visible end when the op record was appended. A snapshot taken
   * meanwhile starts its op position no later, so the rebuild re-reads that op record.
   */
  opFloor: number | undefined;
  /** While the parked copy is written: the parked queue's visible end before it, as above. */
  parkFloor: number | undefined;
}

export interface NewHalfMessage {
  readonly halfOffset: number;
  readonly commitLogOffset: number;
  readonly state?: typeof HalfMessageState.PREPARED | typeof HalfMessageState.PARKED;
  readonly checks?: number;
  readonly lastCheckAt?: number | undefined;
}

export class HalfMessageTable {
  readonly #entries = new Map<number, HalfMessageEntry>();

  get size(): number {
    return this.#entries.size;
  }

  /** How many are parked (counted on demand: runtime info asks rarely). */
  countParked(): number {
    let parked = 0;
    for (const entry of this.#entries.values()) if (entry.state === HalfMessageState.PARKED) parked++;
    return parked;
  }

  get(halfOffset: number): HalfMessageEntry | undefined {
    return this.#entries.get(halfOffset);
  }

  /** Adds a half message; one already known keeps its state (the rebuild may see it twice). */
  add(message: NewHalfMessage): HalfMessageEntry {
    const known = this.#entries.get(message.halfOffset);
    if (known !== undefined) return known;
    const entry: HalfMessageEntry = {
      halfOffset: message.halfOffset,
      commitLogOffset: message.commitLogOffset,
      state: message.state ?? HalfMessageState.PREPARED,
      checks: message.checks ?? 0,
      lastCheckAt: message.lastCheckAt,
      details: undefined,
      resolving: undefined,
      opFloor: undefined,
      parkFloor: undefined,
    };
    this.#entries.set(message.halfOffset, entry);
    return entry;
  }

  /**
   * Applies `event` through the transition table. Resolved entries leave the table. Throws
   * IllegalStateError for a move the table does not have: callers check `canApply` first.
   */
  apply(entry: HalfMessageEntry, event: HalfMessageEvent): HalfMessageState {
    const next = nextHalfMessageState(entry.state, event);
    if (next === undefined) {
      throw new IllegalStateError(
        `half message at half-queue offset ${entry.halfOffset} is ${entry.state}; it cannot ${event}`,
      );
    }
    entry.state = next;
    if (next === HalfMessageState.COMMITTED || next === HalfMessageState.ROLLED_BACK) {
      this.#entries.delete(entry.halfOffset);
    }
    return next;
  }

  canApply(entry: HalfMessageEntry, event: HalfMessageEvent): boolean {
    return nextHalfMessageState(entry.state, event) !== undefined;
  }

  /** Forgets an entry whose record is gone (expired with its commit-log segment). */
  drop(halfOffset: number): boolean {
    return this.#entries.delete(halfOffset);
  }

  /** Every entry, in the order added (the half queue's order, for live and rebuilt ones alike). */
  entries(): IterableIterator<HalfMessageEntry> {
    return this.#entries.values();
  }

  /** The lowest half offset still open, or undefined when none is. */
  lowestOffset(): number | undefined {
    let lowest: number | undefined;
    for (const offset of this.#entries.keys()) if (lowest === undefined || offset < lowest) lowest = offset;
    return lowest;
  }
}

/** The policy's view of an entry whose details are loaded. */
export function checkViewOf(entry: HalfMessageEntry, details: HalfMessageDetails): CheckView {
  return {
    bornTimestamp: details.bornTimestamp,
    storeTimestamp: details.storeTimestamp,
    immunityMs: details.immunityMs,
    checks: entry.checks,
    lastCheckAt: entry.lastCheckAt,
  };
}
