import { RequestCode } from '../../../src/protocol/remoting/request-code';
import { ResponseCode } from '../../../src/protocol/remoting/response-code';
import { registerBrokerProcessors } from '../../../src/server/processor/register-processors';
import { ProcessorTable } from '../../../src/transport/processor-table';
import { createTopic, openTestBroker, request, requestContextOf, send } from './processor-fixtures';

describe('registerBrokerProcessors', () => {
  // Send and pull are registered here too by their owner; this test checks the codes of this folder's
  // other processors.
  it('registers every code of the client, offset, query, lock and admin processors, bound to the context', async () => {
    const broker = await openTestBroker();
    const table = registerBrokerProcessors(new ProcessorTable(), broker.context);
    expect(table.codes()).toEqual(
      expect.arrayContaining([
        RequestCode.QUERY_MESSAGE,
        RequestCode.QUERY_CONSUMER_OFFSET,
        RequestCode.UPDATE_CONSUMER_OFFSET,
        RequestCode.UPDATE_AND_CREATE_TOPIC,
        RequestCode.GET_ALL_TOPIC_CONFIG,
        RequestCode.GET_BROKER_RUNTIME_INFO,
        RequestCode.SEARCH_OFFSET_BY_TIMESTAMP,
        RequestCode.GET_MAX_OFFSET,
        RequestCode.GET_MIN_OFFSET,
        RequestCode.GET_EARLIEST_MSG_STORETIME,
        RequestCode.VIEW_MESSAGE_BY_ID,
        RequestCode.HEART_BEAT,
        RequestCode.UNREGISTER_CLIENT,
        RequestCode.GET_CONSUMER_LIST_BY_GROUP,
        RequestCode.LOCK_BATCH_MQ,
        RequestCode.UNLOCK_BATCH_MQ,
        RequestCode.GET_TOPIC_STATS_INFO,
        RequestCode.GET_CONSUME_STATS,
        RequestCode.DELETE_TOPIC_IN_BROKER,
      ]),
    );
    await createTopic(broker.context, 'T');
    await send(broker.context, { topic: 'T', queueId: 0 });
    const processor = table.get(RequestCode.GET_MAX_OFFSET)!;
    const response = await processor(
      request(RequestCode.GET_MAX_OFFSET, { topic: 'T', queueId: '0' }),
      requestContextOf(),
    );
    expect([response?.code, response?.extFields.get('offset')]).toEqual([ResponseCode.SUCCESS, '1']);
    await broker.close();
  });
});
