// CONSUMER_SEND_MSG_BACK (36): every refusal, the retry copy parked at its level and delivered to
// %RETRY%<group>, and the dead-letter copy.

import { ConsumerSendMsgBackRequestHeader } from '../../../src/protocol/headers/send-back-headers';
import { MessageConst } from '../../../src/protocol/message/message-const';
import { createOffsetMessageId } from '../../../src/protocol/message/message-id';
import { parseMessageProperties } from '../../../src/protocol/message/message-properties';
import { MessageSysFlag } from '../../../src/protocol/message/message-sys-flag';
import type { DecodedStoredMessage } from '../../../src/protocol/message/stored-message-decoder';
import { createRequest, type RemotingCommand } from '../../../src/protocol/remoting/remoting-command';
import { RequestCode } from '../../../src/protocol/remoting/request-code';
import { ResponseCode } from '../../../src/protocol/remoting/response-code';
import type { BrokerContext } from '../../../src/server/broker-context';
import { processConsumerSendMsgBack } from '../../../src/server/processor/consumer-send-back-processor';
import { registerBrokerProcessors } from '../../../src/server/processor/register-processors';
import { SystemTopic } from '../../../src/server/topic/system-topics';
import { ProcessorTable } from '../../../src/transport/processor-table';
import { queueMessages, sendStored } from '../delivery/send-fixtures';
import { plainPut, settled } from '../schedule/schedule-fixtures';
import { openTestBroker, requestContextOf, type TestBroker } from './processor-fixtures';

interface SendBack {
  readonly offset: number;
  readonly group?: string;
  readonly delayLevel?: number;
  readonly maxReconsumeTimes?: number;
  /** The request's client version; 409 (V4_9_8) unless set. */
  readonly version?: number;
}

function sendBackRequest(input: SendBack): RemotingCommand {
  return createRequest({
    code: RequestCode.CONSUMER_SEND_MSG_BACK,
    opaque: 1,
    ...(input.version === undefined ? {} : { version: input.version }),
    extFields: ConsumerSendMsgBackRequestHeader.encode({
      offset: input.offset,
      group: input.group ?? 'cg',
      delayLevel: input.delayLevel ?? 0,
      originMsgId: undefined,
      originTopic: undefined,
      unitMode: false,
      maxReconsumeTimes: input.maxReconsumeTimes,
      bname: undefined,
    }),
  });
}

function sendBack(context: BrokerContext, input: SendBack): Promise<RemotingCommand> {
  return processConsumerSendMsgBack(context, sendBackRequest(input), requestContextOf());
}

const USER_PROPERTIES = { TAGS: 'TagA', KEYS: 'order-1', traceId: 't-1', UNIQ_KEY: 'UNIQ-1' };

