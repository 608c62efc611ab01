import { decodeConsumeStats, decodeTopicStatsTable } from '../../../src/protocol/bodies/queue-stats-bodies';
import { decodeKVTable } from '../../../src/protocol/bodies/simple-bodies';
import { encodeHeartbeatData } from '../../../src/protocol/bodies/heartbeat-data';
import { HeaderFieldError } from '../../../src/protocol/headers/header-errors';
import { RequestCode } from '../../../src/protocol/remoting/request-code';
import { ResponseCode } from '../../../src/protocol/remoting/response-code';
import {
  processDeleteTopicInBroker,
  processGetAllTopicConfig,
  processGetBrokerRuntimeInfo,
  processGetConsumeStats,
  processGetTopicStatsInfo,
  processUpdateAndCreateTopic,
} from '../../../src/server/processor/admin-processor';
import { formatRuntime } from '../../../src/server/processor/broker-runtime-info';
import { processHeartbeat } from '../../../src/server/processor/client-manage-processor';
import { consumerData, subscription } from '../client/fake-channel';
import {
  BROKER_NAME,
  createTopic,
  openTestBroker,
  request,
  requestContextOf,
  send,
  type TestBroker,
} from './processor-fixtures';

const rc = requestContextOf();

function createTopicRequest(topic: string, extra: Record<string, string> = {}) {
  return request(RequestCode.UPDATE_AND_CREATE_TOPIC, {
    topic,
    defaultTopic: 'TBW102',
    readQueueNums: '4',
    writeQueueNums: '2',
    perm: '6',
    topicFilterType: 'MULTI_TAG',
    order: 'true',
    ...extra,
  });
}

