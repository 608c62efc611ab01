import { BodyDecodeError } from '../../../src/protocol/bodies/body-errors';
import { decodeHeartbeatData, encodeHeartbeatData } from '../../../src/protocol/bodies/heartbeat-data';
import {
  decodeLockBatchRequestBody,
  decodeLockBatchResponseBody,
  decodeUnlockBatchRequestBody,
  encodeLockBatchRequestBody,
  encodeLockBatchResponseBody,
} from '../../../src/protocol/bodies/lock-batch-bodies';
import {
  decodeConsumeStats,
  decodeTopicStatsTable,
  encodeConsumeStats,
  encodeTopicStatsTable,
} from '../../../src/protocol/bodies/queue-stats-bodies';
import {
  decodeConsumerListBody,
  decodeKVTable,
  decodeTopicList,
  encodeConsumerListBody,
  encodeKVTable,
  encodeTopicList,
} from '../../../src/protocol/bodies/simple-bodies';

const HEARTBEAT =
  '{"clientID":"10.0.0.9@12345#987654321",' +
  '"consumerDataSet":[{"consumeFromWhere":"CONSUME_FROM_LAST_OFFSET","consumeType":"CONSUME_PASSIVELY","groupName":"cg",' +
  '"messageModel":"CLUSTERING","subscriptionDataSet":[{"classFilterMode":false,"codeSet":[2598919],"expressionType":"TAG",' +
  '"subString":"TagA","subVersion":1690000000000,"tagsSet":["TagA"],"topic":"T1"}],"unitMode":false}],' +
  '"producerDataSet":[{"groupName":"pg"}]}';

describe('HeartbeatData', () => {
  it('decodes the fact sheet example and re-encodes it byte for byte', () => {
    const data = decodeHeartbeatData(Buffer.from(HEARTBEAT));
    expect(data.consumerDataSet[0]?.subscriptionDataSet[0]).toEqual({
      topic: 'T1',
      subString: 'TagA',
      tagsSet: ['TagA'],
      codeSet: [2598919],
      subVersion: 1690000000000,
      expressionType: 'TAG',
      classFilterMode: false,
      filterClassSource: undefined,
    });
    expect(encodeHeartbeatData(data).toString()).toBe(HEARTBEAT);
  });

  it('names an unknown enum value and its path', () => {
    const text = HEARTBEAT.replace('"CLUSTERING"', '"SHARDING"');
    expect(() => decodeHeartbeatData(Buffer.from(text))).toThrow(
      'HeartbeatData.consumerDataSet[0].messageModel: "SHARDING" is not one of BROADCASTING, CLUSTERING',
    );
  });
});

describe('lock bodies', () => {
  const request = {
    consumerGroup: 'cg',
    clientId: 'c1',
    mqSet: [{ topic: 'T', brokerName: 'b', queueId: 0 }],
  };

  it('writes the fact sheet shape and reads it back', () => {
    const bytes = encodeLockBatchRequestBody(request);
    expect(bytes.toString()).toBe(
      '{"clientId":"c1","consumerGroup":"cg","mqSet":[{"brokerName":"b","queueId":0,"topic":"T"}]}',
    );
    expect(decodeLockBatchRequestBody(bytes)).toEqual(request);
    expect(decodeUnlockBatchRequestBody(bytes)).toEqual(request);
    const response = { lockOKMQSet: request.mqSet };
    expect(decodeLockBatchResponseBody(encodeLockBatchResponseBody(response))).toEqual(response);
  });

  it('names the missing queue field', () => {
    expect(() =>
      decodeUnlockBatchRequestBody(
        Buffer.from('{"consumerGroup":"g","clientId":"c","mqSet":[{"topic":"T"}]}'),
      ),
    ).toThrow('UnlockBatchRequestBody.mqSet[0].brokerName: missing');
  });
});

describe('MessageQueue-keyed admin bodies', () => {
  const queue = { topic: 'T', brokerName: 'b', queueId: 0 };

  it('writes TopicStatsTable with the queue object as the key (what Java admin tools read)', () => {
    const stats = {
      offsetTable: [[queue, { minOffset: 0, maxOffset: 10, lastUpdateTimestamp: 1700000000000 }]] as const,
    };
    const bytes = encodeTopicStatsTable(stats);
    expect(bytes.toString()).toBe(
      '{"offsetTable":{{"brokerName":"b","queueId":0,"topic":"T"}:{"lastUpdateTimestamp":1700000000000,"maxOffset":10,"minOffset":0}}}',
    );
    expect(decodeTopicStatsTable(bytes)).toEqual(stats);
  });

  it('round-trips ConsumeStats including consumeTps', () => {
    const stats = {
      offsetTable: [
        [queue, { brokerOffset: 10, consumerOffset: 7, lastTimestamp: 5 }],
        [
          { ...queue, queueId: 1 },
          { brokerOffset: 3, consumerOffset: 3, lastTimestamp: 6 },
        ],
      ] as const,
      consumeTps: 0.5,
    };
    expect(decodeConsumeStats(encodeConsumeStats(stats))).toEqual(stats);
  });

  it('refuses string keys where queue objects are expected', () => {
    expect(() => decodeConsumeStats(Buffer.from('{"offsetTable":{"T":{}}}'))).toThrow(BodyDecodeError);
  });
});

describe('small bodies', () => {
  it('round-trip', () => {
    const list = { topicList: ['a', '%RETRY%g'], brokerAddr: undefined };
    expect(encodeTopicList(list).toString()).toBe('{"topicList":["a","%RETRY%g"]}');
    expect(decodeTopicList(encodeTopicList(list))).toEqual(list);
    const table = { table: new Map([['brokerVersion', '409']]) };
    expect(encodeKVTable(table).toString()).toBe('{"table":{"brokerVersion":"409"}}');
    expect(decodeKVTable(encodeKVTable(table))).toEqual(table);
    const consumers = { consumerIdList: ['id1', 'id2'] };
    expect(decodeConsumerListBody(encodeConsumerListBody(consumers))).toEqual(consumers);
  });

  it('names the field of a wrong type', () => {
    expect(() => decodeKVTable(Buffer.from('{"table":{"k":1}}'))).toThrow(
      'KVTable.table["k"]: expected a string, found number 1',
    );
  });
});
