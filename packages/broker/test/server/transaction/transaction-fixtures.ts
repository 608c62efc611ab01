// A broker context for transaction tests that can be closed, crashed and opened again on the same
// in-memory disk; half messages sent through the real send processor; END_TRANSACTION through its
// processor; fake producer connections that record (or fail) the checks they are sent.

import { FakeClock } from '../../../src/common/fake-clock';
import { silentLogger, type Logger } from '../../../src/common/logger';
import { parseProperties } from '../../../src/common/properties-file';
import { CheckTransactionStateRequestHeader } from '../../../src/protocol/headers/transaction-headers';
import { MessageConst } from '../../../src/protocol/message/message-const';
import { decodeOffsetMessageId } from '../../../src/protocol/message/message-id';
import { messagePropertiesToString } from '../../../src/protocol/message/message-properties';
import {
  decodeStoredMessage,
  type DecodedStoredMessage,
} from '../../../src/protocol/message/stored-message-decoder';
import type { RemotingCommand } from '../../../src/protocol/remoting/remoting-command';
import { RequestCode } from '../../../src/protocol/remoting/request-code';
import { ResponseCode } from '../../../src/protocol/remoting/response-code';
import { resolveBrokerConfig, type BrokerConfig } from '../../../src/server/broker-config';
import type { BrokerContext } from '../../../src/server/broker-context';
import type { ClientChannel } from '../../../src/server/client/client-channel';
import { openBrokerContext, type OpenedBrokerContext } from '../../../src/server/open-broker-context';
import { processEndTransaction } from '../../../src/server/processor/end-transaction-processor';
import { processSend } from '../../../src/server/processor/send-processor';
import type { Disk } from '../../../src/store/disk/disk';
import { MemoryDisk } from '../../../src/store/disk/memory-disk';
import { request, requestContextOf } from '../processor/processor-fixtures';

export const TX_GROUP = 'order-tx';

const BASE_LINES = [
  'brokerName = broker-a',
  'brokerIP1 = 127.0.0.1',
  'storePathRootDir = /data/store',
  'mappedFileSizeCommitLog = 65536',
  'mappedFileSizeConsumeQueue = 320',
  'commitLogWriteChunkBytes = 1024',
  'maxMessageSize = 4096',
  'maxHashSlotNum = 64',
  'maxIndexNum = 256',
  'transactionTimeOut = 6000',
  'transactionCheckInterval = 60000',
  'transactionCheckMax = 3',
];

export interface TxBroker {
  context: BrokerContext;
  readonly clock: FakeClock;
  readonly disk: MemoryDisk;
  /** Clean shutdown, then open again on the same disk. */
  restart(): Promise<void>;
  /** A process kill: nothing closed, every write kept (page cache survives), opened again. */
  crashAndReopen(): Promise<void>;
  close(): Promise<void>;
}

/** The test broker's configuration: small store files and short transaction timings, plus `lines`. */
export function txBrokerConfig(lines: readonly string[] = []): BrokerConfig {
  const overridden = new Set(lines.map((line) => line.split('=')[0]?.trim()));
  const text = [...BASE_LINES.filter((line) => !overridden.has(line.split('=')[0]?.trim())), ...lines].join(
    '\n',
  );
  return resolveBrokerConfig(
    parseProperties(text),
    {},
    {
      host: { hostname: 'test-host', homeDir: '/home/test', firstExternalIPv4: '127.0.0.1' },
    },
  );
}

let contextOpaque = 0;

/** A broker context on `disk` with its own clock: each "process" of a restart test gets a new one. */
export function openTxContext(
  config: BrokerConfig,
  disk: Disk,
  clock: FakeClock,
  log: Logger = silentLogger,
): Promise<OpenedBrokerContext> {
  return openBrokerContext({
    config,
    clock,
    disk,
    log,
    nextOpaque: () => ++contextOpaque,
    topicsChanged: () => undefined,
  });
}

export async function openTxBroker(
  lines: readonly string[] = [],
  options: { readonly log?: Logger } = {},
): Promise<TxBroker> {
  const config = txBrokerConfig(lines);
  const clock = new FakeClock();
  const disk = new MemoryDisk();
  let opaque = 0;
  const open = () =>
    openBrokerContext({
      config,
      clock,
      disk,
      log: options.log ?? silentLogger,
      nextOpaque: () => ++opaque,
      topicsChanged: () => undefined,
    });
  let opened: OpenedBrokerContext = await open();
  const broker: TxBroker = {
    context: opened.context,
    clock,
    disk,
    async restart() {
      await opened.close();
      opened = await open();
      broker.context = opened.context;
    },
    async crashAndReopen() {
      // The old context's timers run on the fake clock, which the test does not advance until the
      // new context is open; its store is simply abandoned, like a killed process's.
      disk.crash((_path, pending) => ({ writes: pending }));
      opened = await open();
      broker.context = opened.context;
    },
    close: () => opened.close(),
  };
  return broker;
}

export interface HalfSend {
  readonly topic?: string;
  readonly queueId?: number;
  readonly body?: string;
  readonly group?: string;
  readonly uniqKey?: string;
  readonly bornTimestamp?: number;
  readonly properties?: Readonly<Record<string, string>>;
}

export interface SentHalf {
  /** Offset in RMQ_SYS_TRANS_HALF_TOPIC queue 0 (the send response's queueOffset). */
  readonly halfOffset: number;
  /** From the send response's offset message id. */
  readonly commitLogOffset: number;
  readonly uniqKey: string;
  readonly group: string;
}

let nextUniq = 1;

