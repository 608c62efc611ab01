// GET_CONSUMER_CONNECTION_LIST (203): the online members of a group with their connection
// addresses, and the group's subscriptions, in RocketMQ's ConsumerConnection body.

import { decodeConsumerConnection } from '../../../src/protocol/bodies/consumer-connection';
import { encodeHeartbeatData } from '../../../src/protocol/bodies/heartbeat-data';
import { RequestCode } from '../../../src/protocol/remoting/request-code';
import { ResponseCode } from '../../../src/protocol/remoting/response-code';
import { processHeartbeat } from '../../../src/server/processor/client-manage-processor';
import { processGetConsumerConnectionList } from '../../../src/server/processor/consumer-connection-processor';
import { consumerData, subscription } from '../client/fake-channel';
import { openTestBroker, request, requestContextOf, type TestBroker } from './processor-fixtures';

describe('GET_CONSUMER_CONNECTION_LIST', () => {
  let broker: TestBroker;
  afterEach(async () => broker.close());

  const ask = (group: string) =>
    processGetConsumerConnectionList(
      broker.context,
      request(RequestCode.GET_CONSUMER_CONNECTION_LIST, { consumerGroup: group }),
      requestContextOf(),
    );

  it('answers CONSUMER_NOT_ONLINE with RocketMQ remark for a group without members', async () => {
    broker = await openTestBroker();
    const response = ask('cg');
    expect(response.code).toBe(ResponseCode.CONSUMER_NOT_ONLINE);
    expect(response.remark).toBe('the consumer group[cg] not online');
  });

  it("lists each member's client id and connection address, and the subscriptions", async () => {
    broker = await openTestBroker();
    for (const [id, clientID] of [
      [1, '10.0.0.1@a'],
      [2, '10.0.0.2@b'],
    ] as const) {
      const body = encodeHeartbeatData({
        clientID,
        producerDataSet: [],
        consumerDataSet: [consumerData('cg', [subscription('Orders', 1, 'TagA || TagB')])],
      });
      await processHeartbeat(broker.context, request(RequestCode.HEART_BEAT, {}, body), requestContextOf(id));
    }
    const response = ask('cg');
    expect(response.code).toBe(ResponseCode.SUCCESS);
    const body = decodeConsumerConnection(response.body);
    expect(body.connectionSet.map((c) => [c.clientId, c.clientAddr])).toEqual([
      ['10.0.0.1@a', '10.0.0.1:50001'],
      ['10.0.0.2@b', '10.0.0.2:50002'],
    ]);
    expect(body.subscriptionTable.get('Orders')).toMatchObject({
      topic: 'Orders',
      subString: 'TagA || TagB',
    });
    expect(body).toMatchObject({
      consumeType: 'CONSUME_PASSIVELY',
      messageModel: 'CLUSTERING',
      consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET',
    });
  });
});
