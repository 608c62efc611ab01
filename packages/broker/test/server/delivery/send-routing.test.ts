// Where the send path stores a delayed message or a retry past its maximum (delivery/send-routing.ts),
// through the real send processor on a MemoryDisk broker.

import { MessageConst } from '../../../src/protocol/message/message-const';
import { parseMessageProperties } from '../../../src/protocol/message/message-properties';
import { ResponseCode } from '../../../src/protocol/remoting/response-code';
import { SystemTopic } from '../../../src/server/topic/system-topics';
import { openTestBroker, type TestBroker } from '../processor/processor-fixtures';
import { queueMessages, sendMessage, sendStored } from './send-fixtures';

const LEVELS_MS = [1000, 5000, 10_000];

describe('send routing of delayed messages and retries', () => {
  let broker: TestBroker;

  beforeEach(async () => {
    broker = await openTestBroker(['messageDelayLevel = 1s 5s 10s']);
  });

  afterEach(() => broker.close());

  it.each([1, 2, 3])(
    'parks DELAY=%i in SCHEDULE_TOPIC_XXXX queue level-1, due at store time + the level delay',
    async (level) => {
      const stored = await sendStored(broker.context, {
        topic: 'Orders',
        queueId: 3,
        body: `level ${level}`,
        properties: { [MessageConst.PROPERTY_DELAY_TIME_LEVEL]: String(level), TAGS: 'TagA' },
      });
      expect(stored).toMatchObject({ topic: SystemTopic.SCHEDULE, queueId: level - 1 });
      const properties = parseMessageProperties(stored.properties);
      expect(properties.get(MessageConst.PROPERTY_REAL_TOPIC)).toBe('Orders');
      expect(properties.get(MessageConst.PROPERTY_REAL_QUEUE_ID)).toBe('3');
      expect(properties.get(MessageConst.PROPERTY_DELAY_TIME_LEVEL)).toBe(String(level));
      expect(properties.get(MessageConst.PROPERTY_TAGS)).toBe('TagA');
      const [entry] = await broker.context.store.readQueueEntries(SystemTopic.SCHEDULE, level - 1, 0, 1);
      expect(entry?.tagsCode).toBe(stored.storeTimestamp + LEVELS_MS[level - 1]!);
      expect(await queueMessages(broker.context, 'Orders', 3)).toEqual([]);
    },
  );

  it('clamps a level above the highest configured to the highest', async () => {
    const stored = await sendStored(broker.context, {
      topic: 'Orders',
      properties: { [MessageConst.PROPERTY_DELAY_TIME_LEVEL]: '99' },
    });
    expect(stored).toMatchObject({ topic: SystemTopic.SCHEDULE, queueId: 2 });
    expect(parseMessageProperties(stored.properties).get(MessageConst.PROPERTY_DELAY_TIME_LEVEL)).toBe('3');
    const [entry] = await broker.context.store.readQueueEntries(SystemTopic.SCHEDULE, 2, 0, 1);
    expect(entry?.tagsCode).toBe(stored.storeTimestamp + 10_000);
  });

  it('stores DELAY=0 as a plain message in its topic', async () => {
    const stored = await sendStored(broker.context, {
      topic: 'Orders',
      queueId: 1,
      properties: { [MessageConst.PROPERTY_DELAY_TIME_LEVEL]: '0' },
    });
    expect(stored).toMatchObject({ topic: 'Orders', queueId: 1 });
    expect(parseMessageProperties(stored.properties).has(MessageConst.PROPERTY_REAL_TOPIC)).toBe(false);
  });

  it.each([
    ['abc', /DELAY=abc is not a delay level; set a level from 1 to 3 \(or 0 for none\)/],
    ['-1', /DELAY=-1 is not a delay level/],
    ['1.5', /DELAY=1.5 is not a delay level/],
  ])('refuses DELAY=%s with MESSAGE_ILLEGAL and stores nothing', async (value, remark) => {
    const response = await sendMessage(broker.context, {
      topic: 'Orders',
      properties: { [MessageConst.PROPERTY_DELAY_TIME_LEVEL]: value },
    });
    expect(response.code).toBe(ResponseCode.MESSAGE_ILLEGAL);
    expect(response.remark).toMatch(remark);
    expect(broker.context.store.commitLogOffsets().max).toBe(0);
  });

  it('sends a retry at or past the group maximum to %DLQ%<group> queue 0, without its delay', async () => {
    const changesBefore = broker.topicsChangedCount();
    const stored = await sendStored(broker.context, {
      topic: '%RETRY%cg',
      body: 'out of retries',
      reconsumeTimes: 16,
      properties: {
        [MessageConst.PROPERTY_DELAY_TIME_LEVEL]: '3',
        [MessageConst.PROPERTY_RETRY_TOPIC]: 'Orders',
        KEYS: 'k1',
      },
    });
    expect(stored).toMatchObject({ topic: '%DLQ%cg', queueId: 0, reconsumeTimes: 16 });
    const properties = parseMessageProperties(stored.properties);
    expect(properties.has(MessageConst.PROPERTY_DELAY_TIME_LEVEL)).toBe(false);
    expect(properties.get(MessageConst.PROPERTY_RETRY_TOPIC)).toBe('Orders');
    expect(properties.get(MessageConst.PROPERTY_KEYS)).toBe('k1');
    expect(broker.context.topics.select('%DLQ%cg')).toMatchObject({
      readQueueNums: 1,
      writeQueueNums: 1,
      perm: 6,
    });
    expect(broker.topicsChangedCount()).toBeGreaterThan(changesBefore);
  });

  it('lets the send header maxReconsumeTimes decide over the group, and parks retries below it', async () => {
    const dead = await sendStored(broker.context, {
      topic: '%RETRY%cg',
      reconsumeTimes: 2,
      maxReconsumeTimes: 2,
      properties: { [MessageConst.PROPERTY_DELAY_TIME_LEVEL]: '2' },
    });
    expect(dead).toMatchObject({ topic: '%DLQ%cg', queueId: 0 });

    const retried = await sendStored(broker.context, {
      topic: '%RETRY%cg',
      reconsumeTimes: 1,
      maxReconsumeTimes: 2,
      properties: { [MessageConst.PROPERTY_DELAY_TIME_LEVEL]: '2' },
    });
    expect(retried).toMatchObject({ topic: SystemTopic.SCHEDULE, queueId: 1, reconsumeTimes: 1 });
    expect(parseMessageProperties(retried.properties).get(MessageConst.PROPERTY_REAL_TOPIC)).toBe(
      '%RETRY%cg',
    );
  });

  it.each(['%RETRY%cg', '%DLQ%cg'])(
    'stores a copy of a committed transactional message sent to %s as it is, never as a half message',
    async (topic) => {
      // A committed message keeps TRAN_MSG and PGROUP; so do its retry and dead-letter copies, which
      // a consumer's fallback or an operator's resend sends with reconsumeTimes 0 and no DELAY.
      const stored = await sendStored(broker.context, {
        topic,
        properties: {
          [MessageConst.PROPERTY_TRANSACTION_PREPARED]: 'true',
          [MessageConst.PROPERTY_PRODUCER_GROUP]: 'order-tx',
        },
      });
      expect(stored).toMatchObject({ topic, queueId: 0 });
      expect(broker.context.store.maxOffsetInQueue(SystemTopic.TRANS_HALF, 0)).toBe(0);
      expect(broker.context.transactions.table.size).toBe(0);
    },
  );

  it('still takes TRAN_MSG=true to any other topic as a half message', async () => {
    const stored = await sendStored(broker.context, {
      topic: 'Orders',
      properties: { [MessageConst.PROPERTY_TRANSACTION_PREPARED]: 'true' },
    });
    expect(stored.topic).toBe(SystemTopic.TRANS_HALF);
  });

  it('refuses a retry past its maximum when the dead-letter topic is not writeable', async () => {
    await broker.context.topics.createOrUpdate({
      topicName: '%DLQ%cg',
      readQueueNums: 1,
      writeQueueNums: 1,
      perm: 4,
    });
    const response = await sendMessage(broker.context, {
      topic: '%RETRY%cg',
      reconsumeTimes: 16,
      maxReconsumeTimes: 16,
    });
    expect(response.code).toBe(ResponseCode.NO_PERMISSION);
    expect(response.remark).toBe(
      'the topic[%DLQ%cg] sending message is forbidden (perm 4); grant it write permission',
    );
  });

  it("uses the group's retryMaxTimes when the header has none", async () => {
    await broker.context.groups.createOrUpdate({ groupName: 'few', retryMaxTimes: 3 });
    const below = await sendStored(broker.context, { topic: '%RETRY%few', reconsumeTimes: 2 });
    expect(below.topic).toBe('%RETRY%few');
    const at = await sendStored(broker.context, { topic: '%RETRY%few', reconsumeTimes: 3 });
    expect(at.topic).toBe('%DLQ%few');
  });
});