/** A half message through SEND_MESSAGE with TRAN_MSG=true and PGROUP, as a transactional producer sends it. */
export async function sendHalf(context: BrokerContext, input: HalfSend = {}): Promise<SentHalf> {
  const group = input.group ?? TX_GROUP;
  const uniqKey = input.uniqKey ?? `UNIQ${String(nextUniq++).padStart(8, '0')}`;
  const properties = new Map<string, string>([
    [MessageConst.PROPERTY_TRANSACTION_PREPARED, 'true'],
    [MessageConst.PROPERTY_PRODUCER_GROUP, group],
    [MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX, uniqKey],
    [MessageConst.PROPERTY_TAGS, 'created'],
    [MessageConst.PROPERTY_KEYS, 'order-1'],
    ...Object.entries(input.properties ?? {}),
  ]);
  const response = await processSend(
    context,
    request(
      RequestCode.SEND_MESSAGE,
      {
        producerGroup: group,
        topic: input.topic ?? 'Orders',
        defaultTopic: 'TBW102',
        defaultTopicQueueNums: '4',
        queueId: String(input.queueId ?? 1),
        sysFlag: '4',
        bornTimestamp: String(input.bornTimestamp ?? context.clock.now()),
        flag: '0',
        properties: messagePropertiesToString(properties),
      },
      Buffer.from(input.body ?? 'order 1'),
    ),
    requestContextOf(7),
  );
  if (response.code !== ResponseCode.SUCCESS) {
    throw new Error(`half send failed: ${response.code} ${response.remark ?? ''}`);
  }
  return {
    halfOffset: Number(response.extFields.get('queueOffset')),
    commitLogOffset: decodeOffsetMessageId(response.extFields.get('msgId') ?? '').physicalOffset,
    uniqKey,
    group,
  };
}

export const COMMIT = 8;
export const ROLLBACK = 12;
export const UNKNOWN = 0;

export function endTransaction(
  context: BrokerContext,
  half: SentHalf,
  commitOrRollback: number,
  options: {
    readonly group?: string;
    readonly tranStateTableOffset?: number;
    readonly commitLogOffset?: number;
    readonly fromCheck?: boolean;
    readonly oneway?: boolean;
  } = {},
): Promise<RemotingCommand> {
  return processEndTransaction(
    context,
    request(
      RequestCode.END_TRANSACTION,
      {
        producerGroup: options.group ?? half.group,
        tranStateTableOffset: String(options.tranStateTableOffset ?? half.halfOffset),
        commitLogOffset: String(options.commitLogOffset ?? half.commitLogOffset),
        commitOrRollback: String(commitOrRollback),
        fromTransactionCheck: String(options.fromCheck ?? false),
        msgId: half.uniqKey,
      },
      undefined,
      { oneway: options.oneway ?? false },
    ),
    requestContextOf(8),
  );
}

/** Every message stored in queue `queueId` of `topic`, in queue order. */
export async function queueMessages(
  context: BrokerContext,
  topic: string,
  queueId = 0,
): Promise<DecodedStoredMessage[]> {
  const entries = await context.store.readQueueEntries(topic, queueId, 0, 10_000);
  const messages: DecodedStoredMessage[] = [];
  for (const entry of entries) {
    const message = await context.store.readMessageAt(entry.commitLogOffset);
    if (message === undefined)
      throw new Error(`no record at ${entry.commitLogOffset} for ${topic}:${queueId}`);
    messages.push(message);
  }
  return messages;
}

export function propertiesOf(message: DecodedStoredMessage): Map<string, string> {
  return new Map(
    message.properties
      .split('\u0002')
      .filter((pair) => pair !== '')
      .map((pair) => pair.split('\u0001') as [string, string]),
  );
}

export interface FakeProducer {
  readonly channel: ClientChannel;
  readonly checks: RemotingCommand[];
  /** Makes every further send throw, as writing to a closed connection does. */
  failing: boolean;
}

let nextChannelId = 1000;

/** A producer connection of `group` that has just sent a heartbeat. */
export function fakeProducer(context: BrokerContext, group = TX_GROUP): FakeProducer {
  const checks: RemotingCommand[] = [];
  const id = nextChannelId++;
  const producer: FakeProducer = {
    checks,
    failing: false,
    channel: {
      id,
      remoteAddress: `10.1.0.${id % 250}:${40000 + id}`,
      sendOneway: (command) => {
        if (producer.failing) throw new Error('connection closed');
        checks.push(command);
      },
    },
  };
  context.producers.register(
    group,
    { channel: producer.channel, clientId: `client-${id}`, language: 'JAVA', version: 0 },
    context.clock.now(),
  );
  return producer;
}

/** Renews the heartbeat of fake producers (channels count as live for 120 s after one). */
export function heartbeat(context: BrokerContext, group: string, ...producers: FakeProducer[]): void {
  for (const producer of producers) {
    context.producers.register(
      group,
      { channel: producer.channel, clientId: `client-${producer.channel.id}`, language: 'JAVA', version: 0 },
      context.clock.now(),
    );
  }
}

export interface ReceivedCheck {
  readonly tranStateTableOffset: number;
  readonly commitLogOffset: number;
  readonly msgId: string | undefined;
  readonly message: DecodedStoredMessage;
}

export function decodeCheck(command: RemotingCommand): ReceivedCheck {
  const header = CheckTransactionStateRequestHeader.decode(command.extFields);
  const decoded = decodeStoredMessage(command.body, 0);
  if (decoded.kind !== 'message') throw new Error(`check body is not a stored message: ${decoded.kind}`);
  return {
    tranStateTableOffset: header.tranStateTableOffset,
    commitLogOffset: header.commitLogOffset,
    msgId: header.msgId,
    message: decoded.message,
  };
}
