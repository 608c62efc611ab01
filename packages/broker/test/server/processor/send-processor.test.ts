import { BodyDecodeError } from '../../../src/protocol/bodies/body-errors';
import { encodeBatchMessageBody } from '../../../src/protocol/bodies/batch-message-body';
import {
  encodeSendMessageHeaderV2,
  SendMessageRequestHeader,
} from '../../../src/protocol/headers/send-headers';
import { formatHostAddress } from '../../../src/protocol/message/host-address';
import { MessageConst } from '../../../src/protocol/message/message-const';
import { decodeOffsetMessageId } from '../../../src/protocol/message/message-id';
import {
  messagePropertiesToString,
  NAME_VALUE_SEPARATOR,
  parseMessageProperties,
  PROPERTY_SEPARATOR,
} from '../../../src/protocol/message/message-properties';
import { MessageSysFlag } from '../../../src/protocol/message/message-sys-flag';
import type { DecodedStoredMessage } from '../../../src/protocol/message/stored-message-decoder';
import type { RemotingCommand } from '../../../src/protocol/remoting/remoting-command';
import { RequestCode } from '../../../src/protocol/remoting/request-code';
import { ResponseCode } from '../../../src/protocol/remoting/response-code';
import type { BrokerContext } from '../../../src/server/broker-context';
import { processSend } from '../../../src/server/processor/send-processor';
import { PermName } from '../../../src/protocol/perm-name';
import {
  createTopic,
  openTestBroker,
  request,
  requestContextOf,
  type TestBroker,
} from './processor-fixtures';
import { openStallingBroker } from './stalling-broker';

const PRODUCER = requestContextOf(7, '10.0.0.7:50007');

interface SendInput {
  readonly topic: string;
  readonly queueId?: number;
  readonly body?: string | Buffer;
  readonly properties?: Readonly<Record<string, string>>;
  /** The properties string as sent, when a test needs exact bytes (e.g. a trailing separator). */
  readonly propertiesText?: string;
  readonly sysFlag?: number;
}

function sendRequest(code: number, input: SendInput): RemotingCommand {
  const header: SendMessageRequestHeader = {
    producerGroup: 'pg',
    topic: input.topic,
    defaultTopic: 'TBW102',
    defaultTopicQueueNums: 4,
    queueId: input.queueId ?? 0,
    sysFlag: input.sysFlag ?? 0,
    bornTimestamp: 1_700_000_000_000,
    flag: 3,
    properties:
      input.propertiesText ?? messagePropertiesToString(new Map(Object.entries(input.properties ?? {}))),
    reconsumeTimes: 0,
    unitMode: false,
    maxReconsumeTimes: undefined,
    batch: code === RequestCode.SEND_BATCH_MESSAGE,
    bname: undefined,
  };
  const extFields =
    code === RequestCode.SEND_MESSAGE
      ? SendMessageRequestHeader.encode(header)
      : encodeSendMessageHeaderV2(header);
  const body = input.body ?? 'hello';
  return request(code, Object.fromEntries(extFields), typeof body === 'string' ? Buffer.from(body) : body);
}

function sendV2(context: BrokerContext, input: SendInput): Promise<RemotingCommand> {
  return processSend(context, sendRequest(RequestCode.SEND_MESSAGE_V2, input), PRODUCER);
}

/** The stored record a SUCCESS response's (single) msgId points at. */
async function storedRecordOf(
  context: BrokerContext,
  response: RemotingCommand,
): Promise<DecodedStoredMessage> {
  expect(response.code).toBe(ResponseCode.SUCCESS);
  const { physicalOffset } = decodeOffsetMessageId(response.extFields.get('msgId') ?? '');
  const record = await context.store.readMessageAt(physicalOffset);
  if (record === undefined) throw new Error(`no record at ${physicalOffset}`);
  return record;
}

function propertyCount(properties: string, name: string): number {
  return properties.split(PROPERTY_SEPARATOR).filter((pair) => pair.split(NAME_VALUE_SEPARATOR)[0] === name)
    .length;
}

