// One PULL_MESSAGE as admin tools send it: group TOOLS_CONSUMER (every broker pre-creates it), the
// subscription "*" in the request, no suspension and no COMMIT_OFFSET, so reading messages for
// inspection never moves any group's offsets or waits for new messages.

import {
  PullMessageRequestHeader,
  PullMessageResponseHeader,
  PullSysFlag,
} from '../../protocol/headers/pull-headers';
import { RequestCode } from '../../protocol/remoting/request-code';
import { ResponseCode } from '../../protocol/remoting/response-code';
import type { MessageExt } from '../message';
import { decodeMessages } from '../message-decoding';
import { BrokerResponseError } from '../client-errors';
import type { AdminRequester } from './admin-requester';
import type { RoutedQueue } from './cluster-view';

export const TOOLS_CONSUMER_GROUP = 'TOOLS_CONSUMER';

export type RawPullStatus = 'FOUND' | 'NO_NEW_MSG' | 'NO_MATCHED_MSG' | 'OFFSET_ILLEGAL';

export interface RawPullResult {
  readonly status: RawPullStatus;
  readonly messages: readonly MessageExt[];
  readonly nextBeginOffset: number;
  readonly minOffset: number;
  readonly maxOffset: number;
}

const STATUS_BY_CODE: ReadonlyMap<number, RawPullStatus> = new Map([
  [ResponseCode.SUCCESS, 'FOUND'],
  [ResponseCode.PULL_NOT_FOUND, 'NO_NEW_MSG'],
  [ResponseCode.PULL_RETRY_IMMEDIATELY, 'NO_MATCHED_MSG'],
  [ResponseCode.PULL_OFFSET_MOVED, 'OFFSET_ILLEGAL'],
]);

export async function rawPull(
  requester: AdminRequester,
  queue: RoutedQueue,
  offset: number,
  maxMessages: number,
): Promise<RawPullResult> {
  const extFields = PullMessageRequestHeader.encode({
    consumerGroup: TOOLS_CONSUMER_GROUP,
    topic: queue.topic,
    queueId: queue.queueId,
    queueOffset: offset,
    maxMsgNums: maxMessages,
    sysFlag: PullSysFlag.SUBSCRIPTION,
    commitOffset: 0,
    suspendTimeoutMillis: 0,
    subscription: '*',
    subVersion: 0,
    expressionType: 'TAG',
    bname: queue.brokerName,
  });
  const response = await requester.ask(queue.address, { code: RequestCode.PULL_MESSAGE, extFields });
  const status = STATUS_BY_CODE.get(response.code);
  // Any other code (TOPIC_NOT_EXIST, NO_PERMISSION, ...) is an error with the broker's remark.
  if (status === undefined) throw new BrokerResponseError(response.code, response.remark, queue.address);
  const header = PullMessageResponseHeader.decode(response.extFields);
  return {
    status,
    messages: status === 'FOUND' ? decodeMessages(response.body) : [],
    nextBeginOffset: header.nextBeginOffset,
    minOffset: header.minOffset,
    maxOffset: header.maxOffset,
  };
}