describe('UPDATE_AND_CREATE_TOPIC', () => {
  let broker: TestBroker;
  afterEach(async () => broker.close());

  it('creates and updates a topic and tells the name servers each time', async () => {
    broker = await openTestBroker();
    const response = await processUpdateAndCreateTopic(broker.context, createTopicRequest('Orders'), rc);
    expect(response.code).toBe(ResponseCode.SUCCESS);
    expect(broker.context.topics.select('Orders')).toEqual({
      topicName: 'Orders',
      readQueueNums: 4,
      writeQueueNums: 2,
      perm: 6,
      topicFilterType: 'MULTI_TAG',
      topicSysFlag: 0,
      order: true,
    });
    expect(broker.topicsChangedCount()).toBe(1);
    await processUpdateAndCreateTopic(broker.context, createTopicRequest('Orders', { perm: '4' }), rc);
    expect(broker.context.topics.select('Orders')?.perm).toBe(4);
    expect(broker.topicsChangedCount()).toBe(2);
  });

  it.each([
    ['a system topic', createTopicRequest('TBW102'), 'system topic'],
    ['an invalid name', createTopicRequest('bad topic'), 'not a valid topic name'],
    ['queue counts out of range', createTopicRequest('T', { readQueueNums: '-1' }), 'readQueueNums'],
    [
      'an unknown filter type',
      createTopicRequest('T', { topicFilterType: 'SQL' }),
      'SINGLE_TAG or MULTI_TAG',
    ],
  ])('refuses %s with SYSTEM_ERROR naming the problem', async (_name, req, remark) => {
    broker = await openTestBroker();
    const response = await processUpdateAndCreateTopic(broker.context, req, rc);
    expect(response.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(response.remark).toContain(remark);
    expect(broker.topicsChangedCount()).toBe(0);
  });

  it('refuses on a slave', async () => {
    broker = await openTestBroker(['brokerRole = SLAVE', 'brokerId = 1']);
    const response = await processUpdateAndCreateTopic(broker.context, createTopicRequest('Orders'), rc);
    expect(response.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(response.remark).toContain('SLAVE');
    expect(broker.context.topics.select('Orders')).toBeUndefined();
  });

  it('throws HeaderFieldError without perm', async () => {
    broker = await openTestBroker();
    const bad = request(RequestCode.UPDATE_AND_CREATE_TOPIC, { topic: 'T', defaultTopic: 'TBW102' });
    await expect(processUpdateAndCreateTopic(broker.context, bad, rc)).rejects.toBeInstanceOf(
      HeaderFieldError,
    );
  });
});

describe('DELETE_TOPIC_IN_BROKER', () => {
  let broker: TestBroker;
  beforeEach(async () => {
    broker = await openTestBroker();
  });
  afterEach(async () => broker.close());

  it('deletes the topic and every group offset on it', async () => {
    await createTopic(broker.context, 'T');
    broker.context.offsets.commit('cg', 'T', 0, 5);
    broker.context.offsets.commit('cg', 'Other', 0, 5);
    const response = await processDeleteTopicInBroker(
      broker.context,
      request(RequestCode.DELETE_TOPIC_IN_BROKER, { topic: 'T' }),
      rc,
    );
    expect(response.code).toBe(ResponseCode.SUCCESS);
    expect(broker.context.topics.select('T')).toBeUndefined();
    expect(broker.context.offsets.query('cg', 'T', 0)).toBeUndefined();
    expect(broker.context.offsets.query('cg', 'Other', 0)).toBe(5);
    expect(broker.topicsChangedCount()).toBe(1);
  });

  it('succeeds without a change for a topic that does not exist', async () => {
    const response = await processDeleteTopicInBroker(
      broker.context,
      request(RequestCode.DELETE_TOPIC_IN_BROKER, { topic: 'nope' }),
      rc,
    );
    expect(response.code).toBe(ResponseCode.SUCCESS);
    expect(broker.topicsChangedCount()).toBe(0);
  });

  it('refuses a system topic', async () => {
    const response = await processDeleteTopicInBroker(
      broker.context,
      request(RequestCode.DELETE_TOPIC_IN_BROKER, { topic: 'SCHEDULE_TOPIC_XXXX' }),
      rc,
    );
    expect(response.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(broker.context.topics.select('SCHEDULE_TOPIC_XXXX')).toBeDefined();
  });
});

describe('GET_ALL_TOPIC_CONFIG', () => {
  it('answers the TopicConfigSerializeWrapper', async () => {
    const broker = await openTestBroker();
    await createTopic(broker.context, 'T', 3);
    const response = processGetAllTopicConfig(broker.context, request(RequestCode.GET_ALL_TOPIC_CONFIG), rc);
    expect(response.code).toBe(ResponseCode.SUCCESS);
    const wrapper = JSON.parse(response.body.toString('utf8')) as {
      dataVersion: { counter: number; timestamp: number };
      topicConfigTable: Record<string, unknown>;
    };
    expect(wrapper.topicConfigTable['T']).toEqual({
      order: false,
      perm: 6,
      readQueueNums: 3,
      topicFilterType: 'SINGLE_TAG',
      topicName: 'T',
      topicSysFlag: 0,
      writeQueueNums: 3,
    });
    expect(wrapper.topicConfigTable['TBW102']).toBeDefined();
    expect(wrapper.dataVersion.counter).toBe(broker.context.topics.dataVersion.counter);
    await broker.close();
  });
});

describe('GET_BROKER_RUNTIME_INFO', () => {
  it('reports version, uptime, counters and commit-log offsets', async () => {
    const broker = await openTestBroker();
    await createTopic(broker.context, 'T');
    const firstStoreTime = broker.clock.now();
    await send(broker.context, { topic: 'T' });
    await send(broker.context, { topic: 'T' });
    broker.clock.advance(5_000);
    const response = await processGetBrokerRuntimeInfo(
      broker.context,
      request(RequestCode.GET_BROKER_RUNTIME_INFO),
      rc,
    );
    expect(response.code).toBe(ResponseCode.SUCCESS);
    const { table } = decodeKVTable(response.body);
    expect(Object.fromEntries(table)).toMatchObject({
      brokerVersionDesc: 'V4_9_8',
      brokerVersion: '409',
      bootTimestamp: String(broker.context.stats.bootTimestampMs),
      runtime: '[ 0 days, 0 hours, 0 minutes, 5 seconds ]',
      msgPutTotalTodayNow: '2',
      msgGetTotalTodayNow: '0',
      commitLogMinOffset: '0',
      commitLogMaxOffset: String(broker.context.store.commitLogOffsets().max),
      earliestMessageTimeStamp: String(firstStoreTime),
      // MemoryDisk reports 10 % used.
      commitLogDiskRatio: '0.1',
    });
    // No placeholders for what Keel does not measure.
    expect(table.has('putTps')).toBe(false);
    await broker.close();
  });

  it('formats the runtime like RocketMQ', () => {
    const ms = (((1 * 24 + 2) * 60 + 3) * 60 + 4) * 1000 + 999;
    expect(formatRuntime(ms)).toBe('[ 1 days, 2 hours, 3 minutes, 4 seconds ]');
    expect(formatRuntime(0)).toBe('[ 0 days, 0 hours, 0 minutes, 0 seconds ]');
  });
});

describe('GET_TOPIC_STATS_INFO and GET_CONSUME_STATS', () => {
  let broker: TestBroker;
  const storeTimes: number[] = [];
  const mq = (topic: string, queueId: number) => ({ topic, brokerName: BROKER_NAME, queueId });

  beforeAll(async () => {
    broker = await openTestBroker();
    await createTopic(broker.context, 'T', 2);
    await createTopic(broker.context, 'U', 1);
    for (let i = 0; i < 2; i++) {
      storeTimes.push(broker.clock.now());
      await send(broker.context, { topic: 'T', queueId: 0 });
      broker.clock.advance(1000);
    }
    broker.context.offsets.commit('cg', 'T', 0, 1);
    broker.context.offsets.commit('cg', 'U', 0, 0);
    broker.context.offsets.commit('cg', 'Gone', 0, 3);
  });
  afterAll(async () => broker.close());

  it('GET_TOPIC_STATS_INFO answers every queue with offsets and the last store time', async () => {
    const response = await processGetTopicStatsInfo(
      broker.context,
      request(RequestCode.GET_TOPIC_STATS_INFO, { topic: 'T' }),
      rc,
    );
    expect(response.code).toBe(ResponseCode.SUCCESS);
    // fastjson's object-as-key form, which Java admin tools read.
    expect(response.body.toString()).toContain(
      '{"offsetTable":{{"brokerName":"broker-a","queueId":0,"topic":"T"}:',
    );
    expect(decodeTopicStatsTable(response.body).offsetTable).toEqual([
      [mq('T', 0), { minOffset: 0, maxOffset: 2, lastUpdateTimestamp: storeTimes[1] }],
      [mq('T', 1), { minOffset: 0, maxOffset: 0, lastUpdateTimestamp: 0 }],
    ]);
  });

  it('GET_TOPIC_STATS_INFO answers TOPIC_NOT_EXIST for an unknown topic', async () => {
    const response = await processGetTopicStatsInfo(
      broker.context,
      request(RequestCode.GET_TOPIC_STATS_INFO, { topic: 'nope' }),
      rc,
    );
    expect(response.code).toBe(ResponseCode.TOPIC_NOT_EXIST);
  });

  it('GET_CONSUME_STATS for one topic: broker offset, committed offset and last consumed store time', async () => {
    const response = await processGetConsumeStats(
      broker.context,
      request(RequestCode.GET_CONSUME_STATS, { consumerGroup: 'cg', topic: 'T' }),
      rc,
    );
    expect(response.code).toBe(ResponseCode.SUCCESS);
    expect(decodeConsumeStats(response.body)).toEqual({
      consumeTps: 0,
      offsetTable: [
        [mq('T', 0), { brokerOffset: 2, consumerOffset: 1, lastTimestamp: storeTimes[0] }],
        [mq('T', 1), { brokerOffset: 0, consumerOffset: 0, lastTimestamp: 0 }],
      ],
    });
  });

  it('GET_CONSUME_STATS without topic covers every existing topic the group committed on', async () => {
    const response = await processGetConsumeStats(
      broker.context,
      request(RequestCode.GET_CONSUME_STATS, { consumerGroup: 'cg' }),
      rc,
    );
    const queues = decodeConsumeStats(response.body).offsetTable.map(
      ([queue]) => `${queue.topic}:${queue.queueId}`,
    );
    expect(queues.sort()).toEqual(['T:0', 'T:1', 'U:0']);
  });

  it('GET_CONSUME_STATS skips topics an online group no longer subscribes to', async () => {
    const other = await openTestBroker();
    await createTopic(other.context, 'T', 1);
    await createTopic(other.context, 'U', 1);
    other.context.offsets.commit('cg', 'T', 0, 0);
    other.context.offsets.commit('cg', 'U', 0, 0);
    const body = encodeHeartbeatData({
      clientID: 'c1',
      producerDataSet: [],
      consumerDataSet: [consumerData('cg', [subscription('U')])],
    });
    await processHeartbeat(other.context, request(RequestCode.HEART_BEAT, {}, body), rc);
    const response = await processGetConsumeStats(
      other.context,
      request(RequestCode.GET_CONSUME_STATS, { consumerGroup: 'cg' }),
      rc,
    );
    expect(decodeConsumeStats(response.body).offsetTable.map(([queue]) => queue.topic)).toEqual(['U']);
    await other.close();
  });

  it('GET_CONSUME_STATS throws HeaderFieldError without consumerGroup', async () => {
    await expect(
      processGetConsumeStats(broker.context, request(RequestCode.GET_CONSUME_STATS, { topic: 'T' }), rc),
    ).rejects.toBeInstanceOf(HeaderFieldError);
  });
});
