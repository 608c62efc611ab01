// The ConsumerConnection body: what a Java broker sends decodes, and what Keel sends reads back.

import {
  decodeConsumerConnection,
  encodeConsumerConnection,
  type ConsumerConnectionBody,
} from '../../../src/protocol/bodies/consumer-connection';

describe('ConsumerConnection body', () => {
  it("decodes a RocketMQ broker's body, reading an unknown language as OTHER", () => {
    const java =
      '{"connectionSet":[{"clientAddr":"10.0.0.9:53412","clientId":"10.0.0.9@12345","language":"KOTLIN","version":397}],' +
      '"consumeFromWhere":"CONSUME_FROM_LAST_OFFSET","consumeType":"CONSUME_PASSIVELY","messageModel":"CLUSTERING",' +
      '"subscriptionTable":{"T1":{"classFilterMode":false,"codeSet":[2598919],"expressionType":"TAG",' +
      '"subString":"TagA","subVersion":1690000000000,"tagsSet":["TagA"],"topic":"T1"}}}';
    const body = decodeConsumerConnection(Buffer.from(java));
    expect(body.connectionSet).toEqual([
      { clientId: '10.0.0.9@12345', clientAddr: '10.0.0.9:53412', language: 'OTHER', version: 397 },
    ]);
    expect(body.subscriptionTable.get('T1')).toMatchObject({
      subString: 'TagA',
      codeSet: [2598919],
      subVersion: 1690000000000,
    });
  });

  it('reads back what it writes', () => {
    const body: ConsumerConnectionBody = {
      connectionSet: [{ clientId: 'c', clientAddr: '127.0.0.1:1', language: 'JAVA', version: 1 }],
      subscriptionTable: new Map([
        [
          'T',
          {
            topic: 'T',
            subString: '*',
            tagsSet: [],
            codeSet: [],
            subVersion: 5,
            expressionType: 'TAG',
            classFilterMode: false,
          },
        ],
      ]),
      consumeType: 'CONSUME_ACTIVELY',
      messageModel: 'BROADCASTING',
      consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
    };
    expect(decodeConsumerConnection(encodeConsumerConnection(body))).toEqual(body);
  });
});
