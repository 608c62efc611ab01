import type { Clock } from '../../src/common/clock';
import { FakeClock } from '../../src/common/fake-clock';
import { hostAddressOf } from '../../src/protocol/message/host-address';
import { MessageConst } from '../../src/protocol/message/message-const';
import { messagePropertiesToString } from '../../src/protocol/message/message-properties';
import type { StoredMessageFields } from '../../src/protocol/message/stored-message';
import type { Disk } from '../../src/store/disk/disk';
import { MemoryDisk } from '../../src/store/disk/memory-disk';
import { defaultStoreConfig, type MessageStoreConfig } from '../../src/store/message-store-config';
import { MessageStore, type PutMessageRequest } from '../../src/store/message-store';

export const ROOT = '/data/store';

export interface TestMessage {
  readonly topic?: string;
  readonly queueId?: number;
  readonly body?: string | Buffer;
  readonly tags?: string;
  readonly keys?: string;
}

/** A put request for a plain message, as the send path would build it. */
export function putRequest(message: TestMessage = {}, waitStoreMsgOk = true): PutMessageRequest {
  const properties = new Map<string, string>();
  if (message.tags !== undefined) properties.set(MessageConst.PROPERTY_TAGS, message.tags);
  if (message.keys !== undefined) properties.set(MessageConst.PROPERTY_KEYS, message.keys);
  const fields: StoredMessageFields = {
    queueId: message.queueId ?? 0,
    flag: 0,
    queueOffset: 0,
    physicalOffset: 0,
    sysFlag: 0,
    bornTimestamp: 1_700_000_000_000,
    bornHost: hostAddressOf('127.0.0.1', 50000),
    storeTimestamp: 0,
    storeHost: hostAddressOf('127.0.0.1', 10911),
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
    body:
      typeof message.body === 'string' ? Buffer.from(message.body) : (message.body ?? Buffer.from('hello')),
    topic: message.topic ?? 'TopicTest',
    properties: messagePropertiesToString(properties),
  };
  return { fields, tags: message.tags, keys: message.keys, waitStoreMsgOk };
}

/** Small segments so that tests cross segment boundaries quickly. */
export function smallConfig(overrides: Partial<MessageStoreConfig> = {}): MessageStoreConfig {
  return defaultStoreConfig(ROOT, {
    mappedFileSizeCommitLog: 4096,
    mappedFileSizeConsumeQueue: 20 * 16,
    commitLogWriteChunkBytes: 1024,
    maxMessageSize: 2048,
    maxHashSlotNum: 64,
    maxIndexNum: 256,
    ...overrides,
  });
}

export async function openStore(
  disk: Disk = new MemoryDisk(),
  config: MessageStoreConfig = smallConfig(),
  clock: Clock = new FakeClock(),
): Promise<MessageStore> {
  return MessageStore.open({ disk, clock, config });
}
