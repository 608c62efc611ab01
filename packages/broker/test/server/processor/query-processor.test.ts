import { HeaderFieldError } from '../../../src/protocol/headers/header-errors';
import { MessageConst } from '../../../src/protocol/message/message-const';
import { parseMessageProperties } from '../../../src/protocol/message/message-properties';
import { decodeOffsetMessageId } from '../../../src/protocol/message/message-id';
import { decodeStoredMessages } from '../../../src/protocol/message/stored-message-decoder';
import { RequestCode } from '../../../src/protocol/remoting/request-code';
import { ResponseCode } from '../../../src/protocol/remoting/response-code';
import {
  MAX_MSGS_NUM_BATCH,
  processQueryMessage,
  processViewMessageById,
} from '../../../src/server/processor/query-processor';
import {
  createTopic,
  openTestBroker,
  request,
  requestContextOf,
  send,
  type TestBroker,
} from './processor-fixtures';

const rc = requestContextOf();

function query(topic: string, key: string, maxNum: number, extra: Record<string, string> = {}) {
  return request(RequestCode.QUERY_MESSAGE, {
    topic,
    key,
    maxNum: String(maxNum),
    beginTimestamp: '0',
    endTimestamp: String(Number.MAX_SAFE_INTEGER),
    ...extra,
  });
}

function bodiesOf(body: Buffer): string[] {
  const batch = decodeStoredMessages(body);
  expect(batch.stoppedAt).toBeUndefined();
  return batch.messages.map((message) => message.body?.toString() ?? '').sort();
}

describe('QUERY_MESSAGE', () => {
  let broker: TestBroker;
  beforeEach(async () => {
    broker = await openTestBroker();
    await createTopic(broker.context, 'T');
  });
  afterEach(async () => broker.close());

  it('answers the records whose KEYS contain the key, with the index position in the header', async () => {
    await send(broker.context, { topic: 'T', keys: 'k1 k2', body: 'a' });
    await send(broker.context, { topic: 'T', keys: 'k2', body: 'b' });
    await send(broker.context, { topic: 'T', keys: 'k1', body: 'c' });
    const response = await processQueryMessage(broker.context, query('T', 'k1', 10), rc);
    expect(response.code).toBe(ResponseCode.SUCCESS);
    expect(bodiesOf(response.body)).toEqual(['a', 'c']);
    expect(Number(response.extFields.get('indexLastUpdateTimestamp'))).toBeGreaterThan(0);
    expect(Number(response.extFields.get('indexLastUpdatePhyoffset'))).toBeGreaterThan(0);
  });

  it('drops records of colliding hashes: another key or another topic with the same Java hash', async () => {
    // "Aa" and "BB" have the same String.hashCode, so T#Aa/T#BB and Aa#x/BB#x share index hashes.
    await createTopic(broker.context, 'Aa');
    await createTopic(broker.context, 'BB');
    await send(broker.context, { topic: 'T', keys: 'Aa', body: 'wanted' });
    await send(broker.context, { topic: 'T', keys: 'BB', body: 'other key' });
    await send(broker.context, { topic: 'Aa', keys: 'x', body: 'wanted topic' });
    await send(broker.context, { topic: 'BB', keys: 'x', body: 'other topic' });
    // The precondition: the store's hash match alone returns both records.
    const hashMatches = await broker.context.store.queryMessage('T', 'Aa', 10, 0, Number.MAX_SAFE_INTEGER);
    expect(hashMatches.records).toHaveLength(2);
    const byKey = await processQueryMessage(broker.context, query('T', 'Aa', 10), rc);
    expect(bodiesOf(byKey.body)).toEqual(['wanted']);
    const byTopic = await processQueryMessage(broker.context, query('Aa', 'x', 10), rc);
    expect(bodiesOf(byTopic.body)).toEqual(['wanted topic']);
  });

  it('answers up to 32 records for a unique-key query whatever maxNum says', async () => {
    await send(broker.context, { topic: 'T', uniqKey: 'U1', body: 'first' });
    await send(broker.context, { topic: 'T', uniqKey: 'U1', body: 'second' });
    const plain = await processQueryMessage(broker.context, query('T', 'U1', 1), rc);
    expect(bodiesOf(plain.body)).toHaveLength(1);
    const unique = await processQueryMessage(
      broker.context,
      query('T', 'U1', 1, { _UNIQUE_KEY_QUERY: 'true' }),
      rc,
    );
    expect(bodiesOf(unique.body)).toEqual(['first', 'second']);
    const properties = parseMessageProperties(decodeStoredMessages(unique.body).messages[0]!.properties);
    expect(properties.get(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX)).toBe('U1');
  });

  it(`caps the answer at ${MAX_MSGS_NUM_BATCH} records`, async () => {
    for (let i = 0; i < MAX_MSGS_NUM_BATCH + 3; i++) await send(broker.context, { topic: 'T', keys: 'many' });
    const response = await processQueryMessage(broker.context, query('T', 'many', 1000), rc);
    expect(decodeStoredMessages(response.body).messages).toHaveLength(MAX_MSGS_NUM_BATCH);
  });

  it('answers QUERY_NOT_FOUND, still with the index header, when nothing matches', async () => {
    await send(broker.context, { topic: 'T', keys: 'k1' });
    const response = await processQueryMessage(broker.context, query('T', 'absent', 10), rc);
    expect(response.code).toBe(ResponseCode.QUERY_NOT_FOUND);
    expect(response.remark).toBe('can not find message, maybe time range not correct');
    expect(response.extFields.has('indexLastUpdatePhyoffset')).toBe(true);
    expect(response.body).toHaveLength(0);
  });

  it('rejects a header without maxNum', async () => {
    const bad = request(RequestCode.QUERY_MESSAGE, {
      topic: 'T',
      key: 'k',
      beginTimestamp: '0',
      endTimestamp: '1',
    });
    await expect(processQueryMessage(broker.context, bad, rc)).rejects.toBeInstanceOf(HeaderFieldError);
  });
});

describe('VIEW_MESSAGE_BY_ID', () => {
  let broker: TestBroker;
  beforeEach(async () => {
    broker = await openTestBroker();
    await createTopic(broker.context, 'T');
  });
  afterEach(async () => broker.close());

  it('answers the raw stored record at the offset of an offset message id', async () => {
    await send(broker.context, { topic: 'T', body: 'first' });
    const sent = await send(broker.context, { topic: 'T', body: 'second' });
    const { physicalOffset } = decodeOffsetMessageId(sent.get('msgId')!);
    const response = await processViewMessageById(
      broker.context,
      request(RequestCode.VIEW_MESSAGE_BY_ID, { offset: String(physicalOffset) }),
      rc,
    );
    expect(response.code).toBe(ResponseCode.SUCCESS);
    const batch = decodeStoredMessages(response.body);
    expect(batch.messages.map((m) => [m.body?.toString(), m.physicalOffset, m.topic])).toEqual([
      ['second', physicalOffset, 'T'],
    ]);
    expect(batch.consumed).toBe(response.body.length);
  });

  it('answers SYSTEM_ERROR for an offset with no record', async () => {
    await send(broker.context, { topic: 'T' });
    const response = await processViewMessageById(
      broker.context,
      request(RequestCode.VIEW_MESSAGE_BY_ID, { offset: '999999' }),
      rc,
    );
    expect(response.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(response.remark).toBe('can not find message by the offset, 999999');
  });
});
