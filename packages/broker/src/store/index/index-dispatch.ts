import { MessageConst } from '../../protocol/message/message-const';

export type IndexTransactionType = 'NOT_TYPE' | 'PREPARED' | 'COMMIT' | 'ROLLBACK';

/** What the index needs of one dispatched commit-log record. */
export interface IndexDispatchRequest {
  readonly topic: string;
  readonly commitLogOffset: number;
  readonly storeTimestampMs: number;
  /** The KEYS property: keys separated by spaces. */
  readonly keys?: string;
  /** The UNIQ_KEY property (client message id). */
  readonly uniqKey?: string;
  readonly transactionType: IndexTransactionType;
}

/** The keys a record is indexed under (`IndexService.buildIndex`): `topic#UNIQ_KEY`, `topic#k`. */
export function indexKeysOf(request: IndexDispatchRequest): string[] {
  const keys: string[] = [];
  if (request.uniqKey !== undefined) keys.push(`${request.topic}#${request.uniqKey}`);
  for (const key of request.keys?.split(MessageConst.KEY_SEPARATOR) ?? []) {
    if (key.length > 0) keys.push(`${request.topic}#${key}`);
  }
  return keys;
}

/** Rejects offsets and times that no record can have, before any key of the record is put. */
export function checkIndexDispatchRequest(request: IndexDispatchRequest): void {
  if (!Number.isSafeInteger(request.commitLogOffset) || request.commitLogOffset < 0) {
    throw new RangeError(
      `commitLogOffset must be a non-negative safe integer, got ${request.commitLogOffset}`,
    );
  }
  if (!Number.isSafeInteger(request.storeTimestampMs) || request.storeTimestampMs < 0) {
    throw new RangeError(
      `storeTimestampMs must be a non-negative safe integer, got ${request.storeTimestampMs}`,
    );
  }
}
