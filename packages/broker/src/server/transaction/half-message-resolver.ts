// END_TRANSACTION's commit and rollback of one half message (fact sheet §6.4), exactly once.
//
// Validation is RocketMQ's: the half message is loaded by commitLogOffset, and its PGROUP, queue
// offset and commit-log offset must be the ones the request names. Then, with no await in between,
// the table says whether the half message is still open and marks it as being resolved, and the
// writes are appended: so of two END_TRANSACTIONs for one half message (duplicates, a commit racing
// a rollback, a producer's answer racing an operator's) only the first acts, and the other finds
// it resolving or gone.
//
// Write order: the op record, then the committed message, in one batch (appended in the same tick,
// adjacent in the commit log, acknowledged together). A crash can then leave the op record without
// the message behind it, never the message without its op record; the rebuild notices the first
// case for the last op record and writes the message, once (half-message-rebuild.ts). The other order
// would deliver the message again after such a crash, when a check asks the producer once more.

import type { Clock } from '../../common/clock';
import type { Logger } from '../../common/logger';
import { MessageConst } from '../../protocol/message/message-const';
import { parseMessageProperties } from '../../protocol/message/message-properties';
import type { HostAddress } from '../../protocol/message/host-address';
import type { DecodedStoredMessage } from '../../protocol/message/stored-message-decoder';
import type { MessageStore, PutMessageResult } from '../../store/message-store';
import type { DeliveryTimeSettings } from '../delivery/delivery-time';
import { SystemTopic } from '../topic/system-topics';
import { committedMessagePut } from './committed-message';
import type { HalfMessageTable, Resolution } from './half-message-table';
import { opRecordPut } from './op-record';
import type { TransactionStats } from './transaction-stats';

export interface EndTransactionRequest {
  readonly producerGroup: string;
  readonly tranStateTableOffset: number;
  readonly commitLogOffset: number;
  readonly resolution: Resolution;
  readonly fromTransactionCheck: boolean;
  readonly msgId: string;
}

export type EndTransactionOutcome =
  /** This request resolved the half message. */
  | { readonly kind: 'resolved'; readonly resolution: Resolution }
  /** Not open any more: an earlier END_TRANSACTION resolved it; this one has no effect. */
  | { readonly kind: 'already-resolved' }
  /** Another END_TRANSACTION for it is being written; this one has no effect. */
  | { readonly kind: 'in-progress'; readonly resolution: Resolution }
  /** The request does not name a half message of this broker (RocketMQ's checks). */
  | { readonly kind: 'invalid'; readonly remark: string }
  /** The half message cannot be committed as it is (no real topic, too large); nothing written. */
  | { readonly kind: 'undeliverable'; readonly remark: string }
  /** The store refused the writes; the half message stays open and is checked again. */
  | { readonly kind: 'store-refused'; readonly result: PutMessageResult }
  /**
   * The writes were appended and count as done, but the store could not confirm them (flush or
   * disk failure). If they never reach the disk, the restart finds the half message open again.
   */
  | { readonly kind: 'unconfirmed'; readonly resolution: Resolution; readonly result: PutMessageResult };

export interface HalfMessageResolverOptions {
  readonly store: MessageStore;
  readonly table: HalfMessageTable;
  readonly stats: TransactionStats;
  readonly clock: Clock;
  readonly log: Logger;
  readonly storeHost: HostAddress;
  readonly settings: DeliveryTimeSettings;
}

export class HalfMessageResolver {
  readonly #options: HalfMessageResolverOptions;

  constructor(options: HalfMessageResolverOptions) {
    this.#options = options;
  }

  async endTransaction(request: EndTransactionRequest): Promise<EndTransactionOutcome> {
    const { store, table, clock, storeHost, settings } = this.#options;
    const half = await store.readMessageAt(request.commitLogOffset);
    const invalid = validationProblem(half, request);
    if (invalid !== undefined) return { kind: 'invalid', remark: invalid };
    // From here to the putMessages call nothing awaits: the open/resolving check and the append
    // happen in one tick.
    const entry = table.get(half!.queueOffset);
    if (entry === undefined || !table.canApply(entry, request.resolution))
      return { kind: 'already-resolved' };
    if (entry.resolving !== undefined) return { kind: 'in-progress', resolution: entry.resolving };
    const now = clock.now();
    const puts = [
      opRecordPut({
        halfOffset: entry.halfOffset,
        halfCommitLogOffset: entry.commitLogOffset,
        resolution: request.resolution,
        nowMs: now,
        storeHost,
      }),
    ];
    if (request.resolution === 'commit') {
      const committed = committedMessagePut(half!, now, settings, store);
      if (!committed.ok) return { kind: 'undeliverable', remark: committed.problem };
      puts.push(committed.put);
    }
    entry.resolving = request.resolution;
    entry.opFloor = store.maxOffsetInQueue(SystemTopic.TRANS_OP_HALF, 0);
    let results: PutMessageResult[];
    try {
      results = await store.putMessages(puts);
    } catch (error) {
      entry.resolving = undefined;
      entry.opFloor = undefined;
      throw error;
    }
    entry.opFloor = undefined;
    entry.resolving = undefined;
    const op = results[0]!;
    if (op.physicalOffset < 0) return { kind: 'store-refused', result: op };
    table.apply(entry, request.resolution);
    this.#count(request, entry.halfOffset);
    const unconfirmed = results.find((result) => !isStored(result));
    return unconfirmed === undefined
      ? { kind: 'resolved', resolution: request.resolution }
      : { kind: 'unconfirmed', resolution: request.resolution, result: unconfirmed };
  }

  #count(request: EndTransactionRequest, halfOffset: number): void {
    const { stats, log } = this.#options;
    if (request.resolution === 'commit') stats.commits++;
    else stats.rollbacks++;
    if (log.isEnabled('debug')) {
      log.debug('half message resolved', {
        resolution: request.resolution,
        halfOffset,
        msgId: request.msgId,
        producerGroup: request.producerGroup,
        fromCheck: request.fromTransactionCheck,
      });
    }
  }
}

/** PUT_OK, or stored but not yet as durable as asked (RocketMQ's soft statuses count as stored). */
function isStored(result: PutMessageResult): boolean {
  return result.status === 'PUT_OK' || result.status === 'FLUSH_DISK_TIMEOUT';
}

/** RocketMQ's checks (with its remarks), plus: the record must be in the half topic. */
function validationProblem(
  half: DecodedStoredMessage | undefined,
  request: EndTransactionRequest,
): string | undefined {
  if (half === undefined) {
    return `Find prepared transaction message failed: no message at commit-log offset ${request.commitLogOffset}`;
  }
  if (half.topic !== SystemTopic.TRANS_HALF) {
    return `The message at commit-log offset ${request.commitLogOffset} is in topic ${half.topic}, not a half message (${SystemTopic.TRANS_HALF})`;
  }
  const group = parseMessageProperties(half.properties).get(MessageConst.PROPERTY_PRODUCER_GROUP);
  // A half message sent without PGROUP names no group to compare with; any group may resolve it.
  if (group !== undefined && group !== request.producerGroup) {
    return `The producer group wrong: the half message belongs to ${group}, the request names ${request.producerGroup}`;
  }
  if (half.queueOffset !== request.tranStateTableOffset) {
    return `The transaction state table offset wrong: the half message is at ${half.queueOffset}, the request names ${request.tranStateTableOffset}`;
  }
  if (half.physicalOffset !== request.commitLogOffset) {
    return `The commit log offset wrong: the half message is at ${half.physicalOffset}, the request names ${request.commitLogOffset}`;
  }
  return undefined;
}
