import { HeaderFieldError } from '../../../src/protocol/headers/header-errors';
import { RequestCode } from '../../../src/protocol/remoting/request-code';
import { ResponseCode } from '../../../src/protocol/remoting/response-code';
import {
  processGetEarliestMsgStoretime,
  processGetMaxOffset,
  processGetMinOffset,
  processSearchOffsetByTimestamp,
} from '../../../src/server/processor/offset-query-processor';
import {
  createTopic,
  openTestBroker,
  request,
  requestContextOf,
  send,
  type TestBroker,
} from './processor-fixtures';

const rc = requestContextOf();
const queue = (topic: string, queueId: number, extra: Record<string, string> = {}) => ({
  topic,
  queueId: String(queueId),
  ...extra,
});

describe('offset queries', () => {
  let broker: TestBroker;
  const storeTimes: number[] = [];

  beforeAll(async () => {
    broker = await openTestBroker();
    await createTopic(broker.context, 'T');
    for (let i = 0; i < 3; i++) {
      storeTimes.push(broker.clock.now());
      await send(broker.context, { topic: 'T', queueId: 1 });
      broker.clock.advance(1000);
    }
  });
  afterAll(async () => broker.close());

  it('GET_MAX_OFFSET and GET_MIN_OFFSET answer the queue bounds, 0 for an unknown queue', () => {
    const max = processGetMaxOffset(broker.context, request(RequestCode.GET_MAX_OFFSET, queue('T', 1)), rc);
    expect([max.code, max.extFields.get('offset')]).toEqual([ResponseCode.SUCCESS, '3']);
    const min = processGetMinOffset(broker.context, request(RequestCode.GET_MIN_OFFSET, queue('T', 1)), rc);
    expect([min.code, min.extFields.get('offset')]).toEqual([ResponseCode.SUCCESS, '0']);
    const unknown = processGetMaxOffset(
      broker.context,
      request(RequestCode.GET_MAX_OFFSET, queue('nope', 0)),
      rc,
    );
    expect(unknown.extFields.get('offset')).toBe('0');
  });

  it('GET_EARLIEST_MSG_STORETIME answers the first store time, -1 for an empty queue', async () => {
    const earliest = await processGetEarliestMsgStoretime(
      broker.context,
      request(RequestCode.GET_EARLIEST_MSG_STORETIME, queue('T', 1)),
      rc,
    );
    expect([earliest.code, earliest.extFields.get('timestamp')]).toEqual([
      ResponseCode.SUCCESS,
      String(storeTimes[0]),
    ]);
    const empty = await processGetEarliestMsgStoretime(
      broker.context,
      request(RequestCode.GET_EARLIEST_MSG_STORETIME, queue('T', 0)),
      rc,
    );
    expect(empty.extFields.get('timestamp')).toBe('-1');
  });

  it('SEARCH_OFFSET_BY_TIMESTAMP finds the first message stored at or after the time', async () => {
    const search = async (timestamp: number) =>
      (
        await processSearchOffsetByTimestamp(
          broker.context,
          request(RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, queue('T', 1, { timestamp: String(timestamp) })),
          rc,
        )
      ).extFields.get('offset');
    expect(await search(storeTimes[1]!)).toBe('1');
    expect(await search(storeTimes[1]! - 1)).toBe('1');
    expect(await search(0)).toBe('0');
    expect(await search(storeTimes[2]! + 1)).toBe('3');
  });

  it('throws HeaderFieldError without a queue id', () => {
    expect(() =>
      processGetMaxOffset(broker.context, request(RequestCode.GET_MAX_OFFSET, { topic: 'T' }), rc),
    ).toThrow(HeaderFieldError);
    expect(() =>
      processGetMinOffset(broker.context, request(RequestCode.GET_MIN_OFFSET, { topic: 'T' }), rc),
    ).toThrow(HeaderFieldError);
  });

  it('SEARCH_OFFSET_BY_TIMESTAMP and GET_EARLIEST_MSG_STORETIME reject a bad header', async () => {
    await expect(
      processSearchOffsetByTimestamp(
        broker.context,
        request(RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, queue('T', 1)),
        rc,
      ),
    ).rejects.toBeInstanceOf(HeaderFieldError);
    await expect(
      processGetEarliestMsgStoretime(
        broker.context,
        request(RequestCode.GET_EARLIEST_MSG_STORETIME, { topic: 'T' }),
        rc,
      ),
    ).rejects.toBeInstanceOf(HeaderFieldError);
  });
});
