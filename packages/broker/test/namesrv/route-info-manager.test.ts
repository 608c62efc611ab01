import { RouteInfoManager, type BrokerRegistration } from '../../src/namesrv/route-info-manager';

const EXPIRY_MS = 120_000;

function registration(overrides: Partial<BrokerRegistration> = {}): BrokerRegistration {
  return {
    clusterName: 'DefaultCluster',
    brokerName: 'broker-a',
    brokerAddr: '10.0.0.5:10911',
    brokerId: 0,
    haServerAddr: '10.0.0.5:10912',
    dataVersion: { timestamp: 1, counter: 1 },
    topics: [{ topicName: 'TopicTest', readQueueNums: 4, writeQueueNums: 4, perm: 6, topicSysFlag: 0 }],
    filterServerList: [],
    connectionId: 1,
    ...overrides,
  };
}

describe('RouteInfoManager', () => {
  it('routes a topic to the broker groups whose master registered it', () => {
    const routes = new RouteInfoManager();
    routes.register(registration(), 0);
    routes.register(
      registration({ brokerName: 'broker-b', brokerAddr: '10.0.0.6:10911', connectionId: 2 }),
      0,
    );
    const route = routes.route('TopicTest');
    expect(route?.queueDatas.map((q) => q.brokerName).sort()).toEqual(['broker-a', 'broker-b']);
    expect(route?.brokerDatas.find((b) => b.brokerName === 'broker-a')?.brokerAddrs.get(0)).toBe(
      '10.0.0.5:10911',
    );
    expect(routes.route('Unknown')).toBeUndefined();
  });

  it('takes topics only from masters, and only when the data version changed', () => {
    const routes = new RouteInfoManager();
    routes.register(registration(), 0);
    // A slave reporting other topics changes no route, but joins the broker data.
    const slave = routes.register(
      registration({ brokerId: 1, brokerAddr: '10.0.0.7:10911', connectionId: 3, topics: [] }),
      0,
    );
    expect(slave).toEqual({ masterAddr: '10.0.0.5:10911', haServerAddr: '10.0.0.5:10912' });
    expect(routes.route('TopicTest')?.brokerDatas[0]?.brokerAddrs.get(1)).toBe('10.0.0.7:10911');
    // Same data version with different topics: ignored (the broker would bump the version).
    const other = [{ topicName: 'Other', readQueueNums: 1, writeQueueNums: 1, perm: 6, topicSysFlag: 0 }];
    routes.register(registration({ topics: other }), 1000);
    expect(routes.route('Other')).toBeUndefined();
    routes.register(registration({ topics: other, dataVersion: { timestamp: 2, counter: 2 } }), 2000);
    expect(routes.route('Other')).toBeDefined();
    // A topic the master stopped reporting (deleted on the broker) leaves the route table.
    expect(routes.route('TopicTest')).toBeUndefined();
  });

  it('expires a broker 120 s after its last registration and removes its queues', () => {
    const routes = new RouteInfoManager();
    routes.register(registration(), 0);
    expect(routes.expireInactive(EXPIRY_MS, EXPIRY_MS)).toEqual([]);
    routes.register(registration(), 60_000);
    expect(routes.expireInactive(60_000 + EXPIRY_MS, EXPIRY_MS)).toEqual([]);
    const expired = routes.expireInactive(60_001 + EXPIRY_MS, EXPIRY_MS);
    expect(expired).toEqual([
      { brokerAddr: '10.0.0.5:10911', brokerName: 'broker-a', reason: 'no registration for 120 s' },
    ]);
    expect(routes.route('TopicTest')).toBeUndefined();
    expect(routes.clusterInfo().clusterAddrTable.size).toBe(0);
  });

  it('removes a broker at once when its connection closes, keeping the group while a slave lives', () => {
    const routes = new RouteInfoManager();
    routes.register(registration(), 0);
    routes.register(registration({ brokerId: 1, brokerAddr: '10.0.0.7:10911', connectionId: 3 }), 0);
    expect(routes.connectionClosed(1).map((b) => b.brokerAddr)).toEqual(['10.0.0.5:10911']);
    const route = routes.route('TopicTest');
    expect(route?.brokerDatas[0]?.brokerAddrs).toEqual(new Map([[1, '10.0.0.7:10911']]));
    routes.connectionClosed(3);
    expect(routes.route('TopicTest')).toBeUndefined();
  });

  it('unregisters, wipes and restores write permission, deletes topics, lists clusters and topics', () => {
    const routes = new RouteInfoManager();
    routes.register(registration(), 0);
    routes.register(
      registration({ brokerName: 'broker-b', brokerAddr: '10.0.0.6:10911', connectionId: 2 }),
      0,
    );
    expect(routes.setWritePermission('broker-a', false)).toBe(1);
    expect(routes.route('TopicTest')?.queueDatas.find((q) => q.brokerName === 'broker-a')?.perm).toBe(4);
    expect(routes.setWritePermission('broker-a', true)).toBe(1);
    expect(routes.route('TopicTest')?.queueDatas.find((q) => q.brokerName === 'broker-a')?.perm).toBe(6);
    expect(routes.clusterInfo().clusterAddrTable.get('DefaultCluster')).toEqual(['broker-a', 'broker-b']);
    routes.unregister('10.0.0.6:10911', 'broker-b', 0);
    expect(routes.route('TopicTest')?.brokerDatas.map((b) => b.brokerName)).toEqual(['broker-a']);
    expect(routes.topics()).toEqual(['TopicTest']);
    expect(routes.deleteTopic('TopicTest')).toBe(true);
    expect(routes.route('TopicTest')).toBeUndefined();
  });

  it('moves an address that re-registers under another id', () => {
    const routes = new RouteInfoManager();
    routes.register(registration({ brokerId: 1, brokerAddr: '10.0.0.7:10911', connectionId: 3 }), 0);
    routes.register(registration({ brokerId: 0, brokerAddr: '10.0.0.7:10911', connectionId: 3 }), 0);
    expect(routes.clusterInfo().brokerAddrTable.get('broker-a')?.brokerAddrs).toEqual(
      new Map([[0, '10.0.0.7:10911']]),
    );
  });

  it('reports data version changes for QUERY_DATA_VERSION and counts the query as a sign of life', () => {
    const routes = new RouteInfoManager();
    routes.register(registration(), 0);
    expect(routes.isDataVersionChanged('10.0.0.5:10911', { timestamp: 1, counter: 1 }, 100_000)).toBe(false);
    expect(routes.isDataVersionChanged('10.0.0.5:10911', { timestamp: 1, counter: 2 }, 100_000)).toBe(true);
    expect(routes.expireInactive(100_000 + EXPIRY_MS, EXPIRY_MS)).toEqual([]);
  });
});
