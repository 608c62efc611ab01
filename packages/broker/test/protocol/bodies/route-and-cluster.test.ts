import { BodyDecodeError } from '../../../src/protocol/bodies/body-errors';
import { decodeClusterInfo, encodeClusterInfo } from '../../../src/protocol/bodies/cluster-info';
import {
  decodeTopicRouteData,
  encodeTopicRouteData,
  type TopicRouteData,
} from '../../../src/protocol/bodies/topic-route-data';

const LEGACY =
  '{"brokerDatas":[{"brokerAddrs":{0:"10.0.0.5:10911",1:"10.0.0.6:10911"},"brokerName":"broker-a","cluster":"DefaultCluster"}],' +
  '"filterServerTable":{},"queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":4,"topicSysFlag":0,"writeQueueNums":4}]}';

const ROUTE: TopicRouteData = {
  orderTopicConf: undefined,
  queueDatas: [{ brokerName: 'broker-a', readQueueNums: 4, writeQueueNums: 4, perm: 6, topicSysFlag: 0 }],
  brokerDatas: [
    {
      cluster: 'DefaultCluster',
      brokerName: 'broker-a',
      brokerAddrs: new Map([
        [0, '10.0.0.5:10911'],
        [1, '10.0.0.6:10911'],
      ]),
    },
  ],
  filterServerTable: new Map(),
};

describe('TopicRouteData', () => {
  it('encodes the fact sheet example byte for byte in legacy form and decodes it back', () => {
    expect(encodeTopicRouteData(ROUTE).toString()).toBe(LEGACY);
    expect(decodeTopicRouteData(Buffer.from(LEGACY))).toEqual(ROUTE);
  });

  it('encodes standard JSON with quoted keys, which decodes to the same value', () => {
    const standard = encodeTopicRouteData(ROUTE, 'standard');
    expect(JSON.parse(standard.toString())).toMatchObject({
      brokerDatas: [{ brokerAddrs: { '0': '10.0.0.5:10911' } }],
    });
    expect(decodeTopicRouteData(standard)).toEqual(ROUTE);
  });

  it('accepts the pre-4.9.0 key topicSynFlag and keeps orderTopicConf and filter servers', () => {
    const text =
      '{"orderTopicConf":"broker-a:4","queueDatas":[{"brokerName":"b","perm":6,"readQueueNums":1,"topicSynFlag":3,"writeQueueNums":1}],' +
      '"brokerDatas":[],"filterServerTable":{"10.0.0.5:10911":["10.0.0.5:3000"]}}';
    const route = decodeTopicRouteData(Buffer.from(text));
    expect(route.queueDatas[0]?.topicSysFlag).toBe(3);
    expect(route.orderTopicConf).toBe('broker-a:4');
    expect(route.filterServerTable.get('10.0.0.5:10911')).toEqual(['10.0.0.5:3000']);
    expect(decodeTopicRouteData(encodeTopicRouteData(route))).toEqual(route);
  });

  it.each([
    [
      '{"queueDatas":[{"brokerName":"b","perm":6,"readQueueNums":"x","writeQueueNums":1}]}',
      'queueDatas[0].readQueueNums',
    ],
    [
      '{"brokerDatas":[{"brokerName":"b","cluster":"c","brokerAddrs":{"master":"x"}}]}',
      'brokerDatas[0].brokerAddrs["master"]',
    ],
    ['{"brokerDatas":[{"brokerName":"b","brokerAddrs":{}}]}', 'brokerDatas[0].cluster'],
    ['{"queueDatas":{}}', 'queueDatas'],
    ['[1]', ''],
    ['{"queueDatas":', ''],
  ])('rejects %s naming %s', (text, field) => {
    let caught: unknown;
    try {
      decodeTopicRouteData(Buffer.from(text));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(BodyDecodeError);
    expect(caught).toMatchObject({ code: 'BODY_INVALID', body: 'TopicRouteData', field });
    expect((caught as Error).message).toContain(`TopicRouteData${field === '' ? '' : `.${field}`}:`);
  });
});

describe('ClusterInfo', () => {
  it('round-trips in legacy form with bare broker ids', () => {
    const info = {
      brokerAddrTable: new Map([
        ['broker-a', { cluster: 'c', brokerName: 'broker-a', brokerAddrs: new Map([[0, 'h:1']]) }],
      ]),
      clusterAddrTable: new Map([['c', ['broker-a']]]),
    };
    const bytes = encodeClusterInfo(info);
    expect(bytes.toString()).toBe(
      '{"brokerAddrTable":{"broker-a":{"brokerAddrs":{0:"h:1"},"brokerName":"broker-a","cluster":"c"}},"clusterAddrTable":{"c":["broker-a"]}}',
    );
    expect(decodeClusterInfo(bytes)).toEqual(info);
  });
});
