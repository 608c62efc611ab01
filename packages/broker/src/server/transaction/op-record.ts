// The op record that resolves a half message (RocketMQ's "remove" message): topic
// RMQ_SYS_TRANS_OP_HALF_TOPIC, queue 0 (the half message's queue id), tag `d`, body = the half
// message's queue offset as decimal text. A RocketMQ broker reading this store sees what its own
// writes.
//
// Keel adds two things RocketMQ's reader ignores, so that a crash between the op record and the
// committed message can be repaired at start-up (see half-message-rebuild.ts):
//   - the record's PREPARED TRANSACTION OFFSET field = the half message's commit-log offset;
//   - the property KEEL_TRAN_RESOLUTION = COMMIT or ROLLBACK.

import { MessageConst } from '../../protocol/message/message-const';
import { messagePropertiesToString, parseMessageProperties } from '../../protocol/message/message-properties';
import type { HostAddress } from '../../protocol/message/host-address';
import type { DecodedStoredMessage } from '../../protocol/message/stored-message-decoder';
import type { PutMessageRequest } from '../../store/message-store';
import { SystemTopic } from '../topic/system-topics';
import type { Resolution } from './half-message-table';

/** RocketMQ's TransactionalMessageUtil.REMOVETAG. */
export const OP_REMOVE_TAG = 'd';
/** Keel's property on op records: which way the half message was resolved. */
export const PROPERTY_TRAN_RESOLUTION = 'KEEL_TRAN_RESOLUTION';

const RESOLUTION_TEXT: Readonly<Record<Resolution, string>> = { commit: 'COMMIT', rollback: 'ROLLBACK' };

export interface OpRecordInput {
  readonly halfOffset: number;
  readonly halfCommitLogOffset: number;
  readonly resolution: Resolution;
  readonly nowMs: number;
  /** The broker's address: born and store host of a record the broker writes itself. */
  readonly storeHost: HostAddress;
}

export function opRecordPut(input: OpRecordInput): PutMessageRequest {
  const properties = new Map([
    [MessageConst.PROPERTY_TAGS, OP_REMOVE_TAG],
    [PROPERTY_TRAN_RESOLUTION, RESOLUTION_TEXT[input.resolution]],
  ]);
  return {
    fields: {
      topic: SystemTopic.TRANS_OP_HALF,
      queueId: 0,
      flag: 0,
      queueOffset: 0,
      physicalOffset: 0,
      sysFlag: 0,
      bornTimestamp: input.nowMs,
      bornHost: input.storeHost,
      storeTimestamp: 0,
      storeHost: input.storeHost,
      reconsumeTimes: 0,
      preparedTransactionOffset: input.halfCommitLogOffset,
      body: Buffer.from(String(input.halfOffset), 'utf8'),
      properties: messagePropertiesToString(properties),
    },
    tags: OP_REMOVE_TAG,
  };
}

export interface OpRecord {
  readonly halfOffset: number;
  /** Undefined for op records written by RocketMQ (no resolution recorded). */
  readonly resolution: Resolution | undefined;
  /** The half message's commit-log offset; meaningful only with a resolution (RocketMQ writes 0). */
  readonly halfCommitLogOffset: number;
}

/** Reads an op record; undefined when it is not one (another tag, or a body that is no offset). */
export function parseOpRecord(message: DecodedStoredMessage): OpRecord | undefined {
  const properties = parseMessageProperties(message.properties);
  if (properties.get(MessageConst.PROPERTY_TAGS) !== OP_REMOVE_TAG || message.body === undefined) {
    return undefined;
  }
  const text = message.body.toString('utf8');
  if (!/^\d+$/.test(text)) return undefined;
  const halfOffset = Number(text);
  if (!Number.isSafeInteger(halfOffset)) return undefined;
  const resolutionText = properties.get(PROPERTY_TRAN_RESOLUTION);
  return {
    halfOffset,
    resolution:
      resolutionText === 'COMMIT' ? 'commit' : resolutionText === 'ROLLBACK' ? 'rollback' : undefined,
    halfCommitLogOffset: message.preparedTransactionOffset,
  };
}
