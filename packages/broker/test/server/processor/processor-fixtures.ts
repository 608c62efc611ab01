// A broker context on an in-memory disk with a fake clock, and helpers to call processors the way
// the remoting server does (no sockets).

import { FakeClock } from '../../../src/common/fake-clock';
import { createLogger, silentLogger, type Logger } from '../../../src/common/logger';
import { parseProperties } from '../../../src/common/properties-file';
import { MessageConst } from '../../../src/protocol/message/message-const';
import { messagePropertiesToString } from '../../../src/protocol/message/message-properties';
import { createRequest, type RemotingCommand } from '../../../src/protocol/remoting/remoting-command';
import { RequestCode } from '../../../src/protocol/remoting/request-code';
import { ResponseCode } from '../../../src/protocol/remoting/response-code';
import { resolveBrokerConfig } from '../../../src/server/broker-config';
import type { BrokerContext } from '../../../src/server/broker-context';
import { openBrokerContext } from '../../../src/server/open-broker-context';
import { processSend } from '../../../src/server/processor/send-processor';
import { MemoryDisk } from '../../../src/store/disk/memory-disk';
import type { RequestContext } from '../../../src/transport/processor-table';

export const BROKER_NAME = 'broker-a';

/** Small segments, as the store tests use, so a test broker opens in milliseconds. */
const SMALL_STORE = [
  'storePathRootDir = /data/store',
  'mappedFileSizeCommitLog = 65536',
  'mappedFileSizeConsumeQueue = 320',
  'commitLogWriteChunkBytes = 1024',
  'maxMessageSize = 4096',
  'maxHashSlotNum = 64',
  'maxIndexNum = 256',
];

export interface TestBroker {
  readonly context: BrokerContext;
  readonly clock: FakeClock;
  readonly disk: MemoryDisk;
  /** How often the processors said the topic table changed. */
  topicsChangedCount(): number;
  close(): Promise<void>;
}

export async function openTestBroker(
  lines: readonly string[] = [],
  options: { readonly log?: Logger } = {},
): Promise<TestBroker> {
  const config = resolveBrokerConfig(
    parseProperties(
      [
        `brokerName = ${BROKER_NAME}`,
        'brokerIP1 = 127.0.0.1',
        ...withoutOverridden(SMALL_STORE, lines),
        ...lines,
      ].join('\n'),
    ),
    {},
    { host: { hostname: 'test-host', homeDir: '/home/test', firstExternalIPv4: '127.0.0.1' } },
  );
  const clock = new FakeClock();
  const disk = new MemoryDisk();
  let changes = 0;
  let opaque = 0;
  const opened = await openBrokerContext({
    config,
    clock,
    disk,
    log: options.log ?? silentLogger,
    nextOpaque: () => ++opaque,
    topicsChanged: () => {
      changes++;
    },
  });
  return {
    context: opened.context,
    clock,
    disk,
    topicsChangedCount: () => changes,
    close: () => opened.close(),
  };
}

/** A logger that keeps its lines (warn and above), for tests that check what is reported. */
export function capturingLogger(): { readonly log: Logger; readonly lines: string[] } {
  const lines: string[] = [];
  const log = createLogger({
    clock: new FakeClock(),
    component: 'test',
    level: 'warn',
    sink: (line) => lines.push(line),
  });
  return { log, lines };
}

/** The default lines whose key `lines` sets again (a properties file may not repeat a key). */
function withoutOverridden(defaults: readonly string[], lines: readonly string[]): string[] {
  const keyOf = (line: string) => line.split('=')[0]?.trim();
  const overridden = new Set(lines.map(keyOf));
  return defaults.filter((line) => !overridden.has(keyOf(line)));
}

export interface FakeConnection {
  readonly id: number;
  readonly remoteAddress: string;
  readonly sent: RemotingCommand[];
  /** Set to false to act as a connection that closed while its request was being processed. */
  isOpen: boolean;
  sendOneway(command: RemotingCommand): void;
}

export type TestRequestContext = RequestContext & { readonly fake: FakeConnection };

/** What the server hands a processor; the connection is a stand-in with the members processors use. */
export function requestContextOf(id = 1, remoteAddress = `10.0.0.${id}:${50000 + id}`): TestRequestContext {
  const sent: RemotingCommand[] = [];
  const fake: FakeConnection = {
    id,
    remoteAddress,
    sent,
    isOpen: true,
    sendOneway: (command) => {
      sent.push(command);
    },
  };
  return {
    connection: fake as unknown as RequestContext['connection'],
    receivedAtMs: 0,
    respondLater: () => undefined,
    fake,
  };
}

let nextOpaque = 100;

export function request(
  code: number,
  extFields: Readonly<Record<string, string>> = {},
  body?: Buffer,
  options: { readonly oneway?: boolean } = {},
): RemotingCommand {
  return createRequest({
    code,
    opaque: nextOpaque++,
    extFields,
    ...(body === undefined ? {} : { body }),
    ...(options.oneway === undefined ? {} : { oneway: options.oneway }),
  });
}

export interface TestSend {
  readonly topic: string;
  readonly queueId?: number;
  readonly body?: string;
  readonly keys?: string;
  readonly uniqKey?: string;
  readonly tags?: string;
}

/** Stores one message through SEND_MESSAGE; returns the response's header fields. */
export async function send(context: BrokerContext, message: TestSend): Promise<ReadonlyMap<string, string>> {
  const properties = new Map<string, string>();
  if (message.tags !== undefined) properties.set(MessageConst.PROPERTY_TAGS, message.tags);
  if (message.keys !== undefined) properties.set(MessageConst.PROPERTY_KEYS, message.keys);
  if (message.uniqKey !== undefined) {
    properties.set(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX, message.uniqKey);
  }
  const response = await processSend(
    context,
    request(
      RequestCode.SEND_MESSAGE,
      {
        producerGroup: 'pg',
        topic: message.topic,
        defaultTopic: 'TBW102',
        defaultTopicQueueNums: '4',
        queueId: String(message.queueId ?? 0),
        sysFlag: '0',
        bornTimestamp: '1700000000000',
        flag: '0',
        properties: messagePropertiesToString(properties),
      },
      Buffer.from(message.body ?? 'hello'),
    ),
    requestContextOf(99),
  );
  if (response.code !== ResponseCode.SUCCESS) {
    throw new Error(`send failed: ${response.code} ${response.remark ?? ''}`);
  }
  return response.extFields;
}

/** Creates a topic directly in the table (not through a processor). */
export async function createTopic(context: BrokerContext, topicName: string, queueNums = 4): Promise<void> {
  await context.topics.createOrUpdate({ topicName, readQueueNums: queueNums, writeQueueNums: queueNums });
}
