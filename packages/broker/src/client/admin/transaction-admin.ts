// Open transactions (half messages) of the cluster's brokers: listed with Keel's
// KEEL_LIST_HALF_MESSAGES, resolved with RocketMQ's own END_TRANSACTION sent two-way, as the
// producer would answer a check (fromTransactionCheck=true), naming the half message's offsets.

import {
  decodeHalfMessageList,
  MAX_LISTED_HALF_MESSAGES,
  type HalfMessageListItem,
} from '../../protocol/bodies/half-message-list';
import {
  CommitOrRollback,
  EndTransactionRequestHeader,
  ListHalfMessagesRequestHeader,
} from '../../protocol/headers/transaction-headers';
import { RequestCode } from '../../protocol/remoting/request-code';
import { AdminError, AdminErrorCodes } from './admin-errors';
import { askSuccess, type AdminRequester } from './admin-requester';
import { findBroker, mastersOf, readClusterInfo, type MasterBroker } from './cluster-view';

/** The most half messages one broker lists by default. */
export const DEFAULT_TX_LIST_MAX = 1000;
export { MAX_LISTED_HALF_MESSAGES };

export interface TransactionListQuery {
  /** A broker name (its master) or address; default every master (of `cluster`, if given). */
  readonly broker?: string | undefined;
  readonly cluster?: string | undefined;
  /** Only the half messages with this msgId (UNIQ_KEY). */
  readonly msgId?: string | undefined;
  /** Per broker; default DEFAULT_TX_LIST_MAX. */
  readonly maxCount?: number | undefined;
}

export interface OpenTransaction extends HalfMessageListItem {
  readonly brokerName: string;
  readonly brokerAddress: string;
}

export interface TransactionList {
  readonly transactions: readonly OpenTransaction[];
  /** Per broker: how many match, when more than were listed. */
  readonly truncated: ReadonlyArray<{ readonly brokerName: string; readonly total: number }>;
}

export async function listTransactions(
  requester: AdminRequester,
  query: TransactionListQuery,
): Promise<TransactionList> {
  const transactions: OpenTransaction[] = [];
  const truncated: Array<{ brokerName: string; total: number }> = [];
  const extFields = ListHalfMessagesRequestHeader.encode({
    maxCount: query.maxCount ?? DEFAULT_TX_LIST_MAX,
    msgId: query.msgId,
  });
  for (const master of await targets(requester, query)) {
    const response = await askSuccess(requester, master.address, {
      code: RequestCode.KEEL_LIST_HALF_MESSAGES,
      extFields,
    });
    const list = decodeHalfMessageList(response.body);
    for (const item of list.halfMessages)
      transactions.push({ ...item, brokerName: master.brokerName, brokerAddress: master.address });
    if (list.total > list.halfMessages.length)
      truncated.push({ brokerName: master.brokerName, total: list.total });
  }
  return { transactions, truncated };
}

export type TransactionResolution = 'commit' | 'rollback';

export interface ResolvedTransaction extends OpenTransaction {
  readonly resolution: TransactionResolution;
  /** Set on a duplicate rolled back by a commit: the msgId's half message that was committed. */
  readonly duplicateOf?: { readonly brokerName: string; readonly commitLogOffset: number };
}

/**
 * Resolves the open half messages with `msgId` (on `broker` only, when given). A producer that
 * retried its half send has stored several with one msgId, but only one message was meant: a
 * commit commits the oldest (first stored) and rolls the others back, so the message is delivered
 * once; a rollback rolls them all back. Each one's outcome is returned, in that order.
 */
export async function resolveTransaction(
  requester: AdminRequester,
  msgId: string,
  resolution: TransactionResolution,
  broker?: string,
): Promise<readonly ResolvedTransaction[]> {
  const { transactions } = await listTransactions(requester, { msgId, broker });
  if (transactions.length === 0) {
    throw new AdminError(
      AdminErrorCodes.MESSAGE_NOT_FOUND,
      `no open half message with msgId ${msgId}${broker === undefined ? '' : ` on ${broker}`}; ` +
        "it may be resolved already ('keel admin tx list' shows the open ones)",
    );
  }
  const [oldest, ...duplicates] = [...transactions].sort(byStoreOrder);
  const plan: ResolvedTransaction[] = [{ ...oldest!, resolution }];
  for (const duplicate of duplicates) {
    plan.push(
      resolution === 'commit'
        ? {
            ...duplicate,
            resolution: 'rollback',
            duplicateOf: { brokerName: oldest!.brokerName, commitLogOffset: oldest!.commitLogOffset },
          }
        : { ...duplicate, resolution },
    );
  }
  for (const transaction of plan) await endTransaction(requester, transaction, transaction.resolution);
  return plan;
}

/** First stored first: store time, then (one broker) the half-queue offset. */
function byStoreOrder(a: OpenTransaction, b: OpenTransaction): number {
  return a.storeTimestamp - b.storeTimestamp || a.halfQueueOffset - b.halfQueueOffset;
}

function endTransaction(
  requester: AdminRequester,
  transaction: OpenTransaction,
  resolution: TransactionResolution,
): Promise<unknown> {
  return askSuccess(requester, transaction.brokerAddress, {
    code: RequestCode.END_TRANSACTION,
    extFields: EndTransactionRequestHeader.encode({
      producerGroup: transaction.producerGroup,
      tranStateTableOffset: transaction.halfQueueOffset,
      commitLogOffset: transaction.commitLogOffset,
      commitOrRollback: resolution === 'commit' ? CommitOrRollback.COMMIT : CommitOrRollback.ROLLBACK,
      fromTransactionCheck: true,
      msgId: transaction.msgId,
      transactionId: transaction.msgId,
      bname: transaction.brokerName,
    }),
  });
}

async function targets(requester: AdminRequester, query: TransactionListQuery): Promise<MasterBroker[]> {
  const info = await readClusterInfo(requester);
  if (query.broker !== undefined) return [findBroker(info, query.broker)];
  return mastersOf(info, query.cluster);
}