describe('CONSUMER_SEND_MSG_BACK', () => {
  let broker: TestBroker;
  let original: DecodedStoredMessage;

  async function open(lines: string[] = []): Promise<void> {
    broker = await openTestBroker(['messageDelayLevel = 1s 2s 3s 4s 5s', ...lines]);
  }

  async function storeOriginal(): Promise<void> {
    original = await sendStored(broker.context, {
      topic: 'Orders',
      queueId: 2,
      body: 'failing payload',
      properties: USER_PROPERTIES,
    });
  }

  afterEach(() => broker.close());

  async function parkedCopy(level: number): Promise<DecodedStoredMessage> {
    const [parked] = await queueMessages(broker.context, SystemTopic.SCHEDULE, level - 1);
    if (parked === undefined) throw new Error(`nothing parked at level ${level}`);
    return parked;
  }

  it('parks a copy for %RETRY%<group> at level 3 + reconsumeTimes, which reappears there after the delay', async () => {
    await open();
    await storeOriginal();
    const response = await sendBack(broker.context, { offset: original.physicalOffset });
    expect([response.code, response.remark]).toEqual([ResponseCode.SUCCESS, undefined]);

    const parked = await parkedCopy(3);
    expect(parked).toMatchObject({
      topic: SystemTopic.SCHEDULE,
      queueId: 2,
      reconsumeTimes: 1,
      flag: original.flag,
      bornTimestamp: original.bornTimestamp,
      bornHost: original.bornHost,
      storeHost: original.storeHost,
    });
    expect(parked.body?.toString()).toBe('failing payload');
    const properties = Object.fromEntries(parseMessageProperties(parked.properties));
    expect(properties).toMatchObject({
      ...USER_PROPERTIES,
      RETRY_TOPIC: 'Orders',
      ORIGIN_MESSAGE_ID: createOffsetMessageId(original.storeHost, original.physicalOffset),
      REAL_TOPIC: '%RETRY%cg',
      REAL_QID: '0',
      DELAY: '3',
    });
    expect(broker.context.topics.select('%RETRY%cg')).toMatchObject({ readQueueNums: 1, perm: 6 });

    await broker.clock.advanceAsync(2999);
    await settled(broker.context.schedule);
    expect(await queueMessages(broker.context, '%RETRY%cg')).toEqual([]);
    await broker.clock.advanceAsync(1);
    await settled(broker.context.schedule);
    const [retry] = await queueMessages(broker.context, '%RETRY%cg');
    expect(retry).toMatchObject({ topic: '%RETRY%cg', queueId: 0, reconsumeTimes: 1 });
    const retryProperties = parseMessageProperties(retry!.properties);
    expect(retryProperties.get('RETRY_TOPIC')).toBe('Orders');
    expect(retryProperties.has('DELAY')).toBe(false);
  });

  it('keeps RETRY_TOPIC and ORIGIN_MESSAGE_ID of a message that was retried before and counts on', async () => {
    await open();
    await storeOriginal();
    await sendBack(broker.context, { offset: original.physicalOffset });
    await broker.clock.advanceAsync(3000);
    await settled(broker.context.schedule);
    const [retry] = await queueMessages(broker.context, '%RETRY%cg');

    const response = await sendBack(broker.context, { offset: retry!.physicalOffset });
    expect(response.code).toBe(ResponseCode.SUCCESS);
    const parked = await parkedCopy(4);
    expect(parked.reconsumeTimes).toBe(2);
    const properties = parseMessageProperties(parked.properties);
    expect(properties.get('RETRY_TOPIC')).toBe('Orders');
    expect(properties.get('ORIGIN_MESSAGE_ID')).toBe(
      createOffsetMessageId(original.storeHost, original.physicalOffset),
    );
  });

  it.each([
    ['the level the consumer asks for', 2, 2],
    ['a level above the highest, clamped', 99, 5],
  ])('parks at %s', async (_name, asked, level) => {
    await open();
    await storeOriginal();
    expect(
      (await sendBack(broker.context, { offset: original.physicalOffset, delayLevel: asked })).code,
    ).toBe(ResponseCode.SUCCESS);
    expect(parseMessageProperties((await parkedCopy(level)).properties).get('DELAY')).toBe(String(level));
  });

  it('clamps the broker-chosen level 3 + reconsumeTimes to the highest level', async () => {
    await open();
    original = await sendStored(broker.context, { topic: '%RETRY%cg', reconsumeTimes: 4 });
    expect((await sendBack(broker.context, { offset: original.physicalOffset })).code).toBe(
      ResponseCode.SUCCESS,
    );
    expect((await parkedCopy(5)).reconsumeTimes).toBe(5);
  });

  it("dead-letters a message at the group's retryMaxTimes: %DLQ%<group> queue 0, no delay, properties intact", async () => {
    await open();
    original = await sendStored(broker.context, {
      topic: '%RETRY%cg',
      reconsumeTimes: 1,
      properties: { ...USER_PROPERTIES, RETRY_TOPIC: 'Orders', ORIGIN_MESSAGE_ID: 'FIRST-ID' },
    });
    // Stored past the send path, which would park a message with DELAY: RocketMQ's delivered copies
    // keep DELAY, and the dead-letter copy must not.
    const lastPut = plainPut({
      topic: '%RETRY%cg',
      body: 'last attempt',
      properties: { ...USER_PROPERTIES, RETRY_TOPIC: 'Orders', ORIGIN_MESSAGE_ID: 'FIRST-ID', DELAY: '4' },
    });
    const stored = await broker.context.store.putMessage({
      ...lastPut,
      fields: { ...lastPut.fields, reconsumeTimes: 2 },
    });
    const last = (await broker.context.store.readMessageAt(stored.physicalOffset))!;
    expect(last.topic).toBe('%RETRY%cg');
    // Lowered after both were stored (a send at the maximum would be dead-lettered by the send path).
    await broker.context.groups.createOrUpdate({ groupName: 'cg', retryMaxTimes: 2 });
    // reconsumeTimes 1 < 2: retried.
    expect((await sendBack(broker.context, { offset: original.physicalOffset })).code).toBe(
      ResponseCode.SUCCESS,
    );
    expect(broker.context.topics.select('%DLQ%cg')).toBeUndefined();

    const changes = broker.topicsChangedCount();
    expect((await sendBack(broker.context, { offset: last.physicalOffset })).code).toBe(ResponseCode.SUCCESS);
    const [dead] = await queueMessages(broker.context, '%DLQ%cg');
    expect(dead).toMatchObject({ topic: '%DLQ%cg', queueId: 0, reconsumeTimes: 3 });
    expect(dead!.body?.toString()).toBe('last attempt');
    const properties = Object.fromEntries(parseMessageProperties(dead!.properties));
    expect(properties).toMatchObject({
      ...USER_PROPERTIES,
      RETRY_TOPIC: 'Orders',
      ORIGIN_MESSAGE_ID: 'FIRST-ID',
    });
    expect(properties).not.toHaveProperty('DELAY');
    expect(broker.context.topics.select('%DLQ%cg')).toMatchObject({
      readQueueNums: 1,
      writeQueueNums: 1,
      perm: 6,
    });
    expect(broker.topicsChangedCount()).toBeGreaterThan(changes);
  });

  it('dead-letters at once when the consumer asks with delay level -1 (orderly consumers)', async () => {
    await open();
    await storeOriginal();
    expect((await sendBack(broker.context, { offset: original.physicalOffset, delayLevel: -1 })).code).toBe(
      ResponseCode.SUCCESS,
    );
    const [dead] = await queueMessages(broker.context, '%DLQ%cg');
    expect(dead).toMatchObject({ reconsumeTimes: 1 });
    expect(parseMessageProperties(dead!.properties).get('RETRY_TOPIC')).toBe('Orders');
  });

  it('honours the header maxReconsumeTimes from V3_4_9 clients only', async () => {
    await open();
    original = await sendStored(broker.context, { topic: '%RETRY%cg', reconsumeTimes: 3 });
    // A client older than V3_4_9 (version 121): the group's 16 applies, so it is retried.
    expect(
      (
        await sendBack(broker.context, {
          offset: original.physicalOffset,
          maxReconsumeTimes: 3,
          version: 120,
        })
      ).code,
    ).toBe(ResponseCode.SUCCESS);
    expect(await queueMessages(broker.context, '%DLQ%cg')).toEqual([]);
    expect((await parkedCopy(5)).reconsumeTimes).toBe(4);

    expect(
      (
        await sendBack(broker.context, {
          offset: original.physicalOffset,
          maxReconsumeTimes: 3,
          version: 121,
        })
      ).code,
    ).toBe(ResponseCode.SUCCESS);
    expect(await queueMessages(broker.context, '%DLQ%cg')).toHaveLength(1);
  });

  it('refuses an unknown group when groups are not auto-created', async () => {
    await open(['autoCreateSubscriptionGroup = false']);
    await storeOriginal();
    const response = await sendBack(broker.context, { offset: original.physicalOffset, group: 'nobody' });
    expect(response.code).toBe(ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST);
    expect(response.remark).toMatch(
      /subscription group not exist, nobody; create it .* autoCreateSubscriptionGroup=true/,
    );
    expect(await queueMessages(broker.context, SystemTopic.SCHEDULE, 2)).toEqual([]);
  });

  it('refuses a group name that cannot have a retry topic', async () => {
    await open();
    await storeOriginal();
    const response = await sendBack(broker.context, { offset: original.physicalOffset, group: 'bad group!' });
    expect(response.code).toBe(ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST);
    expect(response.remark).toMatch(/"bad group!" is not a valid consumer group name/);
  });

  it('refuses on a broker without write permission', async () => {
    await open(['brokerPermission = 4']);
    const response = await sendBack(broker.context, { offset: 0 });
    expect(response.code).toBe(ResponseCode.NO_PERMISSION);
    expect(response.remark).toMatch(/sending message is forbidden \(brokerPermission=4\)/);
  });

  it('refuses on a SLAVE', async () => {
    await open(['brokerRole = SLAVE', 'brokerId = 1']);
    const response = await sendBack(broker.context, { offset: 0 });
    expect(response.code).toBe(ResponseCode.SERVICE_NOT_AVAILABLE);
    expect(response.remark).toMatch(/is a SLAVE; send the message back to its master/);
  });

  it('acknowledges and drops the message of a group with retryQueueNums 0', async () => {
    await open();
    await storeOriginal();
    await broker.context.groups.createOrUpdate({ groupName: 'noretry', retryQueueNums: 0 });
    const end = broker.context.store.commitLogOffsets().max;
    const response = await sendBack(broker.context, { offset: original.physicalOffset, group: 'noretry' });
    expect(response.code).toBe(ResponseCode.SUCCESS);
    expect(response.remark).toMatch(/not retried: group noretry has retryQueueNums 0/);
    expect(broker.context.store.commitLogOffsets().max).toBe(end);
  });

  it('creates the retry topic when absent and announces it', async () => {
    await open();
    await storeOriginal();
    expect(broker.context.topics.select('%RETRY%fresh')).toBeUndefined();
    const changes = broker.topicsChangedCount();
    await sendBack(broker.context, { offset: original.physicalOffset, group: 'fresh' });
    expect(broker.context.topics.select('%RETRY%fresh')).toBeDefined();
    expect(broker.topicsChangedCount()).toBe(changes + 1);
    // Known now: no second announcement.
    await sendBack(broker.context, { offset: original.physicalOffset, group: 'fresh' });
    expect(broker.topicsChangedCount()).toBe(changes + 1);
  });

  it('refuses when the retry topic is not writeable', async () => {
    await open();
    await storeOriginal();
    await broker.context.topics.createOrUpdate({
      topicName: '%RETRY%cg',
      readQueueNums: 1,
      writeQueueNums: 1,
      perm: 4,
    });
    const response = await sendBack(broker.context, { offset: original.physicalOffset });
    expect(response.code).toBe(ResponseCode.NO_PERMISSION);
    expect(response.remark).toMatch(
      /topic\[%RETRY%cg\] sending message is forbidden \(perm 4\); grant it write permission/,
    );
  });

  it('refuses when the dead-letter topic is not writeable', async () => {
    await open();
    await storeOriginal();
    await broker.context.topics.createOrUpdate({
      topicName: '%DLQ%cg',
      readQueueNums: 1,
      writeQueueNums: 1,
      perm: 4,
    });
    const response = await sendBack(broker.context, { offset: original.physicalOffset, delayLevel: -1 });
    expect(response.code).toBe(ResponseCode.NO_PERMISSION);
    expect(response.remark).toMatch(/topic\[%DLQ%cg\] sending message is forbidden/);
  });

  it.each([
    ['past the end of the log', () => 1_000_000],
    ['inside a record', () => original.physicalOffset + 1],
    ['negative', () => -5],
  ])('refuses an offset %s with SYSTEM_ERROR', async (_name, offsetOf) => {
    await open();
    await storeOriginal();
    const offset = offsetOf();
    const response = await sendBack(broker.context, { offset });
    expect(response.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(response.remark).toMatch(
      new RegExp(`look message by offset failed, ${offset}: no message starts`),
    );
  });

  it('answers SYSTEM_ERROR naming the put status when the copy cannot be stored', async () => {
    await open();
    // Fits maxMessageSize (4096) alone, but not with the properties a retry copy adds.
    original = await sendStored(broker.context, { topic: 'Orders', body: 'x'.repeat(3900) });
    const response = await sendBack(broker.context, { offset: original.physicalOffset });
    expect(response.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(response.remark).toMatch(
      /^MESSAGE_ILLEGAL: the message could not be stored for retry \(.*maxMessageSize/,
    );
  });

  describe("refuses a record no consumer receives, so an uncommitted or early message can't leak", () => {
    async function expectRefused(offset: number, remark: RegExp): Promise<void> {
      const retryBefore = broker.context.store.maxOffsetInQueue('%RETRY%cg', 0);
      const response = await sendBack(broker.context, { offset });
      expect(response.code).toBe(ResponseCode.MESSAGE_ILLEGAL);
      expect(response.remark).toMatch(remark);
      expect(response.remark).toMatch(
        /send back the offset of a message the consumer pulled from its topic$/,
      );
      expect(await queueMessages(broker.context, '%DLQ%cg')).toEqual([]);
      expect(broker.context.store.maxOffsetInQueue('%RETRY%cg', 0)).toBe(retryBefore);
    }

    it('a half message', async () => {
      await open();
      const half = await sendStored(broker.context, {
        topic: 'Orders',
        properties: { [MessageConst.PROPERTY_TRANSACTION_PREPARED]: 'true', PGROUP: 'order-tx' },
      });
      expect(half.topic).toBe(SystemTopic.TRANS_HALF);
      const parkedBefore = broker.context.store.maxOffsetInQueue(SystemTopic.SCHEDULE, 2);
      await expectRefused(
        half.physicalOffset,
        new RegExp(
          `^the record at commit-log offset ${half.physicalOffset} is in RMQ_SYS_TRANS_HALF_TOPIC, the broker's own record`,
        ),
      );
      expect(broker.context.store.maxOffsetInQueue(SystemTopic.SCHEDULE, 2)).toBe(parkedBefore);
    });

    it('a delayed message still parked in SCHEDULE_TOPIC_XXXX', async () => {
      await open();
      const parked = await sendStored(broker.context, {
        topic: 'Orders',
        properties: { [MessageConst.PROPERTY_DELAY_TIME_LEVEL]: '2' },
      });
      expect(parked.topic).toBe(SystemTopic.SCHEDULE);
      await expectRefused(parked.physicalOffset, /is in SCHEDULE_TOPIC_XXXX, the broker's own record/);
    });

    it.each([
      ['PREPARED', MessageSysFlag.TRANSACTION_PREPARED_TYPE],
      ['ROLLBACK', MessageSysFlag.TRANSACTION_ROLLBACK_TYPE],
    ])('a %s record', async (name, type) => {
      await open();
      const put = plainPut({ topic: 'Orders', body: 'never committed' });
      const result = await broker.context.store.putMessage({
        ...put,
        fields: { ...put.fields, sysFlag: type },
      });
      expect(result.status).toBe('PUT_OK');
      await expectRefused(
        result.physicalOffset,
        new RegExp(`is a ${name} transactional record, never delivered to consumers`),
      );
    });
  });

  it('is registered on the table the main and VIP servers share', async () => {
    await open();
    await storeOriginal();
    const table = registerBrokerProcessors(new ProcessorTable(), broker.context);
    const vip = table.without(RequestCode.PULL_MESSAGE);
    const response = await vip.get(RequestCode.CONSUMER_SEND_MSG_BACK)!(
      sendBackRequest({ offset: original.physicalOffset }),
      requestContextOf(),
    );
    expect(response?.code).toBe(ResponseCode.SUCCESS);
  });
});
