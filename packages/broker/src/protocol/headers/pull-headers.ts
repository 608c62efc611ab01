// Headers of PULL_MESSAGE (11) (fact sheet §2.4) and the bits of its `sysFlag`
// (`[C]sysflag/PullSysFlag.java`).

import { defineHeader, type HeaderOf } from './header-codec';
import { int, long, optionalString, string } from './header-fields';

export const PullSysFlag = {
  /** The request's commitOffset is to be stored (clustering consumers with an offset). */
  COMMIT_OFFSET: 0x1,
  /** The broker may hold the request (long polling) when there is nothing to read yet. */
  SUSPEND: 0x2,
  /** `subscription` carries the expression; otherwise the broker uses the heartbeat's. */
  SUBSCRIPTION: 0x4,
  CLASS_FILTER: 0x8,
  /** Sent by the lite pull consumer. */
  LITE_PULL: 0x10,
} as const;

export function hasPullSysFlag(sysFlag: number, bit: number): boolean {
  return (sysFlag & bit) !== 0;
}

export const PullMessageRequestHeader = defineHeader('PullMessageRequestHeader', {
  consumerGroup: string(),
  topic: string(),
  queueId: int(),
  /** Logical consume-queue offset to read from. */
  queueOffset: long(),
  maxMsgNums: int(),
  sysFlag: int(),
  /** The consumer's current offset, stored when COMMIT_OFFSET is set. */
  commitOffset: long(),
  suspendTimeoutMillis: long(),
  subscription: optionalString(),
  subVersion: long(),
  /** "TAG" or "SQL92". */
  expressionType: optionalString(),
  bname: optionalString(),
});
export type PullMessageRequestHeader = HeaderOf<typeof PullMessageRequestHeader>;

export const PullMessageResponseHeader = defineHeader('PullMessageResponseHeader', {
  suggestWhichBrokerId: long(),
  nextBeginOffset: long(),
  minOffset: long(),
  maxOffset: long(),
});
export type PullMessageResponseHeader = HeaderOf<typeof PullMessageResponseHeader>;
