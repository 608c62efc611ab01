import { decodeConsumerListBody } from '../../../src/protocol/bodies/simple-bodies';
import { encodeHeartbeatData } from '../../../src/protocol/bodies/heartbeat-data';
import { HeaderFieldError } from '../../../src/protocol/headers/header-errors';
import { RequestCode } from '../../../src/protocol/remoting/request-code';
import { ResponseCode } from '../../../src/protocol/remoting/response-code';
import { processHeartbeat } from '../../../src/server/processor/client-manage-processor';
import {
  processGetConsumerListByGroup,
  processQueryConsumerOffset,
  processUpdateConsumerOffset,
} from '../../../src/server/processor/consumer-manage-processor';
import { consumerData } from '../client/fake-channel';
import {
  createTopic,
  openTestBroker,
  request,
  requestContextOf,
  send,
  type TestBroker,
} from './processor-fixtures';

const rc = requestContextOf();

function queryOffset(group: string, topic: string, queueId: number) {
  return request(RequestCode.QUERY_CONSUMER_OFFSET, {
    consumerGroup: group,
    topic,
    queueId: String(queueId),
  });
}

describe('GET_CONSUMER_LIST_BY_GROUP', () => {
  let broker: TestBroker;
  afterEach(async () => broker.close());

  it('answers SYSTEM_ERROR with RocketMQ remark when the group has no consumer online', async () => {
    broker = await openTestBroker();
    const response = processGetConsumerListByGroup(
      broker.context,
      request(RequestCode.GET_CONSUMER_LIST_BY_GROUP, { consumerGroup: 'cg' }),
      rc,
    );
    expect(response.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(response.remark).toBe('no consumer for this group, cg');
  });

  it('lists the client ids of the group', async () => {
    broker = await openTestBroker();
    for (const [id, clientID] of [
      [1, 'c1'],
      [2, 'c2'],
    ] as const) {
      const body = encodeHeartbeatData({
        clientID,
        producerDataSet: [],
        consumerDataSet: [consumerData('cg', [])],
      });
      await processHeartbeat(broker.context, request(RequestCode.HEART_BEAT, {}, body), requestContextOf(id));
    }
    const response = processGetConsumerListByGroup(
      broker.context,
      request(RequestCode.GET_CONSUMER_LIST_BY_GROUP, { consumerGroup: 'cg' }),
      rc,
    );
    expect(response.code).toBe(ResponseCode.SUCCESS);
    expect(decodeConsumerListBody(response.body).consumerIdList).toEqual(['c1', 'c2']);
  });
});

describe('QUERY_CONSUMER_OFFSET and UPDATE_CONSUMER_OFFSET', () => {
  let broker: TestBroker;
  afterEach(async () => broker.close());

  it('answers a committed offset, also after a oneway update', async () => {
    broker = await openTestBroker();
    const update = request(
      RequestCode.UPDATE_CONSUMER_OFFSET,
      { consumerGroup: 'cg', topic: 'T', queueId: '2', commitOffset: '17' },
      undefined,
      { oneway: true },
    );
    expect(processUpdateConsumerOffset(broker.context, update, rc).code).toBe(ResponseCode.SUCCESS);
    expect(broker.context.offsets.query('cg', 'T', 2)).toBe(17);
    const response = await processQueryConsumerOffset(broker.context, queryOffset('cg', 'T', 2), rc);
    expect(response.code).toBe(ResponseCode.SUCCESS);
    expect(response.extFields.get('offset')).toBe('17');
  });

  it('answers 0 for a new group on an empty queue and on a young queue whose first message is stored', async () => {
    broker = await openTestBroker();
    await createTopic(broker.context, 'T');
    const empty = await processQueryConsumerOffset(broker.context, queryOffset('new', 'T', 0), rc);
    expect([empty.code, empty.extFields.get('offset')]).toEqual([ResponseCode.SUCCESS, '0']);
    await send(broker.context, { topic: 'T', queueId: 0 });
    await send(broker.context, { topic: 'T', queueId: 0 });
    const young = await processQueryConsumerOffset(broker.context, queryOffset('new', 'T', 0), rc);
    expect([young.code, young.extFields.get('offset')]).toEqual([ResponseCode.SUCCESS, '0']);
  });

  it('answers QUERY_NOT_FOUND for a new group once the start of the queue was deleted', async () => {
    broker = await openTestBroker(['mappedFileSizeCommitLog = 4096', 'maxMessageSize = 2048']);
    const { context, disk, clock } = broker;
    await createTopic(context, 'T');
    for (let i = 0; i < 20; i++) await send(context, { topic: 'T', queueId: 0, body: 'x'.repeat(900) });
    // Back-dates the segments instead of advancing the fake clock 73 hours (see the store's tests).
    for (const name of await disk.list('/data/store/commitlog')) {
      disk.setModifiedAtMs(`/data/store/commitlog/${name}`, clock.now() - 73 * 3600 * 1000);
    }
    const pass = context.store.deleteExpiredCommitLog();
    await clock.advanceAsync(10_000);
    await pass;
    expect(context.store.minOffsetInQueue('T', 0)).toBeGreaterThan(0);
    const response = await processQueryConsumerOffset(context, queryOffset('new', 'T', 0), rc);
    expect(response.code).toBe(ResponseCode.QUERY_NOT_FOUND);
    expect(response.extFields.has('offset')).toBe(false);
  });

  it('throws HeaderFieldError on a bad header', async () => {
    broker = await openTestBroker();
    const bad = request(RequestCode.UPDATE_CONSUMER_OFFSET, {
      consumerGroup: 'cg',
      topic: 'T',
      queueId: 'x',
    });
    expect(() => processUpdateConsumerOffset(broker.context, bad, rc)).toThrow(HeaderFieldError);
    await expect(
      processQueryConsumerOffset(
        broker.context,
        request(RequestCode.QUERY_CONSUMER_OFFSET, { topic: 'T' }),
        rc,
      ),
    ).rejects.toBeInstanceOf(HeaderFieldError);
  });
});
