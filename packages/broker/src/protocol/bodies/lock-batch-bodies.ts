// Bodies of LOCK_BATCH_MQ (41) and UNLOCK_BATCH_MQ (42) (fact sheet §2.10), used by orderly consumers:
//
//   request  {"clientId":"...","consumerGroup":"...","mqSet":[{"brokerName":"b","queueId":0,"topic":"T"}]}
//   LOCK response {"lockOKMQSet":[...]}   (the queues this client now holds)

import { writeFastjsonBytes } from '../../common/json/fastjson-writer';
import { listField, parseBody } from './body-value';
import { messageQueueJson, readMessageQueue, type MessageQueue } from './message-queue';

export interface LockBatchRequestBody {
  readonly consumerGroup: string;
  readonly clientId: string;
  readonly mqSet: readonly MessageQueue[];
}

/** UNLOCK_BATCH_MQ's body has the same fields. */
export type UnlockBatchRequestBody = LockBatchRequestBody;

export interface LockBatchResponseBody {
  readonly lockOKMQSet: readonly MessageQueue[];
}

function encodeBatchRequest(body: LockBatchRequestBody): Buffer {
  return writeFastjsonBytes({
    clientId: body.clientId,
    consumerGroup: body.consumerGroup,
    mqSet: body.mqSet.map(messageQueueJson),
  });
}

function decodeBatchRequest(name: string, bytes: Uint8Array): LockBatchRequestBody {
  const root = parseBody(name, bytes);
  return {
    consumerGroup: root.required('consumerGroup').string(),
    clientId: root.required('clientId').string(),
    mqSet: listField(root, 'mqSet', readMessageQueue),
  };
}

export const encodeLockBatchRequestBody = encodeBatchRequest;
export const encodeUnlockBatchRequestBody = encodeBatchRequest;

export function decodeLockBatchRequestBody(bytes: Uint8Array): LockBatchRequestBody {
  return decodeBatchRequest('LockBatchRequestBody', bytes);
}

export function decodeUnlockBatchRequestBody(bytes: Uint8Array): UnlockBatchRequestBody {
  return decodeBatchRequest('UnlockBatchRequestBody', bytes);
}

export function encodeLockBatchResponseBody(body: LockBatchResponseBody): Buffer {
  return writeFastjsonBytes({ lockOKMQSet: body.lockOKMQSet.map(messageQueueJson) });
}

export function decodeLockBatchResponseBody(bytes: Uint8Array): LockBatchResponseBody {
  const root = parseBody('LockBatchResponseBody', bytes);
  return { lockOKMQSet: listField(root, 'lockOKMQSet', readMessageQueue) };
}