describe('processSend refusals', () => {
  let broker: TestBroker | undefined;
  afterEach(async () => {
    await broker?.close();
    broker = undefined;
  });

  async function refusal(
    lines: readonly string[],
    input: SendInput,
    code: number = RequestCode.SEND_MESSAGE_V2,
  ) {
    broker = await openTestBroker(lines);
    await createTopic(broker.context, 'T');
    return processSend(broker.context, sendRequest(code, input), PRODUCER);
  }

  it('refuses a SLAVE with SERVICE_NOT_AVAILABLE, pointing at the master', async () => {
    const response = await refusal(['brokerRole = SLAVE', 'brokerId = 1'], { topic: 'T' });
    expect(response.code).toBe(ResponseCode.SERVICE_NOT_AVAILABLE);
    expect(response.remark).toMatch(/SLAVE; send to its master/);
  });

  it('refuses a broker without the WRITE permission with NO_PERMISSION', async () => {
    const response = await refusal([`brokerPermission = ${PermName.READ}`], { topic: 'T' });
    expect(response.code).toBe(ResponseCode.NO_PERMISSION);
    expect(response.remark).toMatch(/sending message is forbidden \(brokerPermission=4\)/);
  });

  it('refuses an invalid topic name with SYSTEM_ERROR, naming the allowed characters', async () => {
    const response = await refusal([], { topic: 'bad topic!' });
    expect(response.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(response.remark).toMatch(/topic\[bad topic!\] is not valid: .*letters, digits/);
  });

  it.each(['SCHEDULE_TOPIC_XXXX', 'RMQ_SYS_TRANS_HALF_TOPIC'])(
    'refuses the system topic %s with NO_PERMISSION',
    async (topic) => {
      const response = await refusal([], { topic });
      expect(response.code).toBe(ResponseCode.NO_PERMISSION);
      expect(response.remark).toBe(`Sending message to topic[${topic}] is forbidden.`);
    },
  );

  it('refuses an unknown topic when auto-creation is off with TOPIC_NOT_EXIST and how to create it', async () => {
    const response = await refusal(['autoCreateTopicEnable = false'], { topic: 'Unknown' });
    expect(response.code).toBe(ResponseCode.TOPIC_NOT_EXIST);
    expect(response.remark).toMatch(/topic\[Unknown\] not exist/);
    expect(response.remark).toMatch(/updateTopic .* -t Unknown/);
    expect(response.remark).toMatch(/autoCreateTopicEnable=true/);
    expect(broker?.context.topics.select('Unknown')).toBeUndefined();
  });

  it('refuses a topic whose perm lacks WRITE with NO_PERMISSION', async () => {
    broker = await openTestBroker();
    await broker.context.topics.createOrUpdate({
      topicName: 'ReadOnly',
      readQueueNums: 4,
      writeQueueNums: 4,
      perm: PermName.READ,
    });
    const response = await sendV2(broker.context, { topic: 'ReadOnly' });
    expect(response.code).toBe(ResponseCode.NO_PERMISSION);
    expect(response.remark).toMatch(/topic\[ReadOnly\] sending message is forbidden \(perm 4\)/);
  });

  it('refuses a queueId at or past the queue count with SYSTEM_ERROR naming the valid range', async () => {
    const response = await refusal([], { topic: 'T', queueId: 4 });
    expect(response.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(response.remark).toMatch(/queueId\[4\] is illegal: topic T has 4 queues \(0 to 3\)/);
  });

  it.each([
    ['DELAY=abc', { [MessageConst.PROPERTY_DELAY_TIME_LEVEL]: 'abc' }, /DELAY=abc is not a delay level/],
    [
      'a delivery time beyond timerMaxDelaySec',
      { [MessageConst.PROPERTY_TIMER_DELAY_SEC]: String(4 * 24 * 3600) },
      /beyond this broker's timerMaxDelaySec of 259200 s/,
    ],
  ])('refuses %s with MESSAGE_ILLEGAL and stores nothing', async (_name, properties, remark) => {
    const response = await refusal([], { topic: 'T', properties });
    expect(response.code).toBe(ResponseCode.MESSAGE_ILLEGAL);
    expect(response.remark).toMatch(remark);
    expect(broker?.context.store.maxOffsetInQueue('T', 0)).toBe(0);
  });

  it('stores DELAY=0 as a plain message', async () => {
    const response = await refusal([], {
      topic: 'T',
      properties: { [MessageConst.PROPERTY_DELAY_TIME_LEVEL]: '0' },
    });
    expect(response.code).toBe(ResponseCode.SUCCESS);
  });

  it('refuses an empty batch with MESSAGE_ILLEGAL', async () => {
    const response = await refusal([], { topic: 'T', body: Buffer.alloc(0) }, RequestCode.SEND_BATCH_MESSAGE);
    expect(response.code).toBe(ResponseCode.MESSAGE_ILLEGAL);
    expect(response.remark).toMatch(/batch is empty; send at least one message/);
  });

  it('refuses a batch entry with a delay level, naming the entry', async () => {
    const body = encodeBatchMessageBody([
      { flag: 0, body: Buffer.from('a'), properties: new Map() },
      {
        flag: 0,
        body: Buffer.from('b'),
        properties: new Map([[MessageConst.PROPERTY_DELAY_TIME_LEVEL, '2']]),
      },
    ]);
    const response = await refusal([], { topic: 'T', body }, RequestCode.SEND_BATCH_MESSAGE);
    expect(response.code).toBe(ResponseCode.MESSAGE_ILLEGAL);
    expect(response.remark).toMatch(/^batch message 1: a batch cannot carry a delayed message \(DELAY=2\)/);
    expect(broker?.context.store.maxOffsetInQueue('T', 0)).toBe(0);
  });

  // The processor throws a typed error rather than answering: the remoting server turns any throw
  // into SYSTEM_ERROR with the error's message as remark (transport/processor-table.ts).
  it('rejects a malformed batch body with a BodyDecodeError naming the entry, storing nothing', async () => {
    broker = await openTestBroker();
    await createTopic(broker.context, 'T');
    const good = encodeBatchMessageBody([{ flag: 0, body: Buffer.from('ok'), properties: new Map() }]);
    const truncated = encodeBatchMessageBody([
      { flag: 0, body: Buffer.from('cut short'), properties: new Map() },
    ]);
    const body = Buffer.concat([good, truncated.subarray(0, truncated.length - 3)]);
    const sending = processSend(
      broker.context,
      sendRequest(RequestCode.SEND_BATCH_MESSAGE, { topic: 'T', body }),
      PRODUCER,
    );
    await expect(sending).rejects.toThrow(BodyDecodeError);
    await expect(sending).rejects.toThrow(/MessageBatch.*\[1\]/);
    expect(broker.context.store.maxOffsetInQueue('T', 0)).toBe(0);
  });

  it('refuses a message over maxMessageSize with MESSAGE_ILLEGAL naming the limit, and counts the failure', async () => {
    const response = await refusal([], { topic: 'T', body: Buffer.alloc(5000, 1) });
    expect(response.code).toBe(ResponseCode.MESSAGE_ILLEGAL);
    expect(response.remark).toMatch(/more than maxMessageSize 4096/);
    expect(response.remark).toMatch(/send a smaller body/);
    expect(broker?.context.stats.snapshot().putFailures).toBe(1);
    expect(broker?.context.stats.snapshot().putMessages).toBe(0);
  });
});

describe('processSend storing', () => {
  let broker: TestBroker;
  beforeEach(async () => {
    broker = await openTestBroker();
    await createTopic(broker.context, 'T');
  });
  afterEach(async () => broker.close());

  it('stores the same record for SEND_MESSAGE (long names) and SEND_MESSAGE_V2', async () => {
    const { context } = broker;
    const input: SendInput = { topic: 'T', queueId: 1, body: 'same', properties: { TAGS: 'a', KEYS: 'k' } };
    const long = await processSend(context, sendRequest(RequestCode.SEND_MESSAGE, input), PRODUCER);
    const short = await processSend(context, sendRequest(RequestCode.SEND_MESSAGE_V2, input), PRODUCER);
    const first = await storedRecordOf(context, long);
    const second = await storedRecordOf(context, short);
    const comparable = (m: DecodedStoredMessage) => ({
      ...m,
      queueOffset: undefined,
      physicalOffset: undefined,
      body: m.body?.toString(),
      bornHost: formatHostAddress(m.bornHost),
      storeHost: formatHostAddress(m.storeHost),
    });
    expect(comparable(second)).toEqual(comparable(first));
    expect(comparable(first)).toMatchObject({
      topic: 'T',
      queueId: 1,
      flag: 3,
      bornTimestamp: 1_700_000_000_000,
      body: 'same',
      bornHost: '10.0.0.7:50007',
      storeHost: '127.0.0.1:10911',
    });
    expect([first.queueOffset, second.queueOffset]).toEqual([0, 1]);
    expect(long.extFields.get('queueOffset')).toBe('0');
    expect(short.extFields.get('queueOffset')).toBe('1');
    expect(short.extFields.get('queueId')).toBe('1');
  });

  it('sets the MULTI_TAGS sysFlag bit for a MULTI_TAG topic only', async () => {
    const { context } = broker;
    await context.topics.createOrUpdate({
      topicName: 'Multi',
      readQueueNums: 1,
      writeQueueNums: 1,
      topicFilterType: 'MULTI_TAG',
    });
    const multi = await storedRecordOf(context, await sendV2(context, { topic: 'Multi' }));
    const single = await storedRecordOf(context, await sendV2(context, { topic: 'T' }));
    expect(multi.sysFlag & MessageSysFlag.MULTI_TAGS_FLAG).toBe(MessageSysFlag.MULTI_TAGS_FLAG);
    expect(single.sysFlag & MessageSysFlag.MULTI_TAGS_FLAG).toBe(0);
  });

  it.each([
    ['without CLUSTER', 'TAGS\u0001a'],
    ['without CLUSTER, with a trailing separator', 'TAGS\u0001a\u0002'],
    ['with the broker cluster already', 'TAGS\u0001a\u0002CLUSTER\u0001DefaultCluster\u0002'],
    ['with another cluster', 'CLUSTER\u0001OtherCluster\u0002TAGS\u0001a'],
  ])('stores CLUSTER exactly once, with the broker cluster name, when sent %s', async (_name, text) => {
    const { context } = broker;
    const record = await storedRecordOf(context, await sendV2(context, { topic: 'T', propertiesText: text }));
    expect(propertyCount(record.properties, MessageConst.PROPERTY_CLUSTER)).toBe(1);
    const properties = parseMessageProperties(record.properties);
    expect(properties.get(MessageConst.PROPERTY_CLUSTER)).toBe(context.config.brokerClusterName);
    expect(properties.get(MessageConst.PROPERTY_TAGS)).toBe('a');
    expect(record.properties).not.toContain(`${PROPERTY_SEPARATOR}${PROPERTY_SEPARATOR}`);
  });

  it('picks a valid write queue when queueId < 0', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const response = await sendV2(broker.context, { topic: 'T', queueId: -1 });
      expect(response.code).toBe(ResponseCode.SUCCESS);
      seen.add(response.extFields.get('queueId') ?? '');
    }
    for (const queueId of seen) expect(['0', '1', '2', '3']).toContain(queueId);
  });

  it('answers a msgId that decodes to the stored physical offset and the broker store host', async () => {
    const { context } = broker;
    await sendV2(context, { topic: 'T', body: 'first' });
    const response = await sendV2(context, { topic: 'T', body: 'second' });
    const id = decodeOffsetMessageId(response.extFields.get('msgId') ?? '');
    const record = await storedRecordOf(context, response);
    expect(id.physicalOffset).toBeGreaterThan(0);
    expect(record.physicalOffset).toBe(id.physicalOffset);
    expect(record.body?.toString()).toBe('second');
    expect(formatHostAddress(id.storeHost)).toBe(context.brokerAddr);
    expect(response.extFields.get('MSG_REGION')).toBe('DefaultRegion');
  });

  it('stores a batch: one comma-joined msgId per message, each pointing at its record', async () => {
    const { context } = broker;
    const body = encodeBatchMessageBody(
      ['b0', 'b1', 'b2'].map((text) => ({
        flag: 0,
        body: Buffer.from(text),
        properties: new Map([['KEYS', text]]),
      })),
    );
    const response = await processSend(
      context,
      sendRequest(RequestCode.SEND_BATCH_MESSAGE, { topic: 'T', queueId: 2, body }),
      PRODUCER,
    );
    expect(response.code).toBe(ResponseCode.SUCCESS);
    const ids = (response.extFields.get('msgId') ?? '').split(',');
    expect(ids).toHaveLength(3);
    const records = await Promise.all(
      ids.map((id) => context.store.readMessageAt(decodeOffsetMessageId(id).physicalOffset)),
    );
    expect(records.map((r) => [r?.body?.toString(), r?.queueId, r?.queueOffset])).toEqual([
      ['b0', 2, 0],
      ['b1', 2, 1],
      ['b2', 2, 2],
    ]);
    for (const record of records) expect(propertyCount(record?.properties ?? '', 'CLUSTER')).toBe(1);
    expect(context.stats.snapshot().putMessages).toBe(3);
  });

  it('auto-creates the retry topic of a group from the group settings and announces it', async () => {
    const { context } = broker;
    const before = broker.topicsChangedCount();
    const response = await sendV2(context, { topic: '%RETRY%g', queueId: 0 });
    expect(response.code).toBe(ResponseCode.SUCCESS);
    expect(context.groups.find('g')).toBeDefined();
    expect(context.topics.select('%RETRY%g')).toMatchObject({
      readQueueNums: 1,
      writeQueueNums: 1,
      perm: PermName.READ | PermName.WRITE,
    });
    // The name servers must learn the new topic now, not at the next periodic registration.
    expect(broker.topicsChangedCount()).toBe(before + 1);
  });

  it('auto-creates an unknown topic from TBW102 and announces it', async () => {
    const response = await sendV2(broker.context, { topic: 'Fresh' });
    expect(response.code).toBe(ResponseCode.SUCCESS);
    expect(broker.context.topics.select('Fresh')?.writeQueueNums).toBe(4);
    expect(broker.topicsChangedCount()).toBe(1);
  });

  it('moves the put counters by messages and stored bytes', async () => {
    const { context } = broker;
    const first = await storedRecordOf(context, await sendV2(context, { topic: 'T', body: 'x' }));
    const second = await storedRecordOf(context, await sendV2(context, { topic: 'T', body: 'yy' }));
    expect(context.stats.snapshot()).toMatchObject({
      putMessages: 2,
      putBytes: first.totalSize + second.totalSize,
      putFailures: 0,
    });
  });
});

describe('processSend and durability', () => {
  it('answers WAIT=false before the disk acknowledges, WAIT=true only after', async () => {
    const broker = await openStallingBroker();
    try {
      const { context, disk } = broker;
      await createTopic(context, 'T');
      // The first message creates the commit-log segment; stall only after that.
      await sendV2(context, { topic: 'T', body: 'warm-up' });
      disk.stall();
      let waitedAnswered = false;
      const waited = sendV2(context, { topic: 'T', body: 'waits' }).then((response) => {
        waitedAnswered = true;
        return response;
      });
      const early = await sendV2(context, {
        topic: 'T',
        body: 'does not wait',
        properties: { [MessageConst.PROPERTY_WAIT_STORE_MSG_OK]: 'false' },
      });
      expect(early.code).toBe(ResponseCode.SUCCESS);
      expect(early.extFields.get('queueOffset')).toBe('2');
      await broker.clock.advanceAsync(0); // lets every continuation run before looking
      expect(waitedAnswered).toBe(false);
      disk.resume();
      expect((await waited).code).toBe(ResponseCode.SUCCESS);
    } finally {
      await broker.close();
    }
  });
});
